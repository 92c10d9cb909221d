import { describe, expect, it } from "vitest";
import { SingleFlightTokenProvider } from "../../src/providers/pipedream/token-provider.js";

describe("SingleFlightTokenProvider", () => {
  it("shares one in-flight fetch between concurrent callers and caches the token", async () => {
    let fetches = 0;
    const p = new SingleFlightTokenProvider(async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 10));
      return { accessToken: `t${fetches}`, expiresInSeconds: 3600 };
    });
    expect(await Promise.all([p.getToken(), p.getToken(), p.getToken()])).toEqual(["t1", "t1", "t1"]);
    expect(await p.getToken()).toBe("t1");
    expect(fetches).toBe(1);
  });

  it("refreshes before expiry and after invalidation, once", async () => {
    let now = 0;
    let fetches = 0;
    const p = new SingleFlightTokenProvider(async () => ({ accessToken: `t${++fetches}`, expiresInSeconds: 3600 }), () => now);
    expect(await p.getToken()).toBe("t1");
    now = (3600 - 119) * 1000; // inside the 2-minute safety margin
    expect(await p.getToken()).toBe("t2");
    p.invalidate("t2");
    p.invalidate("t2");
    expect(await Promise.all([p.getToken(), p.getToken()])).toEqual(["t3", "t3"]);
    p.invalidate("t1"); // a stale token does not evict the current one
    expect(await p.getToken()).toBe("t3");
  });

  it("never caches a failed fetch", async () => {
    let fail = true;
    const p = new SingleFlightTokenProvider(async () => {
      if (fail) throw new Error("401");
      return { accessToken: "ok", expiresInSeconds: 60 };
    });
    await expect(p.getToken()).rejects.toThrow("401");
    fail = false;
    expect(await p.getToken()).toBe("ok");
  });

  it("replaces a token Connect accepted before at once, however recently it refreshed", async () => {
    let fetches = 0;
    const p = new SingleFlightTokenProvider(async () => ({ accessToken: `t${++fetches}`, expiresInSeconds: 3600 }), () => 0, 30_000);
    for (let i = 1; i <= 3; i++) {
      const t = await p.getToken();
      p.accepted(t);
      expect(p.invalidate(t)).toBe(true); // revoked after working: refresh now
    }
    expect(await p.getToken()).toBe("t4");
  });

  it("forces at most one refresh per interval while Connect rejects every new token", async () => {
    let now = 0;
    let fetches = 0;
    const p = new SingleFlightTokenProvider(async () => ({ accessToken: `t${++fetches}`, expiresInSeconds: 3600 }), () => now, 30_000);
    expect(p.invalidate(await p.getToken())).toBe(true); // the first forced refresh is allowed
    const t2 = await p.getToken();
    expect(t2).toBe("t2");
    // t2 was never accepted: a flood of 401s on it refreshes nothing and keeps it.
    for (let i = 0; i < 10; i++) expect(p.invalidate(t2)).toBe(false);
    expect(await p.getToken()).toBe("t2");
    now = 30_000;
    expect(p.invalidate(t2)).toBe(true);
    expect(await p.getToken()).toBe("t3");
    expect(fetches).toBe(3);
  });

  it("a caller that saw a 401 on a token already replaced may simply try again", async () => {
    let fetches = 0;
    const p = new SingleFlightTokenProvider(async () => ({ accessToken: `t${++fetches}`, expiresInSeconds: 3600 }), () => 0, 30_000);
    const t1 = await p.getToken();
    expect(p.invalidate(t1)).toBe(true);
    expect(p.invalidate(t1)).toBe(true); // a second caller with the same stale token
    expect(await Promise.all([p.getToken(), p.getToken()])).toEqual(["t2", "t2"]);
    expect(fetches).toBe(2);
  });
});
