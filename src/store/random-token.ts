/**
 * Unguessable ids (handles, stored results, confirmation tokens) from a pool of CSPRNG bytes:
 * one randomBytes call per 4 KiB instead of one per id (~8 µs each here, on every describe_action),
 * as Node's own randomUUID does.
 */
import { randomBytes } from "node:crypto";

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** `bytes` random bytes as base64url (16 bytes → 22 characters). */
export function randomToken(bytes: number): string {
  if (bytes > POOL_BYTES) return randomBytes(bytes).toString("base64url");
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const token = pool.toString("base64url", offset, offset + bytes);
  // Used bytes are overwritten so no id stays readable in the pool after it was handed out.
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return token;
}
