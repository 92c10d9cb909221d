/**
 * api_proxy for a local connector reaches only paths under its base_url: the operator chose that
 * host (an internal http:// one is fine), the agent chooses only the path. A relative url is
 * resolved under the base; an absolute one must be on the same origin and under the base path,
 * after the URL parser has normalised dot segments; encoded slashes are refused (a server may
 * decode them into a path escape).
 */
export type ConfinedUrl = { ok: true; url: string; host: string } | { ok: false; reason: string };

export function confineToBase(baseUrl: string, raw: string, query: Record<string, string | number | boolean> = {}): ConfinedUrl {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  let target: URL;
  try {
    if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) target = new URL(raw);
    else if (raw.startsWith("//") || raw.startsWith("\\")) return { ok: false, reason: "a url starting with // names another host; give a path under the connector's base_url" };
    else target = new URL(`${base.origin}${basePath}${raw.startsWith("/") ? "" : "/"}${raw}`);
  } catch {
    return { ok: false, reason: "it is not a valid URL or path" };
  }
  if (target.username || target.password) return { ok: false, reason: "credentials in the URL are not allowed" };
  if (target.origin !== base.origin) return { ok: false, reason: `it is not on the connector's host (${base.origin}); this connector reaches only paths under ${base.origin}${basePath}/` };
  if (/%2f|%5c/i.test(target.pathname)) return { ok: false, reason: "encoded slashes are not allowed in the path" };
  if (basePath && target.pathname !== basePath && !target.pathname.startsWith(`${basePath}/`)) {
    return { ok: false, reason: `its path leaves the connector's base path (${basePath}/)` };
  }
  for (const [k, v] of Object.entries(query)) target.searchParams.append(k, String(v));
  target.hash = "";
  return { ok: true, url: target.toString(), host: target.host };
}
