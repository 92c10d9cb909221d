/** Connect Link caching and account choice, over a fake provider and a real store (SQLite and PostgreSQL). */
import { describe, expect, it } from "vitest";
import { resolveAccount } from "../../src/core/accounts.js";
import { ConnectLinks, ConnectRequiredError, REUSE_MARGIN_MS, retiringUsedLinks } from "../../src/core/connect.js";
import { ToolError } from "../../src/core/errors.js";
import type { ConnectedAccount, ConnectProvider } from "../../src/providers/provider.js";
import { ConnectLinkStore } from "../../src/store/connect-links.js";
import { BACKENDS } from "../support/backends.js";

const HOUR = 3600_000;

function account(id: string, app: string, extra: Partial<ConnectedAccount> = {}): ConnectedAccount {
  return { id, provider: "pipedream", name: id, app: { slug: app, name: app, customFieldNames: [] }, healthy: true, dead: false, ...extra };
}

function fakeProvider(clock: { now: number }, accounts: ConnectedAccount[] = []) {
  const created: Array<{ user: string; options: unknown }> = [];
  let n = 0;
  const provider = {
    createConnectLink: async (user: string, app: string, options?: Record<string, unknown>) => {
      const { accounts: _accounts, ...settings } = options ?? {};
      created.push({ user, options: settings });
      await new Promise((r) => setTimeout(r, 5));
      n++;
      return { url: `https://pipedream.com/_static/connect.html?token=ctok_${n}&connectLink=true&app=${app}`, expiresAt: new Date(clock.now + 4 * HOUR).toISOString(), provider: "pipedream" };
    },
    listAccounts: async (_user: string, filter?: { app?: string }) => accounts.filter((a) => !filter?.app || a.app.slug === filter.app),
  } as unknown as ConnectProvider;
  return { provider, created };
}

describe.each(BACKENDS)("ConnectLinks on $name", (backend) => {
  const store = async () => new ConnectLinkStore(await backend.fresh(), "scope");

  it("deep-links the app and reuses the link per user and app until shortly before it expires", async () => {
    const clock = { now: Date.parse("2026-03-01T10:00:00Z") };
    const { provider, created } = fakeProvider(clock);
    const links = new ConnectLinks(provider, await store(), {}, () => clock.now);
    const first = await links.linkFor("u1", "google_sheets", []);
    expect(first).toEqual({
      app: "google_sheets",
      url: "https://pipedream.com/_static/connect.html?token=ctok_1&connectLink=true&app=google_sheets",
      expires_at: "2026-03-01T14:00:00.000Z",
    });
    expect(await links.linkFor("u1", "google_sheets", [])).toEqual(first);
    expect((await links.linkFor("u2", "google_sheets", [])).url).toContain("ctok_2");
    expect((await links.linkFor("u1", "slack", [])).url).toContain("ctok_3&connectLink=true&app=slack");
    expect(created).toHaveLength(3);

    clock.now += 4 * HOUR - REUSE_MARGIN_MS + 1; // too close to expiry to hand out
    expect((await links.linkFor("u1", "google_sheets", [])).url).toContain("ctok_4");
  });

  it("mints one token when a concurrent asker's store read comes back after the first link was stored", async () => {
    const clock = { now: Date.now() };
    const { provider, created } = fakeProvider(clock);
    const real = await store();
    // The second read starts with the first but answers only once the first link is stored (a
    // slow round trip to PostgreSQL), with what the store held when it started: nothing.
    let reads = 0;
    let stored!: () => void;
    const firstStored = new Promise<void>((resolve) => (stored = resolve));
    const slowStore = Object.create(real) as ConnectLinkStore;
    slowStore.get = async (user, app) => {
      const before = await real.get(user, app);
      if (++reads === 2) {
        await firstStored;
        // …and after the first asker has finished altogether.
        await new Promise((r) => setTimeout(r, 20));
      }
      return before;
    };
    slowStore.put = async (...args) => {
      await real.put(...args);
      stored();
    };
    const links = new ConnectLinks(provider, slowStore, {}, () => clock.now);
    const all = await Promise.all([links.linkFor("u1", "notion", []), links.linkFor("u1", "notion", [])]);
    expect(new Set(all.map((l) => l.url)).size).toBe(1);
    expect(created).toHaveLength(1);
  });

  it("mints one token for concurrent askers", async () => {
    const clock = { now: Date.now() };
    const { provider, created } = fakeProvider(clock);
    const links = new ConnectLinks(provider, await store(), {}, () => clock.now);
    const all = await Promise.all([1, 2, 3].map(() => links.linkFor("u1", "notion", [])));
    expect(new Set(all.map((l) => l.url)).size).toBe(1);
    expect(created).toHaveLength(1);
  });

  it("passes redirect URIs and webhook through, and a settings change means a new link", async () => {
    const clock = { now: Date.now() };
    const { provider, created } = fakeProvider(clock);
    const s = await store();
    const settings = { successRedirectUri: "https://app.example/ok", errorRedirectUri: "https://app.example/err", webhookUri: "https://app.example/hook" };
    await new ConnectLinks(provider, s, settings, () => clock.now).linkFor("u1", "notion", []);
    expect(created[0]).toEqual({ user: "u1", options: settings });
    await new ConnectLinks(provider, s, settings, () => clock.now).linkFor("u1", "notion", []);
    expect(created).toHaveLength(1);
    await new ConnectLinks(provider, s, { ...settings, webhookUri: "https://app.example/other" }, () => clock.now).linkFor("u1", "notion", []);
    expect(created).toHaveLength(2);
  });

  it("treats a link as used once an account appears that it did not know, or a usable one is seen", async () => {
    const clock = { now: Date.now() };
    const dead = account("apn_dead", "gmail", { healthy: false, dead: true });
    const { provider, created } = fakeProvider(clock, [dead]);
    const s = await store();
    const links = new ConnectLinks(provider, s, {}, () => clock.now);
    await links.linkFor("u1", "gmail", [dead]);
    await links.linkFor("u1", "gmail", [dead]);
    expect(created).toHaveLength(1);
    // The user reconnected, and the new account is unhealthy straight away: a new link.
    await links.linkFor("u1", "gmail", [dead, account("apn_new", "gmail", { healthy: false })]);
    expect(created).toHaveLength(2);

    const watching = retiringUsedLinks(fakeProvider(clock, [account("apn_ok", "gmail")]).provider, s);
    await watching.listAccounts("u1", { app: "gmail" });
    expect(await s.get("u1", "gmail")).toBeUndefined();
    expect(await s.clear()).toBe(0);
  });
});

