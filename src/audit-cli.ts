/**
 * `connect-mcp audit`: read the audit log from the configured database, newest first.
 * Filters: --user, --since/--until (ISO time, or a duration back from now: 30m, 24h, 7d), --limit;
 * --json prints an array. Each row carries `user_hash`, the label the server's logs use.
 */
import type { Config } from "./config.js";
import { ConfigError } from "./config.js";
import { AuditLog, userHasher } from "./store/audit.js";
import { openDb } from "./store/db.js";

export interface AuditOptions {
  user?: string;
  since?: string;
  until?: string;
  limit?: string;
  json?: boolean;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseTime(value: string, flag: string, now = Date.now()): number {
  const rel = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]!]!;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new ConfigError(`--${flag} must be an ISO time (2026-05-01, 2026-05-01T12:00:00Z) or a duration back from now (30m, 24h, 7d); got ${JSON.stringify(value)}`);
  return at;
}

export async function runAudit(config: Config, options: AuditOptions): Promise<string> {
  const limit = options.limit === undefined ? 100 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new ConfigError(`--limit must be a whole number from 1 to 100000; got ${JSON.stringify(options.limit)}`);
  const since = options.since === undefined ? undefined : parseTime(options.since, "since");
  const until = options.until === undefined ? undefined : parseTime(options.until, "until");
  const db = await openDb(config);
  try {
    const hash = await userHasher(db);
    const rows = (await new AuditLog(db, config.auditRetentionDays).query({ user: options.user, since, until, limit })).map((r) => ({ ...r, user_hash: hash(r.user ?? undefined) ?? null }));
    if (options.json) return JSON.stringify(rows, null, 2);
    if (rows.length === 0) return "no audit rows match";
    const header = ["at", "user", "user_hash", "credential", "tool", "target", "outcome", "rule", "ms", "upstream"];
    const lines = rows.map((r) => [
      r.at,
      r.user ?? "-",
      r.user_hash ?? "-",
      r.credential,
      r.tool,
      [r.app, r.action, r.method && `${r.method} ${r.host ?? ""}`.trim(), r.account_id].filter(Boolean).join(" ") || "-",
      r.outcome,
      r.rule ?? "-",
      String(r.duration_ms),
      r.upstream_status === null ? "-" : String(r.upstream_status),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    return [header, ...lines].map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
  } finally {
    await db.close();
  }
}
