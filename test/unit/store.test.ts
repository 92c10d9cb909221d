/** The store seam itself on both backends: migrations (once, also when replicas start together), the same schema, cache admin. */
import { describe, expect, it } from "vitest";
import { cacheStats, clearCache } from "../../src/store/cache-admin.js";
import { CatalogCache } from "../../src/store/catalog-cache.js";
import { CatalogSyncState } from "../../src/store/catalog-sync.js";
import { openDb, openSqlite, SCHEMA_VERSION, type Db } from "../../src/store/db.js";
import { PG_MIGRATIONS } from "../../src/store/postgres-migrations.js";
import { BACKENDS, freshSchemaUrl, postgres, sqlite } from "../support/backends.js";

async function columns(db: Db): Promise<Record<string, string[]>> {
  const rows =
    db.dialect === "sqlite"
      ? await db.all<{ t: string; c: string }>("SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY t, c")
      : await db.all<{ t: string; c: string }>("SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY t, c");
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.t] ??= []).push(r.c);
  for (const t of Object.keys(out)) out[t]!.sort();
  return out;
}

describe("store schema", () => {
  it("is the same tables and columns on SQLite and PostgreSQL, at the same version", async () => {
    const [a, b] = [await sqlite.fresh(), await postgres.fresh()];
    expect(await columns(b)).toEqual(await columns(a));
    const versions = async (db: Db) => (await db.all<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version")).map((r) => r.version);
    expect(await versions(b)).toEqual(await versions(a));
    expect(Math.max(...PG_MIGRATIONS.map((m) => m.version))).toBe(SCHEMA_VERSION);
  });

  it("PostgreSQL: replicas starting together migrate once, under the advisory lock", async () => {
    const url = await freshSchemaUrl();
    const dbs = await Promise.all([1, 2, 3, 4].map(() => openDb({ db: ":memory:", databaseUrl: url })));
    try {
      const rows = await dbs[0]!.all<{ version: number; n: number }>("SELECT version, COUNT(*) AS n FROM schema_migrations GROUP BY version ORDER BY version");
      expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
      expect(rows.every((r) => r.n === 1)).toBe(true);
      for (const db of dbs) await db.ping();
    } finally {
      for (const db of dbs) await db.close();
    }
  });

  it("PostgreSQL: a schema newer than this build is refused", async () => {
    const url = await freshSchemaUrl();
    const db = await openDb({ db: ":memory:", databaseUrl: url });
    await db.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [999, "from the future", "now"]);
    await db.close();
    await expect(openDb({ db: ":memory:", databaseUrl: url })).rejects.toThrow(/schema version 999 is newer/);
  });

  it("PostgreSQL: an unreachable server is a clear error", async () => {
    await expect(openDb({ db: ":memory:", databaseUrl: "postgres://nobody@127.0.0.1:1/none" })).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});

describe.each(BACKENDS)("cache admin on $name", (backend) => {
  it("counts and clears the cache per scope, links included", async () => {
    const db = await backend.fresh();
    const cache = new CatalogCache(db, "s1", 3600_000, () => 5_000);
    const action = { key: "slack-send", name: "Send", description: "", version: "1", props: [] } as never;
    await cache.putActions([action]);
    await cache.putApps([{ slug: "slack", name: "Slack", customFieldNames: [] }]);
    await new CatalogSyncState(db, "s1", true).markSynced("actions", 4_000);
    expect(await cache.counts()).toEqual({ actions: 1, apps: 1 });
    expect(await cache.deleteActionsFetchedBefore(4_000)).toEqual([]);
    const stats = await cacheStats(db, 6_000);
    expect(stats).toEqual([{ scope: "s1", actions: 1, apps: 1, oldestFetchedAt: 5_000, newestFetchedAt: 5_000, listings: [{ what: "actions", syncedAt: 4_000 }], connectLinks: 0 }]);
    const before = await db.catalogVersion();
    expect(await clearCache(db)).toEqual({ actions: 1, apps: 1, listings: 1, connectLinks: 0 });
    expect(await cacheStats(db)).toEqual([]);
    if (db.dialect === "postgres") expect(await db.catalogVersion()).not.toBe(before);
  });
});

describe.each(BACKENDS)("parsed action definitions on $name", (backend) => {
  it("are reused only while the row is unchanged, and cannot be changed by a caller", async () => {
    const db = await backend.fresh();
    let now = 5_000;
    const writer = new CatalogCache(db, "s1", 3600_000, () => now);
    const reader = new CatalogCache(db, "s1", 3600_000, () => now);
    await writer.putActions([{ key: "slack-send", name: "Send", description: "old", version: "1", props: [] } as never]);
    const first = await reader.getActionEntry("slack-send");
    expect(first?.value.description).toBe("old");
    expect((await reader.getActionEntry("slack-send"))?.value).toBe(first?.value);
    expect(() => ((first!.value as { description: string }).description = "changed")).toThrow(TypeError);
    // Another process (another CatalogCache on the same database) refreshes the definition.
    now = 6_000;
    await writer.putActions([{ key: "slack-send", name: "Send", description: "new", version: "2", props: [] } as never]);
    expect(await reader.getActionEntry("slack-send")).toMatchObject({ value: { description: "new", version: "2" }, fetchedAt: 6_000 });
    await clearCache(db);
    expect(await reader.getActionEntry("slack-send")).toBeUndefined();
  });

  it("are read several at a time: unchanged ones reused, changed ones parsed again, missing ones absent", async () => {
    const db = await backend.fresh();
    let now = 5_000;
    const writer = new CatalogCache(db, "s1", 3600_000, () => now);
    const reader = new CatalogCache(db, "s1", 3600_000, () => now);
    const action = (key: string, description: string, version = "1") => ({ key, name: key, description, version, props: [] }) as never;
    await writer.putActions([action("a-one", "one"), action("a-two", "two"), action("a-three", "three")]);
    await new CatalogCache(db, "other-scope", 3600_000, () => now).putActions([action("a-four", "elsewhere")]);
    const first = await reader.getActionEntries(["a-one", "a-two", "a-four", "a-missing"]);
    expect([...first.keys()].sort()).toEqual(["a-one", "a-two"]);
    expect(first.get("a-two")).toEqual({ value: expect.objectContaining({ description: "two" }), fetchedAt: 5_000 });
    now = 6_000;
    await writer.putActions([action("a-two", "two, refreshed", "2")]);
    const second = await reader.getActionEntries(["a-one", "a-two", "a-three"]);
    expect(second.get("a-one")!.value).toBe(first.get("a-one")!.value); // the same parsed object
    expect(second.get("a-two")).toEqual({ value: expect.objectContaining({ description: "two, refreshed", version: "2" }), fetchedAt: 6_000 });
    expect(second.get("a-three")!.value.description).toBe("three");
    expect(await reader.getActionEntry("a-two")).toEqual(second.get("a-two")); // one memo for both ways in
  });
});

describe.each(BACKENDS)("parsed action definitions checked at the catalog stamp on $name", (backend) => {
  it("are served without reading their rows while nothing in the catalog changed, here or on another connection", async () => {
    const shared = await backend.shared();
    const [db, otherDb] = [await shared.open(), await shared.open()];
    let now = 5_000;
    const action = (key: string, description: string, version = "1") => ({ key, name: key, description, version, props: [] }) as never;
    const reader = new CatalogCache(db, "s1", 3600_000, () => now);
    await new CatalogCache(db, "s1", 3600_000, () => now).putActions([action("a-one", "one"), action("a-two", "two")]);
    const rowReads: string[] = [];
    for (const method of ["get", "all"] as const) {
      const original = db[method].bind(db) as (sql: string, params?: unknown[]) => Promise<unknown>;
      (db as unknown as Record<string, unknown>)[method] = (sql: string, params?: unknown[]) => {
        if (sql.includes("catalog_actions")) rowReads.push(sql);
        return original(sql, params);
      };
    }
    const readsFor = async (read: () => Promise<unknown>) => {
      rowReads.length = 0;
      await read();
      return rowReads.length;
    };
    const both = () => reader.getActionEntries(["a-one", "a-two"]);
    expect(await readsFor(both)).toBeGreaterThan(0); // parsed once
    expect(await readsFor(both)).toBeGreaterThan(0); // the rows read again, now checked at this stamp
    expect(await readsFor(both)).toBe(0);
    expect(await readsFor(() => reader.getActionEntry("a-one"))).toBe(0);

    // A catalog write through the same connection (another CatalogCache: another scope's sync, say).
    now = 6_000;
    await new CatalogCache(db, "s1", 3600_000, () => now).putActions([action("a-two", "two, refreshed", "2")]);
    expect(await readsFor(both)).toBeGreaterThan(0);
    expect((await reader.getActionEntry("a-two"))?.value.description).toBe("two, refreshed");
    expect(await readsFor(both)).toBe(0);

    // Another connection (another process or replica) changes a definition, then clears the cache.
    now = 7_000;
    await new CatalogCache(otherDb, "s1", 3600_000, () => now).putActions([action("a-one", "one, from elsewhere", "3")]);
    const seen = await reader.getActionEntries(["a-one", "a-two"]);
    expect(seen.get("a-one")).toMatchObject({ value: { description: "one, from elsewhere" }, fetchedAt: 7_000 });
    await clearCache(otherDb);
    expect(await reader.getActionEntry("a-one")).toBeUndefined();
    expect((await reader.getActionEntries(["a-one", "a-two"])).size).toBe(0);
  });
});

describe.each(BACKENDS)("catalog version seen by another connection on $name", (backend) => {
  it("changes after each kind of catalog write, and only then", async () => {
    const shared = await backend.shared();
    const writerDb = await shared.open();
    const readerDb = await shared.open();
    let now = 5_000;
    const cache = new CatalogCache(writerDb, "s1", 3600_000, () => now);
    const seen = [await readerDb.catalogVersion()];
    const changed = async () => {
      const v = await readerDb.catalogVersion();
      const was = seen.at(-1);
      seen.push(v);
      return v !== was;
    };
    expect(await changed()).toBe(false);
    await cache.putActions([{ key: "slack-send", name: "Send", description: "", version: "1", props: [] } as never]);
    expect(await changed()).toBe(true);
    await cache.putApps([{ slug: "slack", name: "Slack", customFieldNames: [] }]);
    expect(await changed()).toBe(true);
    expect(await cache.deleteActionsFetchedBefore(1_000)).toEqual([]);
    expect(await changed()).toBe(false);
    now = 9_000;
    expect(await cache.deleteActionsFetchedBefore(6_000)).toEqual(["slack-send"]);
    expect(await changed()).toBe(true);
    expect(await cache.deleteAppsFetchedBefore(6_000)).toEqual(["slack"]);
    expect(await changed()).toBe(true);
    await clearCache(writerDb);
    expect(await changed()).toBe(true);
  });
});

describe("SQLite commits", () => {
  it("wait for the disk only when a write asks to be durable, and go back to NORMAL after it", async () => {
    const db = await (await sqlite.shared()).open();
    const level = async () => (await db.get<{ synchronous: number }>("PRAGMA synchronous"))!.synchronous;
    expect(await level()).toBe(1); // NORMAL
    await db.run("INSERT INTO catalog_sync (scope, what, synced_at) VALUES (?, ?, ?)", ["s", "a", 1], { durable: true });
    expect(await level()).toBe(1);
    await expect(db.batch([["INSERT INTO catalog_sync (scope, what, synced_at) VALUES (?, ?, ?)", ["s", "a", 2]]], { durable: true })).rejects.toThrow(/UNIQUE/);
    expect(await level()).toBe(1);
    expect(await db.all("SELECT synced_at FROM catalog_sync")).toEqual([{ synced_at: 1 }]);
  });

  const insert = "INSERT INTO catalog_sync (scope, what, synced_at) VALUES (?, ?, ?)";
  const row = (what: string) => ["s", what, 1] as const;
  const seen = async (db: Db, what: string) => (await db.get("SELECT what FROM catalog_sync WHERE what = ?", [what])) !== undefined;

  it("a write-behind is seen at once on its connection, and by others once committed: before a read of its table, with the next write, after the group window, at close", async () => {
    const file = await sqlite.shared();
    const [db, other] = [await file.open(), await file.open()];
    expect(await db.run(insert, [...row("read")], { behind: true })).toBe(1);
    expect(await seen(other, "read")).toBe(false); // not committed yet
    await db.all("SELECT key FROM meta"); // a read of another table leaves it pending
    expect(await seen(other, "read")).toBe(false);
    expect(await seen(db, "read")).toBe(true); // a read of its table on its connection commits it first
    expect(await seen(other, "read")).toBe(true);

    await db.run(insert, [...row("joined")], { behind: true });
    expect(await db.batch([[insert, [...row("next")]]])).toEqual([1]); // the caller's counts only
    expect([await seen(other, "joined"), await seen(other, "next")]).toEqual([true, true]);

    // A commit just happened: the next write-behinds wait for the group window, then go together.
    await db.run(insert, [...row("timer")], { behind: true });
    await db.run(insert, [...row("timer2")], { behind: true });
    expect(await seen(other, "timer")).toBe(false);
    await waitFor(async () => (await seen(other, "timer")) && (await seen(other, "timer2")));

    await db.run(insert, [...row("close")], { behind: true });
    await db.close();
    expect(await seen(other, "close")).toBe(true);
  });

  it("a failing write does not take a write-behind down with it, nor the reverse; a lost write-behind is reported", async () => {
    const failures: Array<[string, number]> = [];
    const db = openSqlite(":memory:", (err, statements) => failures.push([err.message, statements]));
    await db.run(insert, [...row("kept")], { behind: true });
    await expect(db.batch([[insert, [...row("kept")]]])).rejects.toThrow(/UNIQUE/); // the caller's own error
    expect(await seen(db, "kept")).toBe(true);
    expect(failures).toEqual([]);

    await db.run(insert, [...row("kept")], { behind: true }); // cannot be committed
    expect(await db.batch([[insert, [...row("other")]]])).toEqual([1]);
    expect(await seen(db, "other")).toBe(true);
    expect(failures).toEqual([[expect.stringMatching(/UNIQUE/), 1]]);

    await db.run(insert, [...row("kept")], { behind: true });
    await waitFor(async () => failures.length === 2);
    await db.close();
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
