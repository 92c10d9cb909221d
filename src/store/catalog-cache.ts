/**
 * Cache of action and app definitions, so a repeated describe_action makes no upstream call and
 * search runs over a local copy of the catalog. `getAction`/`getApp` return fresh entries only
 * (younger than the TTL); the `*Entry` readers return any age with the fetch time, for callers
 * that serve stale entries while they refresh them. Only successfully fetched, parsed definitions
 * are ever written; with a TTL of 0 nothing is.
 */
import type { ActionDefinition, AppInfo } from "../providers/provider.js";
import { BUMP_CATALOG_VERSION, type Db } from "./db.js";
import { deepFreeze } from "./deep-freeze.js";

/** The app an action belongs to: its app prop's app, else the key's prefix (`slack-send-message` → slack). */
export function actionAppSlug(action: ActionDefinition): string {
  const appProp = action.props.find((p) => p.type === "app" && typeof p.app === "string");
  return String(appProp?.app ?? action.key.split("-")[0] ?? "");
}

export interface CacheEntry<T> {
  value: T;
  fetchedAt: number;
}

/** Rows read back from `-Infinity` on: the smallest time both databases take as an integer. */
const EVER = Number.MIN_SAFE_INTEGER;

const UPSERT_ACTION =
  "INSERT INTO catalog_actions (scope, key, version, definition, fetched_at, app) VALUES (?, ?, ?, ?, ?, ?) " +
  "ON CONFLICT (scope, key) DO UPDATE SET version = excluded.version, definition = excluded.definition, fetched_at = excluded.fetched_at, app = excluded.app";
const BUMP = [BUMP_CATALOG_VERSION, []] as const;
const UPSERT_APP =
  "INSERT INTO catalog_apps (scope, slug, definition, fetched_at) VALUES (?, ?, ?, ?) " +
  "ON CONFLICT (scope, slug) DO UPDATE SET definition = excluded.definition, fetched_at = excluded.fetched_at";

/** A parsed definition, the row state it came from, and the catalog stamp at which that row was last read. */
interface ParsedAction {
  value: ActionDefinition;
  fetchedAt: number;
  version: string;
  checkedAt?: string;
}

export class CatalogCache {
  private readonly parsedActions = new Map<string, ParsedAction>();

