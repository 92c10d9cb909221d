/**
 * Token buckets in front of Connect's per-project limits: one per end user (so one busy user
 * cannot spend everyone's quota) and one for the whole server (so all users together stay under
 * the project's quota). On SQLite — one process — they live in memory. On PostgreSQL they live in
 * the database, so a user's budget is the same whichever replica answers: one statement refills
 * and spends every bucket of a call.
 */
import type { Db } from "./db.js";
import type { PgDb } from "./postgres.js";

export interface BucketSpec {
  /** Refill rate; 0 disables limiting. */
  perMinute: number;
  /** Bucket size: calls that may be made at once. */
  burst: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };
/** Which of several buckets refused (its index in the list given to `takeAll`). */
export type TakeAllResult = { ok: true } | { ok: false; retryAfterSeconds: number; refusedBy: number };

export interface BucketLimits {
  /** One token from each bucket, or none at all: a call refused by one bucket spends no other's. */
  takeAll(limits: ReadonlyArray<{ key: string; spec: BucketSpec }>): Promise<TakeAllResult>;
  /** Forget buckets idle for an hour (they would be full again anyway). */
  prune(): Promise<number>;
}

/** Buckets unused this long are forgotten (they would be full again anyway). */
const IDLE_MS = 60 * 60_000;
const MAX_BUCKETS = 100_000;

/** The buckets for this store: in memory for SQLite (one process), shared for PostgreSQL. */
export function rateLimitsFor(db: Db, now: () => number = Date.now): BucketLimits {
  if (db.dialect === "postgres") return new SharedBuckets(db as unknown as PgDb, now);
  const local = new RateLimiter(now);
  return { takeAll: async (limits) => local.takeAll(limits), prune: async () => 0 };
}

function retryAfter(tokens: number, spec: BucketSpec): number {
  return Math.max(1, Math.ceil((1 - tokens) / (spec.perMinute / 60_000) / 1000));
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, spec: BucketSpec): TakeResult {
    const r = this.takeAll([{ key, spec }]);
    return r.ok ? r : { ok: false, retryAfterSeconds: r.retryAfterSeconds };
  }

  takeAll(limits: ReadonlyArray<{ key: string; spec: BucketSpec }>): TakeAllResult {
    const now = this.now();
    const active = limits.flatMap((l, i) => (l.spec.perMinute > 0 ? [{ ...l, i, bucket: this.refill(l.key, l.spec, now) }] : []));
    this.evict(now);
    const refused = active.find((a) => a.bucket.tokens < 1);
    if (refused) return { ok: false, retryAfterSeconds: retryAfter(refused.bucket.tokens, refused.spec), refusedBy: refused.i };
    for (const a of active) a.bucket.tokens -= 1;
    return { ok: true };
  }

  private refill(key: string, spec: BucketSpec, now: number): { tokens: number; at: number } {
    const b = this.buckets.get(key) ?? { tokens: spec.burst, at: now };
    b.tokens = Math.min(spec.burst, b.tokens + (now - b.at) * (spec.perMinute / 60_000));
    b.at = now;
    this.buckets.delete(key); // re-insert: Map order doubles as least-recently-used order
    this.buckets.set(key, b);
    return b;
  }

  private evict(now: number): void {
    for (const [key, b] of this.buckets) {
      if (this.buckets.size <= MAX_BUCKETS && now - b.at < IDLE_MS) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * Refill and spend in one upsert: each bucket whose refilled level holds a token gives one and
 * is returned. When some bucket had none, the ones spent are given back (a moment's dip another
 * caller may see, never a lost token) and the refused bucket's level gives the wait.
 * Keys go in sorted order, so concurrent calls lock rows in the same order.
 */
const TAKE = `
  INSERT INTO rate_limits AS r (key, tokens, at, per_ms)
    SELECT k, b - 1, $1, p FROM unnest($2::text[], $3::float8[], $4::float8[]) AS t(k, b, p)
  ON CONFLICT (key) DO UPDATE SET
    tokens = LEAST(excluded.tokens + 1, r.tokens + GREATEST(0, excluded.at - r.at) * excluded.per_ms) - 1,
    at = GREATEST(r.at, excluded.at),
    per_ms = excluded.per_ms
  WHERE LEAST(excluded.tokens + 1, r.tokens + GREATEST(0, excluded.at - r.at) * excluded.per_ms) >= 1
  RETURNING key`;
const GIVE_BACK = "UPDATE rate_limits SET tokens = tokens + 1 WHERE key = ANY($1::text[])";
const LEVELS = "SELECT key, tokens, at FROM rate_limits WHERE key = ANY($1::text[])";

class SharedBuckets implements BucketLimits {
  constructor(
    private readonly db: PgDb,
    private readonly now: () => number,
  ) {}

  async takeAll(limits: ReadonlyArray<{ key: string; spec: BucketSpec }>): Promise<TakeAllResult> {
    const active = limits.map((l, i) => ({ ...l, i })).filter((l) => l.spec.perMinute > 0);
    if (active.length === 0) return { ok: true };
    active.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const now = this.now();
    const taken = await this.db.query<{ key: string }>(TAKE, [
      now,
      active.map((a) => a.key),
      active.map((a) => a.spec.burst),
      active.map((a) => a.spec.perMinute / 60_000),
    ]);
    if (taken.length === active.length) return { ok: true };
    const spent = new Set(taken.map((r) => r.key));
    if (spent.size) await this.db.query(GIVE_BACK, [[...spent]]);
    const levels = new Map((await this.db.query<{ key: string; tokens: number; at: number }>(LEVELS, [active.map((a) => a.key)])).map((r) => [r.key, r]));
    // The first refused bucket in the caller's order names the limit.
    const refused = limits.map((l, i) => ({ ...l, i })).find((l) => l.spec.perMinute > 0 && !spent.has(l.key))!;
    const level = levels.get(refused.key);
    const tokens = level ? Math.min(refused.spec.burst, level.tokens + Math.max(0, now - level.at) * (refused.spec.perMinute / 60_000)) : 0;
    return { ok: false, retryAfterSeconds: retryAfter(tokens, refused.spec), refusedBy: refused.i };
  }

  async prune(): Promise<number> {
    return this.db.run("DELETE FROM rate_limits WHERE at < ?", [this.now() - IDLE_MS]);
  }
}
