/**
 * What api_proxy will forward. Connect makes the request from its own network, but we still refuse
 * anything aimed at loopback, private, link-local or otherwise non-public addresses, non-http(s)
 * schemes, credentials in the URL and host spellings meant to slip past such checks, and plain
 * http:// unless the operator allows it (the user's token would travel in clear). The WHATWG URL
 * parser normalises decimal/hex/octal IPv4, IPv6 spellings and percent-encoded hosts first, so
 * checks run on the canonical form; address ranges are matched by Node's own `net.BlockList`.
 */
import { BlockList, isIPv4, isIPv6 } from "node:net";

/** A local connector's URLs are confined to its base_url instead (src/providers/local/confine.ts). */
export { confineToBase } from "../providers/local/confine.js";

export type ProxyUrlCheck =
  | { ok: true; url: string; relative: false; host: string }
  | { ok: true; url: string; relative: true }
  | { ok: false; reason: string };

export interface ProxyUrlOptions {
  /** Let plain http:// targets through (--allow-http-proxy-targets). */
  allowHttp?: boolean;
}

const BLOCKED_NAMES = /(^|\.)(localhost|localdomain|internal|local|home\.arpa)$/i;

/**
 * Non-public ranges, first match names the refusal. IPv4 ranges also match IPv4-mapped IPv6
 * (::ffff:a.b.c.d): BlockList checks the embedded address. IPv6 ranges that embed or tunnel to an
 * IPv4 address (IPv4-compatible, NAT64, 6to4, Teredo) are refused outright rather than decoded: no
 * API is addressed by such a literal, and the gateway or relay that would carry it could reach an
 * address the embedded one does not show (a NAT64 gateway translating to private space, say).
 */
const RANGES: ReadonlyArray<readonly [cidr: string, what: string]> = [
  ["0.0.0.0/8", "unspecified / this network"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "carrier-grade NAT"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local, cloud metadata"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "IETF protocol assignments"],
  ["192.0.2.0/24", "documentation"],
  ["192.88.99.0/24", "6to4 relay anycast"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved, broadcast"],
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["::/96", "IPv4-compatible (deprecated)"],
  ["64:ff9b::/96", "NAT64"],
  ["64:ff9b:1::/48", "local-use NAT64"],
  ["100::/64", "discard-only"],
  ["2001::/32", "Teredo"],
  ["2001:2::/48", "benchmarking"],
  ["2001:10::/28", "ORCHID"],
  ["2001:20::/28", "ORCHIDv2"],
  ["2001:db8::/32", "documentation"],
  ["2002::/16", "6to4"],
  ["3fff::/20", "documentation"],
  ["fc00::/7", "unique local"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "site-local (deprecated)"],
  ["ff00::/8", "multicast"],
];

const NAMED_RANGES = RANGES.map(([cidr, what]) => {
  const [net, bits] = cidr.split("/") as [string, string];
  const family = isIPv4(net) ? "ipv4" : "ipv6";
  const list = new BlockList();
  list.addSubnet(net, Number(bits), family);
  return { family, list, label: `${what}, ${cidr}` };
});

/** Anything outside global unicast (or an IPv4-mapped public address) is not a public host either. */
const PUBLIC_V6 = new BlockList();
PUBLIC_V6.addSubnet("2000::", 3, "ipv6");
PUBLIC_V6.addSubnet("::ffff:0:0", 96, "ipv6");

export function checkProxyUrl(raw: string, query?: Record<string, string | number | boolean>, options: ProxyUrlOptions = {}): ProxyUrlCheck {
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
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: `scheme ${url.protocol} is not allowed; only https (and http if the operator allows it)` };
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL (user:pass@) are not allowed; use headers instead" };
  const host = url.hostname.toLowerCase();
  if (!host) return { ok: false, reason: "url has no host" };
  const blocked = blockedHostReason(host);
  if (blocked) return { ok: false, reason: blocked };
  if (url.protocol === "http:" && !options.allowHttp) {
    return {
      ok: false,
      reason:
        "plain http:// would send the user's credentials unencrypted; use the https:// URL. " +
        "If this API has no https, the server's operator can allow http targets with --allow-http-proxy-targets (CONNECT_MCP_ALLOW_HTTP_PROXY_TARGETS=true)",
    };
  }
  appendQuery(url, query);
  url.hash = "";
  return { ok: true, url: url.toString(), relative: false, host };
}

function appendQuery(url: URL, query?: Record<string, string | number | boolean>): void {
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.append(k, String(v));
}

function blockedHostReason(host: string): string | undefined {
  if (host.startsWith("[")) {
    const what = nonPublicAddress(host.slice(1, -1), "ipv6");
    return what ? `host ${host} is not a public address (${what})` : undefined;
  }
  if (isIPv4(host)) {
    const what = nonPublicAddress(host, "ipv4");
    return what ? `host ${host} is not a public address (${what})` : undefined;
  }
  if (/^[\d.]+$/.test(host)) return `host ${host} is not a valid address`;
  if (BLOCKED_NAMES.test(host)) return `host ${host} is a local name`;
  if (!host.includes(".")) return `host ${host} is not a public domain name`;
  if (host.endsWith(".")) return blockedHostReason(host.slice(0, -1));
  return undefined;
}

/** Which non-public range an address is in, or undefined for a public one. */
export function nonPublicAddress(address: string, family: "ipv4" | "ipv6"): string | undefined {
  if (family === "ipv4" ? !isIPv4(address) : !isIPv6(address)) return "not a valid address";
  // An IPv4 address is only checked against IPv4 ranges; an IPv6 one against all (IPv4 ranges match only IPv4-mapped ones).
  const hit = NAMED_RANGES.find((r) => (family === "ipv6" || r.family === "ipv4") && r.list.check(address, family));
  if (hit) return hit.label;
  if (family === "ipv6" && !PUBLIC_V6.check(address, "ipv6")) return "not global unicast";
  return undefined;
}
