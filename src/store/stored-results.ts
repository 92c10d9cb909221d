/**
 * Full tool results kept for an hour when the result sent to the client had to be cut to its
 * token budget: the caller reads them again by `result_id` (another page, or some fields) without
 * calling upstream. Each belongs to one end user; anyone else is told it does not exist.
 */
import { randomBytes } from "node:crypto";
import type { Db } from "./db.js";

export const STORED_RESULT_TTL_MS = 60 * 60_000;

export class StoredResults {
  constructor(
    private readonly db: Db,
    private readonly ttlMs = STORED_RESULT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  put(user: string, tool: string, result: unknown): { id: string; expiresAt: number } {
    const id = `res_${randomBytes(16).toString("base64url")}`;
    const at = this.now();
    this.db.prepare("INSERT INTO stored_results (id, user, tool, result, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)").run(id, user, tool, JSON.stringify(result), at, at + this.ttlMs);
    return { id, expiresAt: at + this.ttlMs };
  }

  get(user: string, id: string): { tool: string; result: unknown } | undefined {
    const row = this.db.prepare("SELECT tool, result FROM stored_results WHERE id = ? AND user = ? AND expires_at > ?").get(id, user, this.now()) as { tool: string; result: string } | undefined;
    return row ? { tool: row.tool, result: JSON.parse(row.result) as unknown } : undefined;
  }

  prune(): number {
    return this.db.prepare("DELETE FROM stored_results WHERE expires_at <= ?").run(this.now()).changes;
  }
}
