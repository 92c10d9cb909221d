/**
 * Audit log: one row per tool call — who (end user, credential), which tool, app, action or
 * method + host, account, outcome, duration, upstream status. Never bodies, props, headers,
 * tokens or error texts (those can carry user data): only identifiers and codes.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { Db, SqlParam } from "./db.js";

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

const INSERT =
  'INSERT INTO audit_log (at, request_id, "user", credential, tool, app, action, method, host, account_id, outcome, rule, duration_ms, upstream_status) ' +
  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

export class AuditLog {
  constructor(
    private readonly db: Db,
    /** 0 disables recording (nothing is written). */
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.retentionDays > 0;
  }

  async record(e: AuditEntry): Promise<void> {
    if (!this.enabled) return;
    await this.db.run(INSERT, auditParams(e));
  }

  /** Several rows in one transaction (one WAL sync on a file database instead of one per row). */
  async recordMany(entries: readonly AuditEntry[]): Promise<void> {
    if (!this.enabled || entries.length === 0) return;
    await this.db.batch(entries.map((e) => [INSERT, auditParams(e)] as const));
  }

  /** Newest first. */
  async query(q: AuditQuery): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    if (q.user !== undefined) (where.push('"user" = ?'), params.push(q.user));
    if (q.since !== undefined) (where.push("at >= ?"), params.push(q.since));
    if (q.until !== undefined) (where.push("at < ?"), params.push(q.until));
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at DESC, id DESC LIMIT ?`;
    const rows = await this.db.all<Omit<AuditRow, "at"> & { at: number }>(sql, [...params, q.limit]);
    return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
  }

  /** Delete rows older than the retention period; returns how many went. */
  async prune(): Promise<number> {
    if (!this.enabled) return 0;
    const cutoff = this.now() - this.retentionDays * 86_400_000;
    return this.db.run("DELETE FROM audit_log WHERE at < ?", [cutoff]);
  }
}

/**
 * A stable, non-reversible label for an end user in logs: HMAC-SHA-256 of the id keyed with a
 * random salt kept in this database (so a dictionary of likely ids, e.g. emails, does not undo
 * it). `connect-mcp audit` prints the same label next to each user to map logs back.
 */
export async function userHasher(db: Db): Promise<(user: string | undefined) => string | undefined> {
  const read = "SELECT value FROM meta WHERE key = 'log_user_salt'";
  let salt = (await db.get<{ value: string }>(read))?.value;
  if (!salt) {
    // Replicas starting together: the first insert wins, everyone reads the winner.
    await db.run("INSERT INTO meta (key, value) VALUES ('log_user_salt', ?) ON CONFLICT DO NOTHING", [randomBytes(16).toString("hex")]);
    salt = (await db.get<{ value: string }>(read))!.value;
  }
  const key = salt;
  return (user) => (user === undefined ? undefined : `u_${createHmac("sha256", key).update(user).digest("hex").slice(0, 16)}`);
}

function auditParams(e: AuditEntry): SqlParam[] {
  return [
    e.at,
    e.requestId ?? null,
    e.user ?? null,
    e.credential,
    e.tool,
    e.app ?? null,
    e.action ?? null,
    e.method ?? null,
    e.host ?? null,
    e.accountId ?? null,
    e.outcome,
    e.rule ?? null,
    Math.max(0, Math.round(e.durationMs)),
    e.upstreamStatus ?? null,
  ];
}
