/** Configuration handles in SQLite: atomic run claims, loud saves, unknown outcomes and crash recovery. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigurationNotOpenError, ConfigurationStore, RUN_OWNER } from "../../src/store/configurations.js";
import { openDb, type Db } from "../../src/store/db.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fileDb(): string {
  const dir = mkdtempSync(join(tmpdir(), "connect-mcp-cfg-"));
  dirs.push(dir);
  return join(dir, "state.db");
}

function newHandle(store: ConfigurationStore) {
  return store.create({ externalUserId: "u1", actionKey: "slack-send-message", actionVersion: "1", configuredProps: {}, props: [] });
}

describe("ConfigurationStore", () => {
  it("claims a handle for a run once, also across two connections to one file", () => {
    const path = fileDb();
    const [a, b] = [openDb(path), openDb(path)];
    const storeA = new ConfigurationStore(a, 60_000);
    const storeB = new ConfigurationStore(b, 60_000);
    const cfg = newHandle(storeA);
    const claims = [storeA.claimForRun(cfg.id), storeB.claimForRun(cfg.id), storeA.claimForRun(cfg.id)];
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(storeB.get(cfg.id)).toMatchObject({ status: "running" });
    a.close();
    b.close();
  });

  it("saving a handle that is not open throws instead of answering as if saved", () => {
    const store = new ConfigurationStore(openDb(":memory:"), 60_000);
    const cfg = newHandle(store);
    expect(store.save({ ...cfg, configuredProps: { text: "a" } }).configuredProps).toEqual({ text: "a" });
    expect(store.claimForRun(cfg.id)).toBe(true);
    expect(() => store.save({ ...cfg, configuredProps: { text: "b" } })).toThrow(ConfigurationNotOpenError);
    store.finishRun(cfg.id, "done");
    expect(() => store.save(cfg)).toThrow(/no longer open/);
    expect(store.get(cfg.id)!.configuredProps).toEqual({ text: "a" });
  });

  it("an unknown outcome runs again only when asked to rerun", () => {
    const store = new ConfigurationStore(openDb(":memory:"), 60_000);
    const cfg = newHandle(store);
    store.claimForRun(cfg.id);
    store.finishRun(cfg.id, "unknown");
    expect(store.get(cfg.id)!.status).toBe("unknown");
    expect(store.claimForRun(cfg.id)).toBe(false);
    expect(store.claimForRun(cfg.id, { rerun: true })).toBe(true);
    store.finishRun(cfg.id, "done");
    expect(store.claimForRun(cfg.id, { rerun: true })).toBe(false);
  });

  it("recovers runs whose process is gone, or that ran too long on another host; keeps live ones", () => {
    const db: Db = openDb(":memory:");
    let now = 1_000_000;
    const store = new ConfigurationStore(db, 60_000, () => now);
    const [dead, live, mine, remote, remoteFresh] = [1, 2, 3, 4, 5].map(() => newHandle(store));
    for (const c of [dead, live, mine, remote, remoteFresh]) store.claimForRun(c!.id);
    const host = RUN_OWNER.slice(0, RUN_OWNER.lastIndexOf(":"));
    const owner = db.prepare("UPDATE configurations SET run_owner = ?, updated_at = ? WHERE id = ?");
    owner.run(`${host}:999991`, now, dead!.id);
    owner.run(`${host}:999992`, now, live!.id);
    owner.run(`elsewhere:1`, now - 10_000, remote!.id);
    owner.run(`elsewhere:2`, now, remoteFresh!.id);
    now += 5_000;
    const recovered = store.recoverOrphanedRuns(8_000, (pid) => pid === 999992);
    expect(recovered).toBe(2);
    const status = (id: string) => store.get(id)!.status;
    expect([status(dead!.id), status(live!.id), status(mine!.id), status(remote!.id), status(remoteFresh!.id)]).toEqual(["unknown", "running", "running", "unknown", "running"]);
  });

  it("migration 5 keeps existing handles and accepts the unknown status", () => {
    const db = openDb(":memory:");
    const cols = (db.prepare("PRAGMA table_info(configurations)").all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols).toContain("run_owner");
    const store = new ConfigurationStore(db, 60_000);
    const cfg = newHandle(store);
    store.claimForRun(cfg.id);
    store.finishRun(cfg.id, "unknown");
    expect(store.get(cfg.id)!.status).toBe("unknown");
  });
});
