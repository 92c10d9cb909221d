/**
 * SQLite store (better-sqlite3): one file, WAL, versioned migrations applied in order at open.
 * Later features (configuration handles, audit) add migrations here; never edit a shipped one.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

export type Db = Database.Database;

interface Migration {
  version: number;
  name: string;
  sql: string;
}

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
  // 7 and 8 are taken by branches merged separately (issues 13, 14); migrations apply by version,
  // each once, so the gap is harmless.
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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function openDb(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
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
