/**
 * Token buckets in front of Connect's per-project limits: one per end user (so one busy user
 * cannot spend everyone's quota) and one for the whole server (so all users together stay under
 * the project's quota). In memory: limits are per server process.
 */
export interface BucketSpec {
  /** Refill rate; 0 disables limiting. */
  perMinute: number;
  /** Bucket size: calls that may be made at once. */
  burst: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };
/** Which of several buckets refused (its index in the list given to `takeAll`). */
export type TakeAllResult = { ok: true } | { ok: false; retryAfterSeconds: number; refusedBy: number };

/** Buckets unused this long are forgotten (they would be full again anyway). */
const IDLE_MS = 60 * 60_000;
const MAX_BUCKETS = 100_000;

/**
 * The server-wide bucket for a per-minute rate: bursts of half a minute's worth, so that no
 * 5-minute window sees more than 5.5 minutes' worth (180 / min → at most 990 per 5 min).
 */
export function projectBucket(perMinute: number): BucketSpec {
  return { perMinute, burst: Math.max(1, Math.floor(perMinute / 2)) };
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, spec: BucketSpec): TakeResult {
    const r = this.takeAll([{ key, spec }]);
    return r.ok ? r : { ok: false, retryAfterSeconds: r.retryAfterSeconds };
  }

  /** One token from each bucket, or none at all: a call refused by one bucket spends no other's. */
  takeAll(limits: ReadonlyArray<{ key: string; spec: BucketSpec }>): TakeAllResult {
    const now = this.now();
    const active = limits.flatMap((l, i) => (l.spec.perMinute > 0 ? [{ ...l, i, bucket: this.refill(l.key, l.spec, now) }] : []));
    this.evict(now);
    const refused = active.find((a) => a.bucket.tokens < 1);
    if (refused) {
      const ratePerMs = refused.spec.perMinute / 60_000;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - refused.bucket.tokens) / ratePerMs / 1000)), refusedBy: refused.i };
    }
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