describe("resolveAccount", () => {
  const accounts = [
    account("apn_work", "github"),
    account("apn_personal", "github"),
    account("apn_dead", "gmail", { healthy: false, dead: true, error: "invalid_grant" }),
    account("apn_sick", "zoom", { healthy: false }),
  ];
  const { provider } = fakeProvider({ now: Date.now() }, accounts);

  it("lists the choices when an app has several healthy accounts; account_id picks one", async () => {
    const err = await resolveAccount(provider, "u1", { app: "github" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect(err).not.toBeInstanceOf(ConnectRequiredError);
    expect((err as ToolError).message).toContain('apn_work ("apn_work"), apn_personal ("apn_personal")');
    expect((err as ToolError).detail).toMatchObject({ choices: [{ id: "apn_work" }, { id: "apn_personal" }] });
    expect((await resolveAccount(provider, "u1", { accountId: "apn_personal" })).id).toBe("apn_personal");
  });

  it("needs a connection for no account, only dead or unhealthy ones, or a dead account_id", async () => {
    for (const want of [{ app: "notion" }, { app: "gmail" }, { app: "zoom" }, { accountId: "apn_dead" }]) {
      const err = await resolveAccount(provider, "u1", want).catch((e: unknown) => e);
      expect(err, JSON.stringify(want)).toBeInstanceOf(ConnectRequiredError);
    }
    // Still a ToolError: callers that fall back from an unusable remembered account keep working.
    expect(await resolveAccount(provider, "u1", { accountId: "apn_dead" }).catch((e: unknown) => e)).toBeInstanceOf(ToolError);
    const dead = (await resolveAccount(provider, "u1", { app: "gmail" }).catch((e: unknown) => e)) as ConnectRequiredError;
    expect(dead.app).toBe("gmail");
    expect(dead.accounts.map((a) => a.id)).toEqual(["apn_dead"]);
  });

  it("refuses an account id that is not this user's", async () => {
    await expect(resolveAccount(provider, "u1", { accountId: "apn_someone_else" })).rejects.toThrow(/is not one of this user's connected accounts/);
  });
});

describe.each(BACKENDS)("retiring used links without a store write per call, on $name", (backend) => {
  it("deletes a (user, app)'s link once while its account stays usable, and again after this process stores a new one", async () => {
    const links = new ConnectLinkStore(await backend.fresh(), "scope");
    const deletes: string[] = [];
    const realDelete = links.delete.bind(links);
    links.delete = (user: string, app: string) => {
      deletes.push(`${user}/${app}`);
      return realDelete(user, app);
    };
    const clock = { now: Date.now() };
    const accounts: ConnectedAccount[] = [];
    const { provider } = fakeProvider(clock, accounts);
    const retiring = retiringUsedLinks(provider, links);
    const connect = new ConnectLinks(retiring, links, {}, () => clock.now);

    // No usable slack account: a link is made and stored.
    const first = await connect.linkFor("u1", "slack", []);
    // The user connects: every list_accounts sees it, the link is retired only the first time.
    accounts.push(account("apn_1", "slack"));
    for (let i = 0; i < 5; i++) await retiring.listAccounts("u1");
    expect(deletes).toEqual(["u1/slack"]);
    expect(await links.get("u1", "slack")).toBeUndefined();

    // The account is deleted; a new link is stored — and must be retired once the user connects again.
    accounts.splice(0);
    const second = await connect.linkFor("u1", "slack", []);
    expect(second.url).not.toBe(first.url);
    accounts.push(account("apn_2", "slack"));
    await retiring.listAccounts("u1");
    expect(deletes).toEqual(["u1/slack", "u1/slack"]);
    expect(await links.get("u1", "slack")).toBeUndefined();
  });
});
