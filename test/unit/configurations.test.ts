/** Configuration handles in the store (SQLite and PostgreSQL): atomic run claims, loud saves, unknown outcomes and crash recovery. */
import { describe, expect, it } from "vitest";
import { ConfigurationNotOpenError, ConfigurationStore, ConversationDefaults, RUN_OWNER } from "../../src/store/configurations.js";
import { BACKENDS } from "../support/backends.js";

function newHandle(store: ConfigurationStore) {
  return store.create({ externalUserId: "u1", actionKey: "slack-send-message", actionVersion: "1", configuredProps: {}, props: [] });
}

describe.each(BACKENDS)("ConfigurationStore on $name", (backend) => {
  it("claims a handle for a run once, also across two connections to one store", async () => {
    const store = await backend.shared();
    const [a, b] = [await store.open(), await store.open()];
    const storeA = new ConfigurationStore(a, 60_000);
    const storeB = new ConfigurationStore(b, 60_000);
    const cfg = await newHandle(storeA);
    const claims = await Promise.all([storeA.claimForRun(cfg.id), storeB.claimForRun(cfg.id), storeA.claimForRun(cfg.id), storeB.claimForRun(cfg.id)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await storeB.get(cfg.id)).toMatchObject({ status: "running" });
  });

  it("saving a handle that is not open throws instead of answering as if saved", async () => {
    const store = new ConfigurationStore(await backend.fresh(), 60_000);
    const cfg = await newHandle(store);
    expect((await store.save({ ...cfg, configuredProps: { text: "a" } })).configuredProps).toEqual({ text: "a" });
    expect(await store.claimForRun(cfg.id)).toBe(true);
    await expect(store.save({ ...cfg, configuredProps: { text: "b" } })).rejects.toThrow(ConfigurationNotOpenError);
    await store.finishRun(cfg.id, "done");
    await expect(store.save(cfg)).rejects.toThrow(/no longer open/);
    expect((await store.get(cfg.id))!.configuredProps).toEqual({ text: "a" });
  });

  it("an unknown outcome runs again only when asked to rerun", async () => {
    const store = new ConfigurationStore(await backend.fresh(), 60_000);
    const cfg = await newHandle(store);
    await store.claimForRun(cfg.id);
    await store.finishRun(cfg.id, "unknown");
    expect((await store.get(cfg.id))!.status).toBe("unknown");
    expect(await store.claimForRun(cfg.id)).toBe(false);
    expect(await store.claimForRun(cfg.id, { rerun: true })).toBe(true);
    await store.finishRun(cfg.id, "done");
    expect(await store.claimForRun(cfg.id, { rerun: true })).toBe(false);
  });

  it("recovers runs whose process is gone, or that ran too long on another host; keeps live ones", async () => {
    const db = await backend.fresh();
    let now = 1_000_000;
    const store = new ConfigurationStore(db, 60_000, () => now);
    const handles = [];
    for (let i = 0; i < 5; i++) handles.push(await newHandle(store));
    const [dead, live, mine, remote, remoteFresh] = handles;
    for (const c of handles) await store.claimForRun(c.id);
    const host = RUN_OWNER.slice(0, RUN_OWNER.lastIndexOf(":"));
    const owner = (who: string, at: number, id: string) => db.run("UPDATE configurations SET run_owner = ?, updated_at = ? WHERE id = ?", [who, at, id]);
    await owner(`${host}:999991`, now, dead!.id);
    await owner(`${host}:999992`, now, live!.id);
    await owner(`elsewhere:1`, now - 10_000, remote!.id);
    await owner(`elsewhere:2`, now, remoteFresh!.id);
    now += 5_000;
    const recovered = await store.recoverOrphanedRuns(8_000, (pid) => pid === 999992);
    expect(recovered).toBe(2);
    const status = async (id: string) => (await store.get(id))!.status;
    expect(await Promise.all([dead, live, mine, remote, remoteFresh].map((c) => status(c!.id)))).toEqual(["unknown", "running", "running", "unknown", "running"]);
  });

  it("accepts the unknown status and keeps the run owner (migration 5)", async () => {
    const db = await backend.fresh();
    const store = new ConfigurationStore(db, 60_000);
    const cfg = await newHandle(store);
    await store.claimForRun(cfg.id);
    expect(await db.get("SELECT run_owner FROM configurations WHERE id = ?", [cfg.id])).toEqual({ run_owner: RUN_OWNER });
    await store.finishRun(cfg.id, "unknown");
    expect((await store.get(cfg.id))!.status).toBe("unknown");
  });

  it("purges handles a day past expiry, keeps younger ones", async () => {
    let now = 10_000_000_000;
    const store = new ConfigurationStore(await backend.fresh(), 60_000, () => now);
    const old = await newHandle(store);
    const young = await newHandle(store);
    now += 60_000 + 86_400_000 + 1;
    await store.save(young);
    expect(await store.purgeExpired()).toBe(1);
    expect(await store.get(old.id)).toBeUndefined();
    expect(await store.get(young.id)).toMatchObject({ status: "open" });
  });

  it("keeps conversation defaults per user and conversation", async () => {
    const defaults = new ConversationDefaults(await backend.fresh());
    await defaults.set("u1", "c1", "account:github", "apn_1");
    await defaults.set("u1", "c1", "account:github", "apn_2");
    expect(await defaults.get("u1", "c1", "account:github")).toBe("apn_2");
    expect(await defaults.get("u2", "c1", "account:github")).toBeUndefined();
    expect(await defaults.get("u1", "c2", "account:github")).toBeUndefined();
  });
});
