import { describe, expect, it } from "vitest";
import { checkProxyUrl, nonPublicAddress } from "../../src/core/url-guard.js";

describe("checkProxyUrl", () => {
  it.each([
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://%31%32%37.0.0.1/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://localhost/",
    "http://api.localhost/",
    "http://printer.local/",
    "http://metadata.google.internal/",
    "http://intranet/",
    "https://user:pass@api.example.com/",
    "https://user@api.example.com/",
    "ftp://example.com/file",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "//evil.example/x",
    "https://api.example.com\\@127.0.0.1/",
    "https://api.example.com/\r\nHost: x",
    "",
  ])("refuses %s", (url) => {
    expect(checkProxyUrl(url).ok).toBe(false);
  });

  // One address per non-public range; the refusal names the range.
  it.each([
    ["https://0.0.0.0/", "unspecified / this network, 0.0.0.0/8"],
    ["https://0.1.2.3/", "0.0.0.0/8"],
    ["https://10.255.0.1/", "private, 10.0.0.0/8"],
    ["https://100.64.0.1/", "carrier-grade NAT, 100.64.0.0/10"],
    ["https://100.127.255.254/", "100.64.0.0/10"],
    ["https://127.0.0.1/", "loopback, 127.0.0.0/8"],
    ["https://127.255.255.254/", "127.0.0.0/8"],
    ["https://169.254.169.254/", "link-local, cloud metadata, 169.254.0.0/16"],
    ["https://172.16.0.1/", "private, 172.16.0.0/12"],
    ["https://172.31.255.254/", "172.16.0.0/12"],
    ["https://192.0.0.8/", "IETF protocol assignments, 192.0.0.0/24"],
    ["https://192.0.2.1/", "documentation, 192.0.2.0/24"],
    ["https://192.88.99.1/", "6to4 relay anycast, 192.88.99.0/24"],
    ["https://192.168.1.1/", "private, 192.168.0.0/16"],
    ["https://198.18.0.1/", "benchmarking, 198.18.0.0/15"],
    ["https://198.19.255.254/", "198.18.0.0/15"],
    ["https://198.51.100.7/", "documentation, 198.51.100.0/24"],
    ["https://203.0.113.7/", "documentation, 203.0.113.0/24"],
    ["https://224.0.0.1/", "multicast, 224.0.0.0/4"],
    ["https://239.255.255.250/", "multicast, 224.0.0.0/4"],
    ["https://240.0.0.1/", "reserved, broadcast, 240.0.0.0/4"],
    ["https://255.255.255.255/", "reserved, broadcast, 240.0.0.0/4"],
    ["https://[::]/", "unspecified, ::/128"],
    ["https://[::1]/", "loopback, ::1/128"],
    ["https://[::7f00:1]/", "IPv4-compatible (deprecated), ::/96"],
    ["https://[::8.8.8.8]/", "IPv4-compatible (deprecated), ::/96"],
    ["https://[::ffff:127.0.0.1]/", "loopback, 127.0.0.0/8"],
    ["https://[::ffff:a9fe:a9fe]/", "link-local, cloud metadata, 169.254.0.0/16"],
    ["https://[0:0:0:0:0:ffff:10.0.0.1]/", "private, 10.0.0.0/8"],
    ["https://[64:ff9b::7f00:1]/", "NAT64, 64:ff9b::/96"],
    ["https://[64:ff9b::808:808]/", "NAT64, 64:ff9b::/96"],
    ["https://[64:ff9b:1::a00:1]/", "local-use NAT64, 64:ff9b:1::/48"],
    ["https://[100::1]/", "discard-only, 100::/64"],
    ["https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "Teredo, 2001::/32"],
    ["https://[2001:2::1]/", "benchmarking, 2001:2::/48"],
    ["https://[2001:10::1]/", "ORCHID, 2001:10::/28"],
    ["https://[2001:20::1]/", "ORCHIDv2, 2001:20::/28"],
    ["https://[2001:db8::1]/", "documentation, 2001:db8::/32"],
    ["https://[2002:7f00:1::1]/", "6to4, 2002::/16"],
    ["https://[2002:808:808::1]/", "6to4, 2002::/16"],
    ["https://[3fff::1]/", "documentation, 3fff::/20"],
    ["https://[fd00::1]/", "unique local, fc00::/7"],
    ["https://[fc00::1]/", "unique local, fc00::/7"],
    ["https://[fe80::1]/", "link-local, fe80::/10"],
    ["https://[febf::1]/", "link-local, fe80::/10"],
    ["https://[fec0::1]/", "site-local (deprecated), fec0::/10"],
    ["https://[ff02::1]/", "multicast, ff00::/8"],
    ["https://[::ffff:0:808:808]/", "not global unicast"],
    ["https://[5f00::1]/", "not global unicast"],
    ["https://[100:0:0:1::1]/", "not global unicast"],
  ])("refuses %s as %s", (url, what) => {
    const r = checkProxyUrl(url);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(what);
  });

  it.each(["https://8.8.8.8/", "https://1.1.1.1/", "https://100.63.255.255/", "https://100.128.0.1/", "https://172.15.255.255/", "https://172.32.0.1/", "https://198.17.255.255/", "https://198.20.0.1/", "https://[2606:4700:4700::1111]/", "https://[2a00:1450:4001:80b::200e]/", "https://[::ffff:8.8.8.8]/", "https://[2003::1]/", "https://[2001:4860:4860::8888]/"])(
    "accepts the public address %s",
    (url) => {
      expect(checkProxyUrl(url).ok).toBe(true);
    },
  );

  it("checks addresses only of the family given", () => {
    expect(nonPublicAddress("8.8.8.8", "ipv4")).toBeUndefined();
    expect(nonPublicAddress("8.8.8.8", "ipv6")).toBe("not a valid address");
    expect(nonPublicAddress("not-an-address", "ipv4")).toBe("not a valid address");
  });

  it("refuses plain http:// targets unless allowed, saying how to allow them", () => {
    const r = checkProxyUrl("http://api.example.com/v1/items");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/unencrypted.*https:\/\/.*--allow-http-proxy-targets \(CONNECT_MCP_ALLOW_HTTP_PROXY_TARGETS=true\)/);
    expect(checkProxyUrl("http://api.example.com/v1/items", undefined, { allowHttp: true })).toEqual({ ok: true, relative: false, host: "api.example.com", url: "http://api.example.com/v1/items" });
    // Allowing http never lets a private address through.
    expect(checkProxyUrl("http://10.0.0.1/", undefined, { allowHttp: true }).ok).toBe(false);
    expect(checkProxyUrl("http://localhost/", undefined, { allowHttp: true }).ok).toBe(false);
  });

  it("accepts public https URLs and merges the query without a second '?'", () => {
    const r = checkProxyUrl("https://api.example.com/v1/items?x=1#frag", { limit: 5, deep: true, q: "a b" });
    expect(r).toEqual({ ok: true, relative: false, host: "api.example.com", url: "https://api.example.com/v1/items?x=1&limit=5&deep=true&q=a+b" });
  });

  it("accepts public IP literals and trailing-dot names only when public", () => {
    expect(checkProxyUrl("https://8.8.8.8/").ok).toBe(true);
    expect(checkProxyUrl("https://localhost./").ok).toBe(false);
    expect(checkProxyUrl("https://api.example.com./").ok).toBe(true);
  });

  it("keeps relative paths relative (for per-account domains)", () => {
    expect(checkProxyUrl("/api/v2/tickets.json", { page: 2 })).toEqual({ ok: true, relative: true, url: "/api/v2/tickets.json?page=2" });
  });
});
