/**
 * Idempotency records: the first call with a key claims it (atomically, per end user and tool) and
 * records its outcome; a repeat with the same key and arguments gets that outcome back instead of
 * a second send. Only hashes of keys and arguments are stored. Records live 24 h.
 */
import { createHash } from "node:crypto";
import type { Db } from "./db.js";
import { ownerGone, RUN_OWNER } from "./run-owner.js";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;

export type IdempotencyRecord =
  | { status: "running"; argsHash: string }
  | { status: "done" | "unknown"; argsHash: string; result: unknown };

export type ClaimResult = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export class IdempotencyStore {
  constructor(
    private readonly db: Db,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Claim `key` for this call, or return what the first call with it left. */
  async claim(user: string, tool: string, key: string, argsHash: string): Promise<ClaimResult> {
    const at = this.now();
    const keyHash = sha256(key);
    // An expired record is as good as none.
    await this.db.run('DELETE FROM idempotency WHERE "user" = ? AND tool = ? AND key_hash = ? AND expires_at <= ?', [user, tool, keyHash, at]);
    const inserted = await this.db.run(
      "INSERT INTO idempotency (\"user\", tool, key_hash, args_hash, status, owner, created_at, expires_at) VALUES (?, ?, ?, ?, 'running', ?, ?, ?) ON CONFLICT DO NOTHING",
      [user, tool, keyHash, argsHash, RUN_OWNER, at, at + this.ttlMs],
      { durable: true }, // the upstream call follows: the claim must survive a power loss
    );
    if (inserted === 1) return { claimed: true };
    const existing = await this.get(user, tool, key);
    // Gone between the insert and the read (released by its owner): try once more.
    if (!existing) return this.claim(user, tool, key, argsHash);
    return { claimed: false, existing };
  }

  async get(user: string, tool: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db.get<{ status: "running" | "done" | "unknown"; args_hash: string; result: string | null }>(
      'SELECT status, args_hash, result FROM idempotency WHERE "user" = ? AND tool = ? AND key_hash = ? AND expires_at > ?',
      [user, tool, sha256(key), this.now()],
    );
    if (!row) return undefined;
    if (row.status === "running") return { status: "running", argsHash: row.args_hash };
    return { status: row.status, argsHash: row.args_hash, result: row.result === null ? null : (JSON.parse(row.result) as unknown) };
  }

  /** Record the outcome of the call that claimed `key`. */
  async finish(user: string, tool: string, key: string, status: "done" | "unknown", result: unknown): Promise<void> {
    await this.db.run("UPDATE idempotency SET status = ?, result = ?, owner = NULL WHERE \"user\" = ? AND tool = ? AND key_hash = ? AND status = 'running'", [status, JSON.stringify(result), user, tool, sha256(key)]);
  }

  /** Nothing was sent: free the key so the same call can be made again. */
  async release(user: string, tool: string, key: string): Promise<void> {
    await this.db.run("DELETE FROM idempotency WHERE \"user\" = ? AND tool = ? AND key_hash = ? AND status = 'running'", [user, tool, sha256(key)]);
  }

  /**
   * Calls left `running` by a process that is gone may or may not have sent their write: they
   * become `unknown`, so a repeat says so instead of sending again.
   */
  async recoverOrphaned(staleAfterMs: number): Promise<number> {
    const rows = await this.db.all<{ user: string; tool: string; key_hash: string; owner: string | null; created_at: number }>(
      "SELECT \"user\", tool, key_hash, owner, created_at FROM idempotency WHERE status = 'running'",
    );
    let changed = 0;
    for (const r of rows) {
      if (!ownerGone(r.owner, r.created_at, staleAfterMs, this.now())) continue;
      changed += await this.db.run(
        "UPDATE idempotency SET status = 'unknown', owner = NULL, result = NULL WHERE \"user\" = ? AND tool = ? AND key_hash = ? AND status = 'running' AND owner IS NOT DISTINCT FROM ?",
        [r.user, r.tool, r.key_hash, r.owner],
      );
    }
    return changed;
  }

  async prune(): Promise<number> {
    return this.db.run("DELETE FROM idempotency WHERE expires_at <= ?", [this.now()]);
  }
}
