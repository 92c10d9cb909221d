/**
 * Configuration handles: the state of a step-by-step action configuration, kept in the store (SQLite
 * or PostgreSQL) so it survives restarts, any replica can continue it, and never depends on a transport session. A handle belongs to one end user
 * (and, when the client named one, one conversation); every read checks both.
 */
import type { ActionProp } from "../providers/provider.js";
import type { Db } from "./db.js";
import { randomToken } from "./random-token.js";
import { ownerGone, RUN_OWNER } from "./run-owner.js";

/** `unknown`: a run was sent and its outcome is not known; running again needs an explicit rerun. */
export type ConfigurationStatus = "open" | "running" | "done" | "unknown";

export { RUN_OWNER };

/** A save or claim that found the handle no longer open (another call ran or closed it meanwhile). */
export class ConfigurationNotOpenError extends Error {
  override name = "ConfigurationNotOpenError";
}

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
  return `cfg_${randomToken(16)}`;
}

const PURGE_EVERY_MS = 60_000;

/**
 * A new handle starts with its action's prop list from the catalog, deep-frozen and shared by
 * every handle of that action: its JSON is built once, not once per describe_action.
 */
const jsonOfFrozenProps = new WeakMap<readonly ActionProp[], string>();

function propsJson(props: ActionProp[]): string {
  if (!Object.isFrozen(props)) return JSON.stringify(props);
  let json = jsonOfFrozenProps.get(props);
  if (json === undefined) jsonOfFrozenProps.set(props, (json = JSON.stringify(props)));
  return json;
}

export class ConfigurationStore {
  private purgedAt = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async create(init: Pick<Configuration, "externalUserId" | "conversationId" | "actionKey" | "actionVersion" | "configuredProps" | "props">): Promise<Configuration> {
    const at = this.now();
    const cfg: Configuration = { ...init, id: newConfigurationId(), status: "open", createdAt: at, updatedAt: at, expiresAt: at + this.ttlMs };
    // Expired handles go once a minute per process, not one DELETE per new handle.
    if (at - this.purgedAt >= PURGE_EVERY_MS) {
      this.purgedAt = at;
      await this.purgeExpired();
    }
    // Off the response's path on SQLite (WriteOptions.behind): committed with the call's audit row
    // after the answer went out, and seen by every later statement of this process. A random
    // 128-bit id cannot collide, so the insert has no outcome to wait for.
    await this.db.run(
      "INSERT INTO configurations (id, external_user_id, conversation_id, action_key, action_version, configured_props, props, dynamic_props_id, status, created_at, updated_at, expires_at) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'open', ?, ?, ?)",
      [cfg.id, cfg.externalUserId, cfg.conversationId ?? null, cfg.actionKey, cfg.actionVersion, JSON.stringify(cfg.configuredProps), propsJson(cfg.props), at, at, cfg.expiresAt],
      { behind: true },
    );
    return cfg;
  }

  async get(id: string): Promise<Configuration | undefined> {
    const row = await this.db.get<Row>("SELECT * FROM configurations WHERE id = ?", [id]);
    return row ? fromRow(row) : undefined;
  }

  /**
   * Save props and prop list; each save extends the handle's life by the TTL. Only an open handle
   * (or one whose outcome is unknown, when the caller is about to rerun it) can be saved: a save
   * that changes nothing throws, never answers as if it had saved.
   */
  async save(cfg: Configuration): Promise<Configuration> {
    const at = this.now();
    const next = { ...cfg, updatedAt: at, expiresAt: at + this.ttlMs };
    const changed = await this.db.run(
      "UPDATE configurations SET configured_props = ?, props = ?, dynamic_props_id = ?, updated_at = ?, expires_at = ? WHERE id = ? AND status IN ('open', 'unknown')",
      [JSON.stringify(next.configuredProps), propsJson(next.props), next.dynamicPropsId ?? null, at, next.expiresAt, cfg.id],
    );
    if (changed !== 1) throw new ConfigurationNotOpenError(`configuration ${cfg.id} is no longer open (it ran, is running or was removed); nothing was saved`);
    return next;
  }

  /**
   * Move open → running atomically (and unknown → running when `rerun`); false if another call got
   * there first or the handle is closed. The running row names this process, for crash recovery.
   */
  async claimForRun(id: string, options: { rerun?: boolean } = {}): Promise<boolean> {
    const from = options.rerun ? "status IN ('open', 'unknown')" : "status = 'open'";
    return (await this.db.run(`UPDATE configurations SET status = 'running', run_owner = ?, updated_at = ? WHERE id = ? AND ${from}`, [RUN_OWNER, this.now(), id], { durable: true })) === 1;
  }

  /** After a run: `done` closes the handle; `open` releases it (the run failed); `unknown`: it may have run. */
  async finishRun(id: string, status: "done" | "open" | "unknown"): Promise<void> {
    const at = this.now();
    await this.db.run("UPDATE configurations SET status = ?, run_owner = NULL, updated_at = ?, expires_at = ? WHERE id = ? AND status = 'running'", [status, at, at + this.ttlMs, id]);
  }

  /**
   * Runs left `running` by a process that is gone (a crash or kill mid-run) may or may not have
   * happened upstream: mark them `unknown`. A row is orphaned when its owner is a dead process on
   * this host, or when it has been running longer than `staleAfterMs` (owners on other hosts).
   */
  async recoverOrphanedRuns(staleAfterMs: number, alive?: (pid: number) => boolean): Promise<number> {
    const rows = await this.db.all<{ id: string; run_owner: string | null; updated_at: number }>("SELECT id, run_owner, updated_at FROM configurations WHERE status = 'running'");
    const orphaned = rows.filter((r) => ownerGone(r.run_owner, r.updated_at, staleAfterMs, this.now(), alive));
    let changed = 0;
    for (const r of orphaned) {
      // Still `running` and still this owner: a replica that finished it meanwhile keeps its outcome.
      changed += await this.db.run("UPDATE configurations SET status = 'unknown', run_owner = NULL, updated_at = ? WHERE id = ? AND status = 'running' AND run_owner IS NOT DISTINCT FROM ?", [this.now(), r.id, r.run_owner]);
    }
    return changed;
  }

  async purgeExpired(): Promise<number> {
    // Closed and expired handles are kept a day so a late caller hears "expired"/"closed", not "unknown".
    return this.db.run("DELETE FROM configurations WHERE expires_at < ?", [this.now() - 86_400_000]);
  }
}

/** Per-conversation defaults, e.g. the account chosen for an app. */
export class ConversationDefaults {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async get(user: string, conversationId: string, name: string): Promise<string | undefined> {
    const row = await this.db.get<{ value: string }>("SELECT value FROM conversation_defaults WHERE external_user_id = ? AND conversation_id = ? AND name = ?", [user, conversationId, name]);
    return row?.value;
  }

  async set(user: string, conversationId: string, name: string, value: string): Promise<void> {
    await this.db.run(
      "INSERT INTO conversation_defaults (external_user_id, conversation_id, name, value, updated_at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (external_user_id, conversation_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
      [user, conversationId, name, value, this.now()],
    );
  }
}
