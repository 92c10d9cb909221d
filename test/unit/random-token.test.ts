import { describe, expect, it } from "vitest";
import { randomToken } from "../../src/store/random-token.js";

describe("randomToken", () => {
  it("gives base64url tokens of the asked size, all different, across pool refills", () => {
    const seen = new Set<string>();
    // 16-byte tokens: 256 per 4 KiB pool, so this crosses about twenty refills (and a 24-byte one mid-pool).
    for (let i = 0; i < 5000; i++) {
      const t = randomToken(i % 7 === 0 ? 24 : 16);
      expect(t).toMatch(i % 7 === 0 ? /^[A-Za-z0-9_-]{32}$/ : /^[A-Za-z0-9_-]{22}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(5000);
    expect(randomToken(5000)).toMatch(/^[A-Za-z0-9_-]{6667}$/);
  });
});
