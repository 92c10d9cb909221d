/**
 * PostgreSQL behind the store's `Db` seam (node-postgres pool), for several replicas sharing one
 * state. The stores' `?` placeholders become `$n` (once per SQL text); BIGINT (epoch ms, counts)
 * comes back as a JS number. Migrations run at open under an advisory lock, so replicas starting
 * together apply each version exactly once.
 */
import pg from "pg";
import { MIGRATION_VERSIONS, type Db, type SqlParam, type WriteOptions } from "./db.js";
import { PG_MIGRATIONS } from "./postgres-migrations.js";

/** Any fixed number: every connect-mcp process takes the same lock to migrate. */
const MIGRATION_LOCK = 7_140_100_214;
const INT8_OID = 20;

export const PG_SCHEMA_VERSION = Math.max(...PG_MIGRATIONS.map((m) => m.version));

// The two lists must name the same versions: a schema is one thing whichever database holds it.
if (PG_MIGRATIONS.map((m) => m.version).join() !== MIGRATION_VERSIONS.join()) {
  throw new Error(`PostgreSQL migrations (${PG_MIGRATIONS.map((m) => m.version).join()}) differ from SQLite's (${MIGRATION_VERSIONS.join()})`);
}

const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, (format ?? "text") as "text")) as typeof pg.types.getTypeParser,
};

/** The URL as it may be shown: no password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}

export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, types, max: options.max ?? 10, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on("error", () => undefined);
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return new PgDb(pool, redactUrl(url));
}

/**
 * One transaction holding a transaction-level advisory lock: replicas starting together queue on
 * it, and the first applies what is missing (PostgreSQL's DDL is transactional, so a failed version
 * leaves nothing behind). Transaction-scoped, so it also holds behind a transaction-mode pooler.
 */
async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
      const applied = new Set((await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version));
      const newest = Math.max(0, ...applied);
      if (newest > PG_SCHEMA_VERSION) {
        throw new Error(`database schema version ${newest} is newer than this connect-mcp understands (${PG_SCHEMA_VERSION}); upgrade connect-mcp or use another database`);
      }
      for (const m of PG_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await client.query(m.sql);
        await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [m.version, m.name, new Date().toISOString()]);
      }
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}

/**
 * PostgreSQL's TEXT cannot hold NUL, which SQLite stores: a caller's string carrying one (an audit
 * field copied from arguments) must not fail the write, so it becomes U+FFFD.
 */
function storable(params: readonly SqlParam[]): SqlParam[] {
  let out: SqlParam[] | undefined;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (typeof p === "string" && p.includes("\u0000")) (out ??= [...params])[i] = p.replace(/\u0000/g, "\uFFFD");
  }
  return out ?? (params as SqlParam[]);
}

/** `?` → `$1, $2, …` (the stores' SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

class PgDb implements Db {
  readonly dialect = "postgres" as const;
  private readonly texts = new Map<string, string>();
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    readonly label: string,
  ) {}

  get open(): boolean {
    return !this.closed;
  }

  private text(sql: string): string {
    let t = this.texts.get(sql);
    if (t === undefined) this.texts.set(sql, (t = numbered(sql)));
    return t;
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return (await this.pool.query(this.text(sql), storable(params))).rows[0] as T | undefined;
  }

  async all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return (await this.pool.query(this.text(sql), storable(params))).rows as T[];
  }

  // Every commit here is durable (synchronous_commit): WriteOptions.durable asks nothing more, and
  // `behind` is written at once too (the next call may reach another replica).
  async run(sql: string, params: readonly SqlParam[] = [], _options?: WriteOptions): Promise<number> {
    return (await this.pool.query(this.text(sql), storable(params))).rowCount ?? 0;
  }

  /** Native `$n` SQL with any parameters node-postgres takes (arrays too): PostgreSQL-only stores. */
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async batch(steps: ReadonlyArray<readonly [string, readonly SqlParam[]]>, _options?: WriteOptions): Promise<number[]> {
    return this.transaction(async (client) => {
      const out: number[] = [];
      for (const [sql, params] of steps) out.push((await client.query(this.text(sql), storable(params))).rowCount ?? 0);
      return out;
    });
  }

  /** One client, BEGIN … COMMIT (ROLLBACK on any failure). */
  async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const out = await fn(client);
      await client.query("COMMIT");
      return out;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async catalogVersion(): Promise<string> {
    // No data_version here: every catalog write bumps this counter after its rows (migration 10),
    // so a replica sees the new version no earlier than the new rows. One indexed read per search.
    const r = await this.get<{ version: number }>("SELECT version FROM catalog_version WHERE id = 1");
    return String(r?.version ?? 0);
  }

  async catalogStamp(): Promise<string> {
    // The counter moves with this connection's catalog writes as well as every other replica's.
    return this.catalogVersion();
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

export type { PgDb };
