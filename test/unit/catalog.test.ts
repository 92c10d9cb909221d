/** Catalog over a fake provider and a real store (SQLite and PostgreSQL): stale-while-revalidate, listing, search, suggestions. */
import { describe, expect, it } from "vitest";
import { Catalog } from "../../src/core/catalog.js";
import { ToolError } from "../../src/core/errors.js";
import { ProviderError, type ActionDefinition, type AppInfo, type ConnectProvider } from "../../src/providers/provider.js";
import { clearCache } from "../../src/store/cache-admin.js";
import { CatalogCache } from "../../src/store/catalog-cache.js";
import { CatalogSyncState } from "../../src/store/catalog-sync.js";
import type { Db } from "../../src/store/db.js";
import { BACKENDS, sqlite, type Backend } from "../support/backends.js";

function action(key: string, name: string, description = ""): ActionDefinition {
  const app = key.split("-")[0]!;
  return { key, name, version: "1", description, props: [{ name: app, type: "app", app }] };
}

const APPS: AppInfo[] = [
  { slug: "slack", name: "Slack", customFieldNames: [], featuredWeight: 5000 },
  { slug: "github", name: "GitHub", customFieldNames: [] },
  { slug: "google_sheets", name: "Google Sheets", customFieldNames: [] },
];

/** A provider over an in-memory catalog, counting calls; `gate` can hold whole-catalog listings. */
class FakeProvider {
  actions: ActionDefinition[] = [
    action("slack-send-message", "Send Message", "Send a message to a channel."),
    action("slack-list-channels", "List Channels", "List all channels."),
    action("github-create-issue", "Create Issue", "Create a new issue in a repository."),
    action("google_sheets-add-single-row", "Add Single Row", "Add a row to a spreadsheet."),
  ];
  calls: string[] = [];
  gate: Promise<void> | undefined;
  failRetrieve = false;

  provider(): ConnectProvider {
    const notUsed = async (): Promise<never> => {
      throw new Error("not used");
    };
    return {
      checkCredentials: notUsed,
      listAccounts: notUsed,
      configureProp: notUsed,
      reloadProps: notUsed,
      runAction: notUsed,
      proxy: notUsed,
      createConnectLink: notUsed,
      getAccount: notUsed,
      deleteAccount: notUsed,
      ownerOf: (ref) => ("actionKey" in ref && /^[a-z0-9_]+-[a-z0-9_-]+$/i.test(ref.actionKey) ? "pipedream" : undefined),
      getApp: async (slug) => {
        this.calls.push(`getApp ${slug}`);
        const app = APPS.find((a) => a.slug === slug);
        if (!app) throw new ProviderError("not_found", "no such app");
        return app;
      },
      listApps: async ({ query, after }) => {
        this.calls.push(`listApps ${query ?? ""}`);
        const found = query ? APPS.filter((a) => a.slug.includes(query) || a.name.toLowerCase().includes(query)) : APPS;
        return after ? { apps: [] } : { apps: found };
      },
      getAction: async (key) => {
        this.calls.push(`getAction ${key}`);
        if (this.failRetrieve) throw new ProviderError("upstream", "Connect failed (HTTP 502)");
        const a = this.actions.find((x) => x.key === key);
        if (!a) throw new ProviderError("not_found", "no such action");
        return structuredClone(a);
      },
      listActions: async ({ app, query, limit, after }) => {
        this.calls.push(query ? `search ${app ?? "*"} ${query}` : `list ${app ?? "*"}${after ? ` after ${after}` : ""}`);
        if (!app && !query && this.gate) await this.gate;
        let list = this.actions.filter((a) => !app || a.key.startsWith(`${app}-`));
        if (query) list = list.filter((a) => a.name.toLowerCase().includes(query.toLowerCase()));
        const start = after ? Number(after) : 0;
        const page = list.slice(start, start + Math.min(limit, 2)); // small pages, to exercise paging
        return { actions: structuredClone(page), ...(start + 2 < list.length ? { nextCursor: String(start + 2) } : {}) };
      },
    };
  }
}

async function setup(backend: Backend, options: { ttlSeconds?: number; coldWaitMs?: number; db?: Db } = {}) {
  const fake = new FakeProvider();
  const clock = { now: 1_000_000 };
  const db = options.db ?? (await backend.fresh());
  const ttl = (options.ttlSeconds ?? 3600) * 1000;
  const cache = new CatalogCache(db, "scope", ttl, () => clock.now);
  const catalog = new Catalog(fake.provider(), cache, new CatalogSyncState(db, "scope", ttl > 0), { coldWaitMs: options.coldWaitMs ?? 1000, now: () => clock.now });
  return { fake, clock, db, catalog };
}

