/**
 * PostgreSQL's migrations: the same versions as SQLite's (db.ts), each creating the same tables
 * in PostgreSQL's types (epoch ms in BIGINT, JSON kept as TEXT so both stores read it alike).
 * A PostgreSQL database starts empty, so a version may go straight to the shape SQLite reached by
 * rebuilding a table. Never edit a shipped migration; add the next version to both lists.
 */
export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: "catalog cache",
    sql: `
      CREATE TABLE catalog_actions (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        version TEXT NOT NULL,
        definition TEXT NOT NULL,
        fetched_at BIGINT NOT NULL,
        PRIMARY KEY (scope, key)
      );
      CREATE TABLE catalog_apps (
        scope TEXT NOT NULL,
        slug TEXT NOT NULL,
        definition TEXT NOT NULL,
        fetched_at BIGINT NOT NULL,
        PRIMARY KEY (scope, slug)
      );
    `,
  },
  {
    version: 2,
    name: "configuration handles and conversation defaults",
    sql: `
      CREATE TABLE configurations (
        id TEXT PRIMARY KEY,
        external_user_id TEXT NOT NULL,
        conversation_id TEXT,
        action_key TEXT NOT NULL,
        action_version TEXT NOT NULL,
        configured_props TEXT NOT NULL,
        props TEXT NOT NULL,
        dynamic_props_id TEXT,
        status TEXT NOT NULL CONSTRAINT configurations_status CHECK (status IN ('open', 'running', 'done')),
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX configurations_expires_at ON configurations (expires_at);
      CREATE TABLE conversation_defaults (
        external_user_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (external_user_id, conversation_id, name)
      );
    `,
  },
  {
    version: 3,
    name: "catalog sync state, action app column, connect links",
    sql: `
      ALTER TABLE catalog_actions ADD COLUMN app TEXT;
      CREATE INDEX catalog_actions_by_app ON catalog_actions (scope, app);
      CREATE TABLE catalog_sync (
        scope TEXT NOT NULL,
        what TEXT NOT NULL,
        synced_at BIGINT NOT NULL,
        PRIMARY KEY (scope, what)
      );
      CREATE TABLE connect_links (
        scope TEXT NOT NULL,
        external_user_id TEXT NOT NULL,
        app TEXT NOT NULL,
        url TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        options TEXT NOT NULL,
        known_accounts TEXT NOT NULL,
        PRIMARY KEY (scope, external_user_id, app)
      );
    `,
  },
  {
    version: 4,
    name: "audit log, confirmation tokens, meta",
    sql: `
      CREATE TABLE audit_log (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at BIGINT NOT NULL,
        request_id TEXT,
        "user" TEXT,
        credential TEXT NOT NULL,
        tool TEXT NOT NULL,
        app TEXT,
        action TEXT,
        method TEXT,
        host TEXT,
        account_id TEXT,
        outcome TEXT NOT NULL,
        rule TEXT,
        duration_ms BIGINT NOT NULL,
        upstream_status INTEGER
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE INDEX audit_log_user_at ON audit_log ("user", at);
      CREATE TABLE confirmations (
        token_hash TEXT PRIMARY KEY,
        "user" TEXT NOT NULL,
        call_hash TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT
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
    sql: `
      ALTER TABLE configurations DROP CONSTRAINT configurations_status;
      ALTER TABLE configurations ADD CONSTRAINT configurations_status CHECK (status IN ('open', 'running', 'done', 'unknown'));
      ALTER TABLE configurations ADD COLUMN run_owner TEXT;
      CREATE INDEX configurations_running ON configurations (status) WHERE status = 'running';
    `,
  },
  {
    version: 6,
    name: "idempotency records, stored results",
    sql: `
      CREATE TABLE idempotency (
        "user" TEXT NOT NULL,
        tool TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        args_hash TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'unknown')),
        result TEXT,
        owner TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY ("user", tool, key_hash)
      );
      CREATE INDEX idempotency_expires_at ON idempotency (expires_at);
      CREATE TABLE stored_results (
        id TEXT PRIMARY KEY,
        "user" TEXT NOT NULL,
        tool TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX stored_results_expires_at ON stored_results (expires_at);
    `,
  },
  {
    version: 7,
    name: "local connector credentials (encrypted)",
    sql: `
      CREATE TABLE connector_credentials (
        connector TEXT NOT NULL,
        external_user_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('credential', 'oauth_token')),
        fields TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (connector, external_user_id, kind)
      );
    `,
  },
  {
    version: 8,
    name: "shared rate-limit buckets",
    sql: `
      CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY,
        tokens DOUBLE PRECISION NOT NULL,
        at BIGINT NOT NULL,
        per_ms DOUBLE PRECISION NOT NULL
      );
      CREATE INDEX rate_limits_at ON rate_limits (at);
    `,
  },
  {
    version: 9,
    name: "action embeddings for semantic re-ranking",
    sql: `
      CREATE TABLE action_embeddings (
        model TEXT NOT NULL,
        action_key TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        vector TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (model, action_key)
      );
    `,
  },
  {
    version: 10,
    name: "catalog version counter",
    sql: `
      CREATE TABLE catalog_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version BIGINT NOT NULL
      );
      INSERT INTO catalog_version (id, version) VALUES (1, 0);
    `,
  },
];
