/**
 * Full tool results kept for an hour when the result sent to the client had to be cut to its
 * token budget: the caller reads them again by `result_id` (another page, or some fields) without
 * calling upstream. Each belongs to one end user; anyone else is told it does not exist.
 */
import type { Db } from "./db.js";
import { randomToken } from "./random-token.js";

export const STORED_RESULT_TTL_MS = 60 * 60_000;

/** Unguessable: the id alone never reveals a result (it is checked against its user too). */
export function newResultId(): string {
  return `res_${randomToken(16)}`;
}

export class StoredResults {
  constructor(
    private readonly db: Db,
    private readonly ttlMs = STORED_RESULT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async put(user: string, tool: string, result: unknown, id = newResultId()): Promise<{ id: string; expiresAt: number }> {
    const at = this.now();
    await this.db.run('INSERT INTO stored_results (id, "user", tool, result, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)', [id, user, tool, JSON.stringify(result), at, at + this.ttlMs]);
    return { id, expiresAt: at + this.ttlMs };
  }

  async get(user: string, id: string): Promise<{ tool: string; result: unknown } | undefined> {
    const row = await this.db.get<{ tool: string; result: string }>('SELECT tool, result FROM stored_results WHERE id = ? AND "user" = ? AND expires_at > ?', [id, user, this.now()]);
    return row ? { tool: row.tool, result: JSON.parse(row.result) as unknown } : undefined;
  }

  async prune(): Promise<number> {
    return this.db.run("DELETE FROM stored_results WHERE expires_at <= ?", [this.now()]);
  }
}