describe.each(BACKENDS)("Catalog on $name", (backend) => {
  it("describes a cached action without an upstream call; a stale one is served at once and refreshed in the background", async () => {
    const { fake, clock, catalog } = await setup(backend);
    await catalog.getAction("slack-send-message");
    await catalog.getAction("slack-send-message");
    expect(fake.calls.filter((c) => c.startsWith("getAction"))).toEqual(["getAction slack-send-message"]);

    fake.actions[0] = action("slack-send-message", "Send Message v2");
    clock.now += 3600_000;
    const stale = await catalog.getAction("slack-send-message");
    expect(stale.name).toBe("Send Message"); // served from the cache...
    await catalog.idle();
    expect(fake.calls.filter((c) => c.startsWith("getAction"))).toHaveLength(2); // ...refreshed behind it
    expect((await catalog.getAction("slack-send-message")).name).toBe("Send Message v2");
    expect(fake.calls.filter((c) => c.startsWith("getAction"))).toHaveLength(2);
  });

  it("backs off a minute after a failed background refresh", async () => {
    const { fake, clock, catalog } = await setup(backend);
    await catalog.getAction("slack-send-message");
    clock.now += 3600_000;
    fake.failRetrieve = true;
    await catalog.getAction("slack-send-message");
    await catalog.idle();
    await catalog.getAction("slack-send-message");
    await catalog.idle();
    expect(fake.calls.filter((c) => c.startsWith("getAction"))).toHaveLength(2);
    clock.now += 61_000;
    fake.failRetrieve = false;
    await catalog.getAction("slack-send-message");
    await catalog.idle();
    expect(fake.calls.filter((c) => c.startsWith("getAction"))).toHaveLength(3);
  });

  it("lists the whole catalog once, then searches locally", async () => {
    const { fake, catalog } = await setup(backend);
    const first = await catalog.listActions({ query: "post a message", limit: 5 });
    expect(first.actions[0]!.key).toBe("slack-send-message");
    expect(first.apps?.[0]?.slug).toBe("slack");
    expect(fake.calls.filter((c) => c.startsWith("list *"))).toEqual(["list *", "list * after 2"]); // paged
    fake.calls = [];
    const second = await catalog.listActions({ query: "new github issue", limit: 5 });
    expect(second.actions[0]!.key).toBe("github-create-issue");
    expect(fake.calls).toEqual([]);
  });

  it("does not make a caller wait for a slow first listing: Connect's own search fills in", async () => {
    const { fake, catalog } = await setup(backend, { coldWaitMs: 30 });
    let release!: () => void;
    fake.gate = new Promise((r) => (release = r));
    const started = Date.now();
    const r = await catalog.listActions({ query: "issue", limit: 5 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.actions.map((a) => a.key)).toEqual(["github-create-issue"]);
    expect(fake.calls).toContain("search * issue");
    release();
    await catalog.idle();
    fake.calls = [];
    const later = await catalog.listActions({ query: "spreadsheet row", limit: 5 });
    expect(later.actions[0]!.key).toBe("google_sheets-add-single-row");
    expect(fake.calls.filter((c) => c.startsWith("list") || c.startsWith("search"))).toEqual([]);
  });

  it("lists one app's actions on first use, sorted by name, and pages them", async () => {
    const { fake, catalog } = await setup(backend);
    const page1 = await catalog.listActions({ app: "slack", limit: 1 });
    expect(page1.actions.map((a) => a.key)).toEqual(["slack-list-channels"]);
    expect(page1.nextOffset).toBe(1);
    const page2 = await catalog.listActions({ app: "slack", limit: 1, offset: 1 });
    expect(page2.actions.map((a) => a.key)).toEqual(["slack-send-message"]);
    expect(page2.nextOffset).toBeUndefined();
    expect(fake.calls.filter((c) => c.startsWith("list slack"))).toEqual(["list slack"]);
  });

  it("drops actions a complete listing no longer has", async () => {
    const { fake, clock, catalog } = await setup(backend);
    await catalog.listActions({ query: "channels", limit: 5 });
    fake.actions = fake.actions.filter((a) => a.key !== "slack-list-channels");
    clock.now += 3600_000;
    await catalog.listActions({ query: "channels", limit: 5 }); // stale: answered, refreshed behind
    await catalog.idle();
    const r = await catalog.listActions({ query: "list channels", limit: 5 });
    expect(r.actions.map((a) => a.key)).not.toContain("slack-list-channels");
    await expect(catalog.getAction("slack-list-channels")).rejects.toThrow(/Unknown action/);
  });

  it("suggests the closest apps for an unknown slug", async () => {
    const { catalog } = await setup(backend);
    const err = await catalog.getApp("slak").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).message).toMatch(/Unknown app "slak"\. Did you mean "slack" \(Slack\)\?/);
    expect((err as ToolError).detail).toEqual({ suggestions: [{ slug: "slack", name: "Slack" }] });
    await expect(catalog.getApp("Google Sheets")).rejects.toThrow(/not an app slug.*Did you mean "google_sheets"/);
  });

  it("with a TTL of 0 caches nothing and still ranks and suggests", async () => {
    const { fake, db, catalog } = await setup(backend, { ttlSeconds: 0 });
    const r = await catalog.listActions({ app: "slack", query: "send", limit: 5 });
    expect(r.actions[0]!.key).toBe("slack-send-message");
    await catalog.getAction("slack-send-message");
    await catalog.getAction("slack-send-message");
    expect(fake.calls.filter((c) => c.startsWith("getAction"))).toHaveLength(2);
    expect(await db.get("SELECT COUNT(*) AS n FROM catalog_actions")).toEqual({ n: 0 });
    await expect(catalog.getApp("githb")).rejects.toThrow(/Did you mean "github"/);
  });

  it("picks up what another process added to the cache without rebuilding its index", async () => {
    const shared = await backend.shared();
    const a = await setup(backend, { db: await shared.open() });
    const debug: Array<Record<string, unknown>> = [];
    const logger = { debug: (o: Record<string, unknown>) => debug.push(o), warn: () => undefined } as never;
    const dbB = await shared.open();
    const cacheB = new CatalogCache(dbB, "scope", 3600_000, () => a.clock.now);
    const b = new Catalog(a.fake.provider(), cacheB, new CatalogSyncState(dbB, "scope", true), { now: () => a.clock.now, logger });
    await a.catalog.listActions({ query: "issue", limit: 5 });
    expect((await b.listActions({ query: "issue", limit: 5 })).actions[0]!.key).toBe("github-create-issue");
    a.fake.actions.push(action("github-close-issue", "Close Issue", "Close an issue."));
    a.clock.now += 10_000;
    await a.catalog.getAction("github-close-issue"); // process A caches a new action
    a.fake.calls = [];
    const r = await b.listActions({ query: "close issue", limit: 5 });
    expect(r.actions[0]!.key).toBe("github-close-issue");
    expect(a.fake.calls).toEqual([]); // B read it from the shared cache
    // One full load, then only increments (on PostgreSQL this replica's own writes count as changes too).
    const loads = debug.filter((d) => "incremental" in d).map((d) => d.incremental);
    expect(loads[0]).toBe(false);
    expect(loads.slice(1)).toEqual(loads.slice(1).map(() => true));
    expect(loads.length).toBeGreaterThan(1);
  });

  it("reloads its index when another process clears the cache", async () => {
    const shared = await backend.shared();
    const { fake, catalog } = await setup(backend, { db: await shared.open() });
    await catalog.listActions({ query: "issue", limit: 5 });
    await clearCache(await shared.open());
    fake.calls = [];
    const r = await catalog.listActions({ query: "issue", limit: 5 });
    expect(r.actions[0]!.key).toBe("github-create-issue");
    expect(fake.calls).toContain("list *"); // listed again
  });
});

describe("Catalog with several providers", () => {
  it("an app listed by two providers keeps both in its cached record (the app directory arrives provider by provider)", async () => {
    const fake = new FakeProvider();
    const provider = fake.provider();
    provider.listApps = async ({ after }) =>
      after
        ? { apps: [{ slug: "github", name: "GitHub", customFieldNames: [], providers: ["composio"] }, { slug: "notion", name: "Notion", customFieldNames: [], providers: ["composio"] }] }
        : { apps: [{ slug: "github", name: "GitHub", customFieldNames: [], providers: ["pipedream"] }], nextCursor: "page-2" };
    const db = await sqlite.fresh();
    const cache = new CatalogCache(db, "scope", 3600_000);
    const catalog = new Catalog(provider, cache, new CatalogSyncState(db, "scope", true), { coldWaitMs: 1000 });
    await catalog.suggestApps("githb");
    await catalog.idle();
    expect((await catalog.getApp("github")).providers).toEqual(["pipedream", "composio"]);
    expect((await catalog.getApp("notion")).providers).toEqual(["composio"]);
  });
});
