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
});
