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
