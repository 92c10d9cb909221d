/**
 * The store's one seam: `Db` runs SQL with `?` placeholders, asynchronously, on SQLite
 * (better-sqlite3, the default: one file, WAL) or PostgreSQL (`CONNECT_MCP_DATABASE_URL`, for
 * several replicas sharing state; src/store/postgres.ts). The stores in this folder are written
 * once against it; nothing above src/store/ knows which database answers. SQL they send must mean
 * the same on both: quote `"user"`, use `ON CONFLICT`, no SQLite-only functions.
 * Versioned migrations are applied in order at open; PostgreSQL has a parallel list with the same
 * version numbers (postgres-migrations.ts). Never edit a shipped migration.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

export type SqlParam = string | number | null;

export interface WriteOptions {
  /**
   * On disk before the promise resolves, even across a power loss: for writes that guard an
   * upstream side effect (an idempotency claim, a spent confirmation, a handle claimed for its run)
   * or that cannot be had again (a rotated credential). SQLite otherwise commits without waiting
   * for the disk (WAL, synchronous = NORMAL: safe from corruption and from a crash of the process;
   * a power loss may undo the last commits). PostgreSQL commits every write durably.
   */
  durable?: boolean;
  /**
   * SQLite only: the write may be committed after the caller's answer went out, together with the
   * next writes (the audit batch of the same call, usually), instead of as a commit of its own on
   * the response's path. Every later statement on this connection sees it (pending writes are
   * committed first), so only another process could miss it, and a kill loses it within
   * WRITE_BEHIND_GROUP_MS. Resolves to 1 at once: for inserts of fresh, server-minted keys whose
   * result decides nothing. PostgreSQL writes it at once (another replica may get the next call).
   */
  behind?: boolean;
}

/** Told when a write-behind could not be committed in the background (it is lost). */
export type WriteBehindFailure = (err: Error, statements: number) => void;

