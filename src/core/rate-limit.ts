/**
 * Per-end-user token buckets in front of Connect's per-project limits, so one busy user cannot
 * spend everyone's quota. In memory: limits are per server process.
 */
export interface BucketSpec {
  /** Refill rate; 0 disables limiting. */
  perMinute: number;
  /** Bucket size: calls that may be made at once. */
  burst: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Buckets unused this long are forgotten (they would be full again anyway). */
const IDLE_MS = 60 * 60_000;
const MAX_BUCKETS = 100_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, spec: BucketSpec): TakeResult {
    if (spec.perMinute <= 0) return { ok: true };
    const now = this.now();
    const ratePerMs = spec.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: spec.burst, at: now };
    b.tokens = Math.min(spec.burst, b.tokens + (now - b.at) * ratePerMs);
    b.at = now;
    this.buckets.delete(key); // re-insert: Map order doubles as least-recently-used order
    this.buckets.set(key, b);
    this.evict(now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000)) };
  }

  private evict(now: number): void {
    for (const [key, b] of this.buckets) {
      if (this.buckets.size <= MAX_BUCKETS && now - b.at < IDLE_MS) break;
      this.buckets.delete(key);
    }
  }
}