  constructor(
    private readonly db: Db,
    private readonly scope: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get ttl(): number {
    return this.ttlMs;
  }

  /** False once the database has been closed (a background refresh then stops quietly). */
  get open(): boolean {
    return this.db.open;
  }

  /** Changes when another connection (another connect-mcp process or replica, `connect-mcp cache --clear`) commits. */
  dataVersion(): Promise<string> {
    return this.db.catalogVersion();
  }

  isFresh(fetchedAt: number): boolean {
    return this.now() - fetchedAt < this.ttlMs;
  }

  async getAction(key: string): Promise<ActionDefinition | undefined> {
    const entry = await this.getActionEntry(key);
    return entry && this.isFresh(entry.fetchedAt) ? entry.value : undefined;
  }

  /**
   * Parsed definitions are kept (deep-frozen, a bounded LRU) and reused while the row's fetched_at
   * and version are unchanged: its JSON is parsed again only when it changed. A definition checked
   * at the current catalog stamp (nothing in the catalog changed since, here or elsewhere) is
   * reused without reading its row; a describe_action of a cached action reads no catalog row.
   */
  async getActionEntry(key: string): Promise<CacheEntry<ActionDefinition> | undefined> {
    const known = this.parsedActions.get(key);
    // Read before the row, so a write landing in between shows as a new stamp next time.
    const stamp = known ? await this.db.catalogStamp() : undefined;
    if (known && known.checkedAt === stamp) return this.reuse(key, known);
    const row = await this.db.get<{ definition: string | null; fetched_at: number; version: string }>(
      "SELECT CASE WHEN fetched_at = ? AND version = ? THEN NULL ELSE definition END AS definition, fetched_at, version FROM catalog_actions WHERE scope = ? AND key = ?",
      [known?.fetchedAt ?? -1, known?.version ?? "", this.scope, key],
    );
    if (!row) {
      this.parsedActions.delete(key);
      return undefined;
    }
    return row.definition === null && known ? this.reuse(key, known, stamp) : this.remember(key, row.definition!, row.fetched_at, row.version, stamp);
  }

  /**
   * Several actions' entries (a page of search results, one app's actions) in one read, plus one
   * for the definitions whose row changed since they were parsed: not a read per action, which
   * on PostgreSQL is a round trip each. Definitions checked at the current catalog stamp need no
   * read at all. Keys without a row are absent from the answer.
   */
  async getActionEntries(keys: readonly string[]): Promise<Map<string, CacheEntry<ActionDefinition>>> {
    const out = new Map<string, CacheEntry<ActionDefinition>>();
    const stamp = keys.some((key) => this.parsedActions.has(key)) ? await this.db.catalogStamp() : undefined;
    const unchecked: string[] = [];
    for (const key of keys) {
      const known = this.parsedActions.get(key);
      if (known && stamp !== undefined && known.checkedAt === stamp) out.set(key, this.reuse(key, known));
      else unchecked.push(key);
    }
    for (let i = 0; i < unchecked.length; i += KEYS_PER_READ) {
      const chunk = unchecked.slice(i, i + KEYS_PER_READ);
      const marks = chunk.map(() => "?").join(", ");
      const rows = await this.db.all<{ key: string; fetched_at: number; version: string }>(`SELECT key, fetched_at, version FROM catalog_actions WHERE scope = ? AND key IN (${marks})`, [this.scope, ...chunk]);
      const found = new Set(rows.map((row) => row.key));
      for (const key of chunk) if (!found.has(key)) this.parsedActions.delete(key);
      const changed: string[] = [];
      for (const row of rows) {
        const known = this.parsedActions.get(row.key);
        if (known && known.fetchedAt === row.fetched_at && known.version === row.version) out.set(row.key, this.reuse(row.key, known, stamp));
        else changed.push(row.key);
      }
      if (changed.length === 0) continue;
      const fresh = await this.db.all<{ key: string; definition: string; fetched_at: number; version: string }>(
        `SELECT key, definition, fetched_at, version FROM catalog_actions WHERE scope = ? AND key IN (${changed.map(() => "?").join(", ")})`,
        [this.scope, ...changed],
      );
      for (const row of fresh) out.set(row.key, this.remember(row.key, row.definition, row.fetched_at, row.version, stamp));
    }
    return out;
  }

  /** A parsed definition still current (as of `checkedAt`, when its row was just read), now the most recently used. */
  private reuse(key: string, known: ParsedAction, checkedAt?: string): CacheEntry<ActionDefinition> {
    if (checkedAt !== undefined) known.checkedAt = checkedAt;
    this.parsedActions.delete(key);
    this.parsedActions.set(key, known);
    return { value: known.value, fetchedAt: known.fetchedAt };
  }

  private remember(key: string, definition: string, fetchedAt: number, version: string, checkedAt?: string): CacheEntry<ActionDefinition> {
    const value = deepFreeze(JSON.parse(definition) as ActionDefinition);
    this.parsedActions.delete(key);
    this.parsedActions.set(key, { value, fetchedAt, version, checkedAt });
    if (this.parsedActions.size > PARSED_ACTIONS_KEPT) this.parsedActions.delete(this.parsedActions.keys().next().value!);
    return { value, fetchedAt };
  }

  async putActions(actions: ActionDefinition[]): Promise<void> {
    if (this.ttlMs <= 0 || actions.length === 0) return;
    const at = this.now();
    await this.db.batch([...actions.map((a) => [UPSERT_ACTION, [this.scope, a.key, a.version, JSON.stringify(a), at, actionAppSlug(a)]] as const), BUMP]);
  }

  /** Every cached action of this scope, any age. */
  allActions(): Promise<ActionDefinition[]> {
    return this.actionsFetchedSince(-Infinity);
  }

  /** Cached actions written at or after `at` (epoch ms). */
  async actionsFetchedSince(at: number): Promise<ActionDefinition[]> {
    const rows = await this.db.all<{ definition: string }>("SELECT definition FROM catalog_actions WHERE scope = ? AND fetched_at >= ?", [this.scope, Math.max(at, EVER)]);
    return rows.map((r) => JSON.parse(r.definition) as ActionDefinition);
  }

  async counts(): Promise<{ actions: number; apps: number }> {
    const actions = (await this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM catalog_actions WHERE scope = ?", [this.scope]))!.n;
    const apps = (await this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM catalog_apps WHERE scope = ?", [this.scope]))!.n;
    return { actions, apps };
  }

  /** Remove actions last fetched before `at` (gone from a complete listing); returns their keys. */
  async deleteActionsFetchedBefore(at: number, app?: string): Promise<string[]> {
    const where = app === undefined ? "scope = ? AND fetched_at < ?" : "scope = ? AND fetched_at < ? AND app = ?";
    const args = app === undefined ? [this.scope, at] : [this.scope, at, app];
    const rows = await this.db.all<{ key: string }>(`DELETE FROM catalog_actions WHERE ${where} RETURNING key`, args);
    if (rows.length) await this.db.run(BUMP_CATALOG_VERSION);
    return rows.map((r) => r.key);
  }

  async getApp(slug: string): Promise<AppInfo | undefined> {
    const e = await this.getAppEntry(slug);
    return e && this.isFresh(e.fetchedAt) ? e.value : undefined;
  }

  async getAppEntry(slug: string): Promise<CacheEntry<AppInfo> | undefined> {
    return entry<AppInfo>(await this.db.get("SELECT definition, fetched_at FROM catalog_apps WHERE scope = ? AND slug = ?", [this.scope, slug]));
  }

  putApp(app: AppInfo): Promise<void> {
    return this.putApps([app]);
  }

  async putApps(apps: AppInfo[]): Promise<void> {
    if (this.ttlMs <= 0 || apps.length === 0) return;
    const at = this.now();
    await this.db.batch([...apps.map((app) => [UPSERT_APP, [this.scope, app.slug, JSON.stringify(app), at]] as const), BUMP]);
  }

  allApps(): Promise<AppInfo[]> {
    return this.appsFetchedSince(-Infinity);
  }

  async appsFetchedSince(at: number): Promise<AppInfo[]> {
    const rows = await this.db.all<{ definition: string }>("SELECT definition FROM catalog_apps WHERE scope = ? AND fetched_at >= ?", [this.scope, Math.max(at, EVER)]);
    return rows.map((r) => JSON.parse(r.definition) as AppInfo);
  }

  async deleteAppsFetchedBefore(at: number): Promise<string[]> {
    const rows = await this.db.all<{ slug: string }>("DELETE FROM catalog_apps WHERE scope = ? AND fetched_at < ? RETURNING slug", [this.scope, at]);
    if (rows.length) await this.db.run(BUMP_CATALOG_VERSION);
    return rows.map((r) => r.slug);
  }
}

/** Parsed definitions kept by getActionEntry (a describe/run reads the same few actions again and again). */
const PARSED_ACTIONS_KEPT = 256;
/** Keys per IN (…) read: far below SQLite's and PostgreSQL's parameter limits. */
const KEYS_PER_READ = 500;

function entry<T>(row: unknown): CacheEntry<T> | undefined {
  const r = row as { definition: string; fetched_at: number } | undefined;
  return r ? { value: JSON.parse(r.definition) as T, fetchedAt: r.fetched_at } : undefined;
}
