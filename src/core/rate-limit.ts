/**
 * Rate-limit buckets: the per-user and server-wide buckets live in the store
 * (store/rate-limits.ts: in memory on SQLite, shared by every replica on PostgreSQL).
 */
import type { BucketSpec } from "../store/rate-limits.js";

export { RateLimiter, rateLimitsFor, type BucketLimits, type BucketSpec, type TakeAllResult, type TakeResult } from "../store/rate-limits.js";

/**
 * The server-wide bucket for a per-minute rate: bursts of half a minute's worth, so that no
 * 5-minute window sees more than 5.5 minutes' worth (180 / min → at most 990 per 5 min).
 */
export function projectBucket(perMinute: number): BucketSpec {
  return { perMinute, burst: Math.max(1, Math.floor(perMinute / 2)) };
}
