/**
 * Configuration handles: the state of a step-by-step action configuration, kept in SQLite so it
 * survives restarts and never depends on a transport session. A handle belongs to one end user
 * (and, when the client named one, one conversation); every read checks both.
 */
import { randomBytes } from "node:crypto";
import type { ActionProp } from "../providers/provider.js";
import type { Db } from "./db.js";

export type ConfigurationStatus = "open" | "running" | "done";

export interface Configuration {
  id: string;
  externalUserId: string;
  conversationId?: string;
  actionKey: string;
  actionVersion: string;
  configuredProps: Record<string, unknown>;
  props: ActionProp[];
  dynamicPropsId?: string;
  status: ConfigurationStatus;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

interface Row {
  id: string;
  external_user_id: string;
  conversation_id: string | null;
  action_key: string;
  action_version: string;
  configured_props: string;
  props: string;
  dynamic_props_id: string | null;
  status: ConfigurationStatus;
  created_at: number;
  updated_at: number;
  expires_at: number;
}

function fromRow(r: Row): Configuration {
  return {
    id: r.id,
    externalUserId: r.external_user_id,
    ...(r.conversation_id ? { conversationId: r.conversation_id } : {}),
    actionKey: r.action_key,
    actionVersion: r.action_version,
    configuredProps: JSON.parse(r.configured_props) as Record<string, unknown>,
    props: JSON.parse(r.props) as ActionProp[],
    ...(r.dynamic_props_id ? { dynamicPropsId: r.dynamic_props_id } : {}),
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    expiresAt: r.expires_at,
  };
}

/** 128 random bits: a handle cannot be guessed, and is checked against its owner anyway. */
export function newConfigurationId(): string {
  return `cfg_${randomBytes(16).toString("base64url")}`;
}

export class ConfigurationStore {
  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(init: Pick<Configuration, "externalUserId" | "conversationId" | "actionKey" | "actionVersion" | "configuredProps" | "props">): Configuration {
    const at = this.now();
    const cfg: Configuration = { ...init, id: newConfigurationId(), status: "open", createdAt: at, updatedAt: at, expiresAt: at + this.ttlMs };
    this.purgeExpired();
    this.db
      .prepare(
        "INSERT INTO configurations (id, external_user_id, conversation_id, action_key, action_version, configured_props, props, dynamic_props_id, status, created_at, updated_at, expires_at) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'open', ?, ?, ?)",
      )
      .run(cfg.id, cfg.externalUserId, cfg.conversationId ?? null, cfg.actionKey, cfg.actionVersion, JSON.stringify(cfg.configuredProps), JSON.stringify(cfg.props), at, at, cfg.expiresAt);
    return cfg;
  }

  get(id: string): Configuration | undefined {
    const row = this.db.prepare("SELECT * FROM configurations WHERE id = ?").get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Save props and prop list; each save extends the handle's life by the TTL. */
  save(cfg: Configuration): Configuration {
    const at = this.now();
    const next = { ...cfg, updatedAt: at, expiresAt: at + this.ttlMs };
    this.db
      .prepare("UPDATE configurations SET configured_props = ?, props = ?, dynamic_props_id = ?, updated_at = ?, expires_at = ? WHERE id = ? AND status = 'open'")
      .run(JSON.stringify(next.configuredProps), JSON.stringify(next.props), next.dynamicPropsId ?? null, at, next.expiresAt, cfg.id);
    return next;
  }

  /** Move open → running atomically; false if another call got there first (or it is closed). */
  claimForRun(id: string): boolean {
    return this.db.prepare("UPDATE configurations SET status = 'running', updated_at = ? WHERE id = ? AND status = 'open'").run(this.now(), id).changes === 1;
  }

  /** After a run: `done` closes the handle; `open` releases it again (the run failed). */
  finishRun(id: string, status: "done" | "open"): void {
    const at = this.now();
    this.db.prepare("UPDATE configurations SET status = ?, updated_at = ?, expires_at = ? WHERE id = ?").run(status, at, at + this.ttlMs, id);
  }

  purgeExpired(): number {
    // Closed and expired handles are kept a day so a late caller hears "expired"/"closed", not "unknown".
    return this.db.prepare("DELETE FROM configurations WHERE expires_at < ?").run(this.now() - 86_400_000).changes;
  }
}

/** Per-conversation defaults, e.g. the account chosen for an app. */
export class ConversationDefaults {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  get(user: string, conversationId: string, name: string): string | undefined {
    const row = this.db
      .prepare("SELECT value FROM conversation_defaults WHERE external_user_id = ? AND conversation_id = ? AND name = ?")
      .get(user, conversationId, name) as { value: string } | undefined;
    return row?.value;
  }

  set(user: string, conversationId: string, name: string, value: string): void {
    this.db
      .prepare(
        "INSERT INTO conversation_defaults (external_user_id, conversation_id, name, value, updated_at) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT (external_user_id, conversation_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
      )
      .run(user, conversationId, name, value, this.now());
  }
}
