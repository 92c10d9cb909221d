import { describe, expect, it } from "vitest";
import { checkProxyUrl } from "../../src/core/url-guard.js";

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
