/**
 * Confirmation tokens for writes: short-lived, single-use, bound to one end user and one exact
 * call (a hash of the tool and its resolved request). Only the token's SHA-256 is stored.
 */
import { createHash } from "node:crypto";
import type { Db } from "./db.js";
import { randomToken } from "./random-token.js";

export type ConsumeResult = { ok: true } | { ok: false; reason: "unknown" | "expired" | "used" | "different_call" };

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export class ConfirmationStore {
  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(user: string, callHash: string): Promise<{ token: string; expiresAt: number }> {
    const token = `cfm_${randomToken(24)}`;
    const expiresAt = this.now() + this.ttlMs;
    await this.db.run('INSERT INTO confirmations (token_hash, "user", call_hash, expires_at) VALUES (?, ?, ?, ?)', [sha256(token), user, callHash, expiresAt]);
    return { token, expiresAt };
  }

  /**
   * Spend `token` for `user`'s call `callHash`, atomically. Another user's token is reported
   * exactly like a token that never existed, so nothing about it leaks.
   */
  async consume(user: string, token: string, callHash: string): Promise<ConsumeResult> {
    const tokenHash = sha256(token);
    const now = this.now();
    const spent = await this.db.run('UPDATE confirmations SET used_at = ? WHERE token_hash = ? AND "user" = ? AND call_hash = ? AND used_at IS NULL AND expires_at > ?', [now, tokenHash, user, callHash, now], { durable: true });
    if (spent === 1) return { ok: true };
    const row = await this.db.get<{ call_hash: string; expires_at: number; used_at: number | null }>('SELECT call_hash, expires_at, used_at FROM confirmations WHERE token_hash = ? AND "user" = ?', [tokenHash, user]);
    if (!row) return { ok: false, reason: "unknown" };
    if (row.used_at !== null) return { ok: false, reason: "used" };
    if (row.expires_at <= now) return { ok: false, reason: "expired" };
    return { ok: false, reason: "different_call" };
  }

  /** Drop tokens that expired more than a day ago (used ones are kept that long to answer "already used"). */
  async prune(): Promise<number> {
    return this.db.run("DELETE FROM confirmations WHERE expires_at < ?", [this.now() - 86_400_000]);
  }
}

/** A stable hash of a JSON-able value: object keys sorted at every level. */
export function callHash(value: unknown): string {
  return sha256(canonical(value));
}

function canonical(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}