export interface Db {
  readonly dialect: "sqlite" | "postgres";
  /** For messages: the SQLite path, or the PostgreSQL URL without its password. */
  readonly label: string;
  /** False once closed (background work then stops quietly). */
  readonly open: boolean;
  get<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** Returns how many rows changed. */
  run(sql: string, params?: readonly SqlParam[], options?: WriteOptions): Promise<number>;
  /** Statements in one transaction; how many rows each changed. */
  batch(steps: ReadonlyArray<readonly [string, readonly SqlParam[]]>, options?: WriteOptions): Promise<number[]>;
  /** Changes when another connection (replica, `connect-mcp cache --clear`) changed the catalog cache. */
  catalogVersion(): Promise<string>;
  /**
   * Changes whenever the catalog cache changed, through this connection too: what was read of the
   * catalog at one stamp is still current while the stamp is the same.
   */
  catalogStamp(): Promise<string>;
  /** A round trip to the database (doctor, /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The last step of every catalog write, in its transaction: what PostgreSQL replicas read as the
 * catalog's version, and how a SQLite connection counts its own catalog writes.
 */
export const BUMP_CATALOG_VERSION = "UPDATE catalog_version SET version = version + 1 WHERE id = 1";

/** Which database: a PostgreSQL URL wins over the SQLite path. */
export interface DbTarget {
  db: string;
  databaseUrl?: string;
}

export async function openDb(target: string | DbTarget, options: { writeBehindFailed?: WriteBehindFailure } = {}): Promise<Db> {
  const t = typeof target === "string" ? { db: target } : target;
  if (t.databaseUrl) {
    const { openPostgres } = await import("./postgres.js");
    return openPostgres(t.databaseUrl);
  }
  return openSqlite(t.db, options.writeBehindFailed);
}

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** SQLite's migrations. PostgreSQL's (postgres-migrations.ts) keep the same version numbers. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "catalog cache",
    sql: `
      CREATE TABLE catalog_actions (
        scope TEXT NOT NULL,            -- which Connect project/base URL the definition came from
        key TEXT NOT NULL,
        version TEXT NOT NULL,
        definition TEXT NOT NULL,       -- JSON ActionDefinition
        fetched_at INTEGER NOT NULL,    -- epoch ms
        PRIMARY KEY (scope, key)
      );
      CREATE TABLE catalog_apps (
        scope TEXT NOT NULL,
        slug TEXT NOT NULL,
        definition TEXT NOT NULL,       -- JSON AppInfo
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (scope, slug)
      );
    `,
  },
  {
    version: 2,
    name: "configuration handles and conversation defaults",
    sql: `
      CREATE TABLE configurations (
        id TEXT PRIMARY KEY,              -- server-minted, unguessable handle
        external_user_id TEXT NOT NULL,   -- the only end user who may use it
        conversation_id TEXT,             -- set when the client named a conversation
        action_key TEXT NOT NULL,
        action_version TEXT NOT NULL,
        configured_props TEXT NOT NULL,   -- JSON: prop name -> value, app props included
        props TEXT NOT NULL,              -- JSON: the prop list in force (after reloads)
        dynamic_props_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('open', 'running', 'done')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX configurations_expires_at ON configurations (expires_at);
      CREATE TABLE conversation_defaults (
        external_user_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        name TEXT NOT NULL,               -- e.g. "account:github"
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (external_user_id, conversation_id, name)
      );
    `,
  },
  {
    version: 3,
    name: "catalog sync state, action app column, connect links",
    sql: `
      ALTER TABLE catalog_actions ADD COLUMN app TEXT;   -- app slug, for listing one app's actions
      UPDATE catalog_actions SET app = COALESCE(
        (SELECT json_extract(p.value, '$.app') FROM json_each(catalog_actions.definition, '$.props') AS p
          WHERE json_extract(p.value, '$.type') = 'app' LIMIT 1),
        substr(key, 1, instr(key, '-') - 1));
      CREATE INDEX catalog_actions_by_app ON catalog_actions (scope, app);
      CREATE TABLE catalog_sync (
        scope TEXT NOT NULL,
        what TEXT NOT NULL,             -- "actions" (whole catalog), "apps", or "app:<slug>"
        synced_at INTEGER NOT NULL,     -- epoch ms when the last complete listing started
        PRIMARY KEY (scope, what)
      );
      CREATE TABLE connect_links (
        scope TEXT NOT NULL,
        external_user_id TEXT NOT NULL,
        app TEXT NOT NULL,
        url TEXT NOT NULL,              -- Connect Link URL (carries the short-lived ctok_ token)
        expires_at INTEGER NOT NULL,    -- epoch ms
        created_at INTEGER NOT NULL,
        options TEXT NOT NULL,          -- redirect/webhook settings the token was made with
        known_accounts TEXT NOT NULL,   -- JSON ids of the app's accounts when it was made
        PRIMARY KEY (scope, external_user_id, app)
      );
    `,
  },
  {
    version: 4,
    name: "audit log, confirmation tokens, meta",
    sql: `
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,            -- epoch ms when the call started
        request_id TEXT,                -- the HTTP request id (x-request-id), null on stdio
        user TEXT,                      -- external_user_id; null when none is configured
        credential TEXT NOT NULL,       -- api-key:<id> | jwt | http-token | http-loopback | stdio-config
        tool TEXT NOT NULL,
        app TEXT,
        action TEXT,
        method TEXT,
        host TEXT,
        account_id TEXT,
        outcome TEXT NOT NULL,          -- ok | needs_input | connect_required | error | refused | rate_limited
        rule TEXT,                      -- the policy rule that refused, or the error kind
        duration_ms INTEGER NOT NULL,
        upstream_status INTEGER
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE INDEX audit_log_user_at ON audit_log (user, at);
      CREATE TABLE confirmations (
        token_hash TEXT PRIMARY KEY,    -- SHA-256 of the token; the token itself is never stored
        user TEXT NOT NULL,
        call_hash TEXT NOT NULL,        -- SHA-256 of the exact call it confirms
        expires_at INTEGER NOT NULL,    -- epoch ms
        used_at INTEGER
      );
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: "configuration outcome unknown, run owner",
    // SQLite cannot alter a CHECK constraint: rebuild the table with the new status and column.
    sql: `
      CREATE TABLE configurations_v5 (
        id TEXT PRIMARY KEY,
        external_user_id TEXT NOT NULL,
        conversation_id TEXT,
        action_key TEXT NOT NULL,
        action_version TEXT NOT NULL,
        configured_props TEXT NOT NULL,
        props TEXT NOT NULL,
        dynamic_props_id TEXT,
        -- unknown: a run was sent and its outcome is not known (timeout, dropped, crash);
        -- running it again takes an explicit rerun
        status TEXT NOT NULL CHECK (status IN ('open', 'running', 'done', 'unknown')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        run_owner TEXT                    -- "<host>:<pid>" of the process running it, while running
      );
      INSERT INTO configurations_v5 (id, external_user_id, conversation_id, action_key, action_version, configured_props, props, dynamic_props_id, status, created_at, updated_at, expires_at)
        SELECT id, external_user_id, conversation_id, action_key, action_version, configured_props, props, dynamic_props_id, status, created_at, updated_at, expires_at FROM configurations;
      DROP TABLE configurations;
      ALTER TABLE configurations_v5 RENAME TO configurations;
      CREATE INDEX configurations_expires_at ON configurations (expires_at);
      CREATE INDEX configurations_running ON configurations (status) WHERE status = 'running';
    `,
  },
  {
    version: 6,
    name: "idempotency records, stored results",
    sql: `
      CREATE TABLE idempotency (
        user TEXT NOT NULL,               -- external_user_id: keys never cross users
        tool TEXT NOT NULL,
        key_hash TEXT NOT NULL,           -- SHA-256 of the caller's key
        args_hash TEXT NOT NULL,          -- SHA-256 of the call's arguments (key and token excluded)
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'unknown')),
        result TEXT,                      -- the recorded tool result (JSON), when done/unknown
        owner TEXT,                       -- "<host>:<pid>" while running, for crash recovery
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (user, tool, key_hash)
      );
      CREATE INDEX idempotency_expires_at ON idempotency (expires_at);
      CREATE TABLE stored_results (
        id TEXT PRIMARY KEY,              -- res_…, unguessable
        user TEXT NOT NULL,               -- only this end user may read it
        tool TEXT NOT NULL,
        result TEXT NOT NULL,             -- the full structured result (JSON), before any cut
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX stored_results_expires_at ON stored_results (expires_at);
    `,
  },
  {
    version: 7,
    name: "local connector credentials (encrypted)",
    sql: `
      CREATE TABLE connector_credentials (
        connector TEXT NOT NULL,          -- a local connector's slug
        external_user_id TEXT NOT NULL,   -- '' = the connector's default, for every end user
        kind TEXT NOT NULL CHECK (kind IN ('credential', 'oauth_token')),
        fields TEXT NOT NULL,             -- the JSON object's field names, comma-separated (never values)
        secret TEXT NOT NULL,             -- AES-256-GCM: v1:base64(iv | tag | ciphertext), bound to the row
        created_at INTEGER NOT NULL,      -- epoch ms
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (connector, external_user_id, kind)
      );
    `,
  },
  {
    version: 8,
    name: "shared rate-limit buckets",
    // Used on PostgreSQL, where replicas share one budget; one SQLite process keeps its buckets in
    // memory (store/rate-limits.ts), the table only keeps the schemas alike.
    sql: `
      CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY,             -- "user:<id>" or "project"
        tokens REAL NOT NULL,             -- tokens left at the time in "at"
        at INTEGER NOT NULL,              -- epoch ms of the last refill
        per_ms REAL NOT NULL              -- refill rate, tokens per ms
      );
      CREATE INDEX rate_limits_at ON rate_limits (at);
    `,
  },
  {
    version: 9,
    name: "action embeddings for semantic re-ranking",
    sql: `
      CREATE TABLE action_embeddings (
        model TEXT NOT NULL,              -- embeddings model name: vectors of two models never mix
        action_key TEXT NOT NULL,
        text_hash TEXT NOT NULL,          -- SHA-256 of the embedded text: a changed action is embedded again
        vector TEXT NOT NULL,             -- float32 little-endian, base64 (text: what any store's seam carries)
        created_at INTEGER NOT NULL,
        PRIMARY KEY (model, action_key)
      );
    `,
  },
  {
    version: 10,
    name: "catalog version counter",
    // Bumped after every write to catalog_actions/catalog_apps (last step of the same transaction
    // where there is one). PostgreSQL reads it as the catalog's version; SQLite answers from its
    // data_version pragma and keeps the row only so both databases have one schema.
    sql: `
      CREATE TABLE catalog_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
      );
      INSERT INTO catalog_version (id, version) VALUES (1, 0);
    `,
  },
];

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
export const MIGRATION_VERSIONS = MIGRATIONS.map((m) => m.version);

export function openSqlite(path: string, writeBehindFailed?: WriteBehindFailure): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // A commit waits for the disk only when asked (WriteOptions.durable): FULL cost ~0.7 ms per
  // commit here, i.e. per tool call for its audit row.
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteDb(db, path, writeBehindFailed);
}

function migrate(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  const applied = new Set((db.prepare("SELECT version FROM schema_migrations").all() as Array<{ version: number }>).map((r) => r.version));
  const newest = Math.max(0, ...applied);
  if (newest > SCHEMA_VERSION) {
    throw new Error(`database schema version ${newest} is newer than this connect-mcp understands (${SCHEMA_VERSION}); upgrade connect-mcp or use another --db`);
  }
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, new Date().toISOString());
    })();
  }
}

/** The longest a write-behind waits on a busy connection; a kill loses at most this much. */
export const WRITE_BEHIND_GROUP_MS = 50;

/**
 * better-sqlite3 is synchronous: each call runs at once and only the promise is extra. Statements
 * are prepared once per SQL text (the stores' texts are constant, so the cache stays small).
 */
class SqliteDb implements Db {
  readonly dialect = "sqlite" as const;
  private readonly statements = new Map<string, Database.Statement>();
  /** Made once: better-sqlite3 builds a new wrapper (and its variants) on every db.transaction(). */
  private readonly runAll: (steps: ReadonlyArray<readonly [string, readonly SqlParam[]]>) => number[];
  /**
   * Writes asked `behind` and not yet committed. The next write joins them in its transaction (a
   * tool call's audit batch, usually), a read commits them first, and otherwise a timer does: on
   * an idle connection after this turn of the event loop, on a busy one at most every
   * WRITE_BEHIND_GROUP_MS, so that many share one commit (~0.15 ms each on this machine's disk).
   */
  private behind: Array<readonly [string, readonly SqlParam[]]> = [];
  private behindTimer: NodeJS.Timeout | undefined;
  private behindCommittedAt = -Infinity;
  private dataVersion: Database.Statement | undefined;
  /** Catalog writes committed through this connection (data_version counts only other connections'). */
  private catalogWritesHere = 0;
  /** The tables the pending write-behinds insert into ("" for any other statement: every read waits for it). */
  private behindTables = new Set<string>();

  constructor(
    private readonly db: Database.Database,
    readonly label: string,
    private readonly writeBehindFailed: WriteBehindFailure = () => undefined,
  ) {
    this.runAll = db.transaction((steps: ReadonlyArray<readonly [string, readonly SqlParam[]]>) => steps.map(([sql, params]) => this.stmt(sql).run(...params).changes));
  }

  get open(): boolean {
    return this.db.open;
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** The pending write-behinds, handed over to the caller's transaction. */
  private takeBehind(): Array<readonly [string, readonly SqlParam[]]> {
    const steps = this.behind;
    if (!steps.length) return steps;
    this.behind = [];
    this.behindTables.clear();
    clearTimeout(this.behindTimer);
    this.behindTimer = undefined;
    this.behindCommittedAt = Date.now();
    return steps;
  }

  /** Commits the pending write-behinds (before a read, so it sees them). */
  private commitBehind(): void {
    if (this.behind.length) this.commitAlone(this.takeBehind());
  }

  /**
   * Before a read that could see a pending write-behind: a read of other tables (the catalog a
   * describe_action reads after minting its handle) leaves them pending, off the response's path.
   */
  private commitBehindFor(sql: string): void {
    if (!this.behind.length) return;
    for (const table of this.behindTables) {
      if (table === "" || sql.includes(table)) return this.commitBehind();
    }
  }

  private write(steps: ReadonlyArray<readonly [string, readonly SqlParam[]]>, options?: WriteOptions): number[] {
    // One statement is atomic by itself (the usual audit batch: one call per event-loop turn).
    const write = () => (steps.length === 1 ? [this.stmt(steps[0]![0]).run(...steps[0]![1]).changes] : this.runAll(steps));
    const changes = options?.durable ? this.durably(write) : write();
    // Every catalog write ends with this bump (catalog-cache.ts, cache-admin.ts), in the same transaction.
    if (steps.some(([sql]) => sql === BUMP_CATALOG_VERSION)) this.catalogWritesHere++;
    return changes;
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    this.commitBehindFor(sql);
    return this.stmt(sql).get(...params) as T | undefined;
  }

  async all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    this.commitBehindFor(sql);
    return this.stmt(sql).all(...params) as T[];
  }

  async run(sql: string, params: readonly SqlParam[] = [], options?: WriteOptions): Promise<number> {
    if (options?.behind && this.db.open) {
      this.behind.push([sql, params]);
      this.behindTables.add(/^\s*INSERT\s+INTO\s+"?(\w+)/i.exec(sql)?.[1] ?? "");
      this.behindTimer ??= setTimeout(() => this.commitAlone(this.takeBehind()), Math.max(0, this.behindCommittedAt + WRITE_BEHIND_GROUP_MS - Date.now()));
      return 1;
    }
    return (await this.batch([[sql, params]], options))[0]!;
  }

  /** One write committed with synchronous = FULL, which syncs the WAL (earlier commits included). */
  private durably<T>(write: () => T): T {
    if (this.db.memory) return write();
    this.db.pragma("synchronous = FULL");
    try {
      return write();
    } finally {
      this.db.pragma("synchronous = NORMAL");
    }
  }

  async batch(steps: ReadonlyArray<readonly [string, readonly SqlParam[]]>, options?: WriteOptions): Promise<number[]> {
    const pending = this.takeBehind();
    if (!pending.length) return this.write(steps, options);
    try {
      return this.write([...pending, ...steps], options).slice(pending.length);
    } catch {
      // Neither pays for the other's failure: each alone, and only the caller's error is thrown.
      this.commitAlone(pending);
      return this.write(steps, options);
    }
  }

  /** Commits write-behinds by themselves; a failure is reported, not thrown at an unrelated caller. */
  private commitAlone(steps: ReadonlyArray<readonly [string, readonly SqlParam[]]>): void {
    try {
      if (steps.length && this.db.open) this.write(steps);
    } catch (err) {
      this.writeBehindFailed(err as Error, steps.length);
    }
  }

  async catalogVersion(): Promise<string> {
    // Counts commits of other connections to this file; this process's own writes update its index directly.
    // A prepared statement, kept: db.pragma() prepares anew on every call (~20 µs; several per list_actions).
    this.dataVersion ??= this.db.prepare("PRAGMA data_version").pluck();
    return String(this.dataVersion.get());
  }

  async catalogStamp(): Promise<string> {
    return `${await this.catalogVersion()}:${this.catalogWritesHere}`;
  }

  async ping(): Promise<void> {
    this.stmt("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.commitBehind();
    this.db.close();
  }
}
