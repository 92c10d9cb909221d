import { describe, expect, it } from "vitest";
import { CONNECTED_APPS_TTL_MS, ConnectedApps } from "../../src/core/connected-apps.js";
import type { ConnectedAccount } from "../../src/providers/provider.js";

const account = (app: string, healthy = true, dead = false) =>
  ({ id: `apn_${app}`, provider: "pipedream", name: app, app: { slug: app, name: app }, healthy, dead }) as ConnectedAccount;

describe("ConnectedApps", () => {
  it("asks once per TTL, counts only usable accounts, and asks again after forget()", async () => {
    let now = 1_000;
    const hint = new ConnectedApps(CONNECTED_APPS_TTL_MS, () => now);
    let asked = 0;
    const list = async () => (asked++, [account("slack"), account("notion", false), account("github", true, true)]);
    expect([...(await hint.of("u1", list))]).toEqual(["slack"]);
    now += CONNECTED_APPS_TTL_MS - 1;
    await hint.of("u1", list);
    expect(asked).toBe(1);
    now += 1;
    await hint.of("u1", list);
    expect(asked).toBe(2);
    hint.forget("u1");
    await hint.of("u1", list);
    expect(asked).toBe(3);
    // Another user is asked for separately; a full listing from elsewhere is remembered.
    hint.remember("u2", [account("hubspot")]);
    expect([...(await hint.of("u2", list))]).toEqual(["hubspot"]);
    expect(asked).toBe(3);
  });

  it("a failed listing is not remembered", async () => {
    const hint = new ConnectedApps();
    await expect(hint.of("u1", async () => Promise.reject(new Error("upstream down")))).rejects.toThrow("upstream down");
    expect([...(await hint.of("u1", async () => [account("slack")]))]).toEqual(["slack"]);
  });
});
