/** The store's rate-limit buckets, idempotency records and stored results on SQLite and PostgreSQL. */
import { describe, expect, it } from "vitest";
import { IdempotencyStore } from "../../src/store/idempotency.js";
import { rateLimitsFor } from "../../src/store/rate-limits.js";
import { StoredResults } from "../../src/store/stored-results.js";
import { BACKENDS, postgres } from "../support/backends.js";

describe.each(BACKENDS)("rate-limit buckets on $name", (backend) => {
  it("spend the burst, refill at the rate, and refuse all-or-nothing naming the bucket", async () => {
    let now = 1_000_000;
    const limits = rateLimitsFor(await backend.fresh(), () => now);
    const user = { key: "user:alice", spec: { perMinute: 60, burst: 2 } };
    const project = { key: "project", spec: { perMinute: 600, burst: 3 } };
    expect(await limits.takeAll([user, project])).toEqual({ ok: true });
    expect(await limits.takeAll([user, project])).toEqual({ ok: true });
    expect(await limits.takeAll([user, project])).toEqual({ ok: false, retryAfterSeconds: 1, refusedBy: 0 });
    // The refused call spent nothing from the project bucket: one token is left there.
    expect(await limits.takeAll([{ key: "user:bob", spec: user.spec }, project])).toEqual({ ok: true });
    expect(await limits.takeAll([{ key: "user:carol", spec: user.spec }, project])).toMatchObject({ ok: false, refusedBy: 1 });
    expect(await limits.takeAll([{ key: "user:carol", spec: user.spec }])).toEqual({ ok: true });
    now += 1_000; // one second: alice gets one token back at 60 / min
    expect(await limits.takeAll([user])).toEqual({ ok: true });
    expect(await limits.takeAll([user])).toMatchObject({ ok: false, refusedBy: 0 });
    expect(await limits.takeAll([{ key: "off", spec: { perMinute: 0, burst: 0 } }])).toEqual({ ok: true });
  });
});

describe("rate-limit buckets on postgres", () => {
  it("are one budget for every connection (replica) sharing the database", async () => {
    const shared = await postgres.shared();
    const [a, b] = [rateLimitsFor(await shared.open()), rateLimitsFor(await shared.open())];
    const user = { key: "user:alice", spec: { perMinute: 1, burst: 5 } };
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).takeAll([user])));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, refusedBy: 0 });
    expect(await a.prune()).toBe(0);
  });
});

describe.each(BACKENDS)("idempotency records on $name", (backend) => {
  it("are claimed once across connections, replay the outcome, and free the key when nothing was sent", async () => {
    const shared = await backend.shared();
    const [a, b] = [new IdempotencyStore(await shared.open()), new IdempotencyStore(await shared.open())];
    const claims = await Promise.all([a.claim("u1", "api_proxy", "k1", "h1"), b.claim("u1", "api_proxy", "k1", "h1"), b.claim("u1", "api_proxy", "k1", "h1")]);
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    expect(claims.find((c) => !c.claimed)).toEqual({ claimed: false, existing: { status: "running", argsHash: "h1" } });
    await a.finish("u1", "api_proxy", "k1", "done", { status: 201 });
    expect(await b.claim("u1", "api_proxy", "k1", "h1")).toEqual({ claimed: false, existing: { status: "done", argsHash: "h1", result: { status: 201 } } });
    // Keys never cross users or tools.
    expect(await b.claim("u2", "api_proxy", "k1", "h1")).toEqual({ claimed: true });
    expect(await b.claim("u1", "run_action", "k1", "h1")).toEqual({ claimed: true });
    await b.release("u2", "api_proxy", "k1");
    expect(await a.claim("u2", "api_proxy", "k1", "h2")).toEqual({ claimed: true });
  });

  it("expire after their TTL and are pruned", async () => {
    let now = 5_000_000;
    const store = new IdempotencyStore(await backend.fresh(), 1000, () => now);
    await store.claim("u1", "api_proxy", "k1", "h1");
    await store.finish("u1", "api_proxy", "k1", "unknown", null);
    expect(await store.get("u1", "api_proxy", "k1")).toEqual({ status: "unknown", argsHash: "h1", result: null });
    now += 1000;
    expect(await store.get("u1", "api_proxy", "k1")).toBeUndefined();
    expect(await store.prune()).toBe(1);
    expect(await store.claim("u1", "api_proxy", "k1", "h9")).toEqual({ claimed: true });
  });

  it("mark calls of a gone owner unknown", async () => {
    const db = await backend.fresh();
    const store = new IdempotencyStore(db);
    await store.claim("u1", "run_action", "k1", "h1");
    await db.run("UPDATE idempotency SET owner = ?, created_at = ?", ["elsewhere:1", 0]);
    expect(await store.recoverOrphaned(60_000)).toBe(1);
    expect(await store.get("u1", "run_action", "k1")).toEqual({ status: "unknown", argsHash: "h1", result: null });
  });
});

describe.each(BACKENDS)("stored results on $name", (backend) => {
  it("belong to one user, expire, and are pruned", async () => {
    let now = 1_000;
    const results = new StoredResults(await backend.fresh(), 60_000, () => now);
    const { id } = await results.put("alice", "api_proxy", { body: [1, 2, 3] });
    expect(id).toMatch(/^res_/);
    expect(await results.get("alice", id)).toEqual({ tool: "api_proxy", result: { body: [1, 2, 3] } });
    expect(await results.get("bob", id)).toBeUndefined();
    now += 60_000;
    expect(await results.get("alice", id)).toBeUndefined();
    expect(await results.prune()).toBe(1);
  });
});
