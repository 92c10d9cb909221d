/**
 * What api_proxy will forward. Connect makes the request from its own network, but we still refuse
 * anything aimed at loopback, private or link-local addresses, non-http(s) schemes, credentials in
 * the URL and host spellings meant to slip past such checks. The WHATWG URL parser normalises
 * decimal/hex/octal IPv4 and percent-encoded hosts first, so checks run on the canonical form.
 */
export type ProxyUrlCheck =
  | { ok: true; url: string; relative: false; host: string }
  | { ok: true; url: string; relative: true }
  | { ok: false; reason: string };

const BLOCKED_NAMES = /(^|\.)(localhost|localdomain|internal|local|home\.arpa)$/i;

export function checkProxyUrl(raw: string, query?: Record<string, string | number | boolean>): ProxyUrlCheck {
  const input = raw.trim();
  if (!input) return { ok: false, reason: "url is empty" };
  // Control characters and backslashes are how parser-differential tricks start.
  if (/[\u0000-\u001f\u007f\\]/.test(input)) return { ok: false, reason: "url contains control characters or backslashes" };

  if (input.startsWith("/")) {
    if (input.startsWith("//")) return { ok: false, reason: "protocol-relative URLs (//host) are not allowed; give an absolute https:// URL" };
    const parsed = new URL(input, "http://relative.invalid");
    appendQuery(parsed, query);
    return { ok: true, url: `${parsed.pathname}${parsed.search}`, relative: true };
  }

  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: "url is neither an absolute http(s) URL nor a path starting with /" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: `scheme ${url.protocol} is not allowed; only http and https` };
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL (user:pass@) are not allowed; use headers instead" };
  const host = url.hostname.toLowerCase();
  if (!host) return { ok: false, reason: "url has no host" };
  const blocked = blockedHostReason(host);
  if (blocked) return { ok: false, reason: blocked };
  appendQuery(url, query);
  url.hash = "";
  return { ok: true, url: url.toString(), relative: false, host };
}

function appendQuery(url: URL, query?: Record<string, string | number | boolean>): void {
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.append(k, String(v));
}

function blockedHostReason(host: string): string | undefined {
  if (host.startsWith("[")) {
    const v6 = host.slice(1, -1);
    return isBlockedIPv6(v6) ? `host ${host} is a loopback, private or link-local address` : undefined;
  }
  const v4 = parseIPv4(host);
  if (v4) return isBlockedIPv4(v4) ? `host ${host} is a loopback, private or link-local address` : undefined;
  if (/^[\d.]+$/.test(host)) return `host ${host} is not a valid address`;
  if (BLOCKED_NAMES.test(host)) return `host ${host} is a local name`;
  if (!host.includes(".")) return `host ${host} is not a public domain name`;
  if (host.endsWith(".")) return blockedHostReason(host.slice(0, -1));
  return undefined;
}

function parseIPv4(host: string): number[] | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const nums = parts.map(Number);
  return nums.every((n) => n <= 255) ? nums : undefined;
}

function isBlockedIPv4([a, b]: number[]): boolean {
  if (a === undefined || b === undefined) return true;
  return (
    a === 0 || // "this" network
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast and reserved
  );
}

function isBlockedIPv6(addr: string): boolean {
  const a = addr.toLowerCase();
  if (a === "::" || a === "::1") return true;
  // IPv4-mapped/compatible (::ffff:7f00:1 after URL normalisation, or dotted forms).
  const mapped = /^(?:0*:)*(?:ffff:)?(?:0*:)*([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (mapped && (a.startsWith("::") || a.startsWith("0:"))) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return isBlockedIPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  }
  const first = parseInt(a.split(":")[0] || "0", 16);
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xff00) === 0xff00 // multicast
  );
}
