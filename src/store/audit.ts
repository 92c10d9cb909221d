/**
 * Audit log: one row per tool call — who (end user, credential), which tool, app, action or
 * method + host, account, outcome, duration, upstream status. Never bodies, props, headers,
 * tokens or error texts (those can carry user data): only identifiers and codes.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { Db } from "./db.js";

export const AUDIT_OUTCOMES = ["ok", "needs_input", "connect_required", "error", "refused", "rate_limited"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditEntry {
  at: number;
  requestId?: string;
  user?: string;
  credential: string;
  tool: string;
  app?: string;
  action?: string;
  method?: string;
  host?: string;
  accountId?: string;
  outcome: AuditOutcome;
  rule?: string;
  durationMs: number;
  upstreamStatus?: number;
}

export interface AuditRow {
  id: number;
  at: string;
  request_id: string | null;
  user: string | null;
  credential: string;
  tool: string;
  app: string | null;
  action: string | null;
  method: string | null;
  host: string | null;
  account_id: string | null;
  outcome: AuditOutcome;
  rule: string | null;
  duration_ms: number;
  upstream_status: number | null;
}

export interface AuditQuery {
  user?: string;
  since?: number;
  until?: number;
  limit: number;
}

export class AuditLog {
  private readonly insert;

  constructor(
    private readonly db: Db,
    /** 0 disables recording (nothing is written). */
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(
      "INSERT INTO audit_log (at, request_id, user, credential, tool, app, action, method, host, account_id, outcome, rule, duration_ms, upstream_status) " +
        "VALUES (@at, @requestId, @user, @credential, @tool, @app, @action, @method, @host, @accountId, @outcome, @rule, @durationMs, @upstreamStatus)",
    );
  }

  get enabled(): boolean {
    return this.retentionDays > 0;
  }

  record(e: AuditEntry): void {
    if (!this.enabled) return;
    this.insert.run({
      at: e.at,
      requestId: e.requestId ?? null,
      user: e.user ?? null,
      credential: e.credential,
      tool: e.tool,
      app: e.app ?? null,
      action: e.action ?? null,
      method: e.method ?? null,
      host: e.host ?? null,
      accountId: e.accountId ?? null,
      outcome: e.outcome,
      rule: e.rule ?? null,
      durationMs: Math.max(0, Math.round(e.durationMs)),
      upstreamStatus: e.upstreamStatus ?? null,
    });
  }

  /** Newest first. */
  query(q: AuditQuery): AuditRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.user !== undefined) (where.push("user = ?"), params.push(q.user));
    if (q.since !== undefined) (where.push("at >= ?"), params.push(q.since));
    if (q.until !== undefined) (where.push("at < ?"), params.push(q.until));
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at DESC, id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, q.limit) as Array<Omit<AuditRow, "at"> & { at: number }>;
    return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
  }

  /** Delete rows older than the retention period; returns how many went. */
  prune(): number {
    if (!this.enabled) return 0;
    const cutoff = this.now() - this.retentionDays * 86_400_000;
    return this.db.prepare("DELETE FROM audit_log WHERE at < ?").run(cutoff).changes;
  }
}

/**
 * A stable, non-reversible label for an end user in logs: HMAC-SHA-256 of the id keyed with a
 * random salt kept in this database (so a dictionary of likely ids, e.g. emails, does not undo
 * it). `connect-mcp audit` prints the same label next to each user to map logs back.
 */
export function userHasher(db: Db): (user: string | undefined) => string | undefined {
  let salt = (db.prepare("SELECT value FROM meta WHERE key = 'log_user_salt'").get() as { value: string } | undefined)?.value;
  if (!salt) {
    salt = randomBytes(16).toString("hex");
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('log_user_salt', ?)").run(salt);
    salt = (db.prepare("SELECT value FROM meta WHERE key = 'log_user_salt'").get() as { value: string }).value;
  }
  const key = salt;
  return (user) => (user === undefined ? undefined : `u_${createHmac("sha256", key).update(user).digest("hex").slice(0, 16)}`);
}
