/**
 * Cache of action and app definitions, so a repeated describe_action makes no upstream call and
 * search runs over a local copy of the catalog. `getAction`/`getApp` return fresh entries only
 * (younger than the TTL); the `*Entry` readers return any age with the fetch time, for callers
 * that serve stale entries while they refresh them. Only successfully fetched, parsed definitions
 * are ever written; with a TTL of 0 nothing is.
 */
import type { ActionDefinition, AppInfo } from "../providers/provider.js";
import type Database from "better-sqlite3";
import type { Db } from "./db.js";

/** The app an action belongs to: its app prop's app, else the key's prefix (`slack-send-message` → slack). */
export function actionAppSlug(action: ActionDefinition): string {
  const appProp = action.props.find((p) => p.type === "app" && typeof p.app === "string");
  return String(appProp?.app ?? action.key.split("-")[0] ?? "");
}

export interface CacheEntry<T> {
  value: T;
  fetchedAt: number;
}

export class CatalogCache {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Db,
    private readonly scope: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Prepared once per SQL text: lookups run per search result. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

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

  /** Changes when another connection (another connect-mcp process, `connect-mcp cache --clear`) commits. */
  dataVersion(): number {
    return this.db.pragma("data_version", { simple: true }) as number;
  }

  isFresh(fetchedAt: number): boolean {
    return this.now() - fetchedAt < this.ttlMs;
  }

  getAction(key: string): ActionDefinition | undefined {
    const entry = this.getActionEntry(key);
    return entry && this.isFresh(entry.fetchedAt) ? entry.value : undefined;
  }

  getActionEntry(key: string): CacheEntry<ActionDefinition> | undefined {
    return entry<ActionDefinition>(
      this.stmt("SELECT definition, fetched_at FROM catalog_actions WHERE scope = ? AND key = ?").get(this.scope, key),
    );
  }

  putActions(actions: ActionDefinition[]): void {
    if (this.ttlMs <= 0 || actions.length === 0) return;
    const stmt = this.db.prepare(
      "INSERT INTO catalog_actions (scope, key, version, definition, fetched_at, app) VALUES (?, ?, ?, ?, ?, ?) " +
        "ON CONFLICT (scope, key) DO UPDATE SET version = excluded.version, definition = excluded.definition, fetched_at = excluded.fetched_at, app = excluded.app",
    );
    const at = this.now();
    this.db.transaction(() => {
      for (const a of actions) stmt.run(this.scope, a.key, a.version, JSON.stringify(a), at, actionAppSlug(a));
    })();
  }

  /** Every cached action of this scope, any age. */
  allActions(): ActionDefinition[] {
    return this.actionsFetchedSince(-Infinity);
  }

  /** Cached actions written at or after `at` (epoch ms). */
  actionsFetchedSince(at: number): ActionDefinition[] {
    const rows = this.stmt("SELECT definition FROM catalog_actions WHERE scope = ? AND fetched_at >= ?").all(this.scope, at) as Array<{ definition: string }>;
    return rows.map((r) => JSON.parse(r.definition) as ActionDefinition);
  }

  counts(): { actions: number; apps: number } {
    const actions = (this.stmt("SELECT COUNT(*) AS n FROM catalog_actions WHERE scope = ?").get(this.scope) as { n: number }).n;
    const apps = (this.stmt("SELECT COUNT(*) AS n FROM catalog_apps WHERE scope = ?").get(this.scope) as { n: number }).n;
    return { actions, apps };
  }

  /** Remove actions last fetched before `at` (gone from a complete listing); returns their keys. */
  deleteActionsFetchedBefore(at: number, app?: string): string[] {
    const where = app === undefined ? "scope = ? AND fetched_at < ?" : "scope = ? AND fetched_at < ? AND app = ?";
    const args = app === undefined ? [this.scope, at] : [this.scope, at, app];
    return this.db.transaction(() => {
      const keys = (this.db.prepare(`SELECT key FROM catalog_actions WHERE ${where}`).all(...args) as Array<{ key: string }>).map((r) => r.key);
      this.db.prepare(`DELETE FROM catalog_actions WHERE ${where}`).run(...args);
      return keys;
    })();
  }

  getApp(slug: string): AppInfo | undefined {
    const e = this.getAppEntry(slug);
    return e && this.isFresh(e.fetchedAt) ? e.value : undefined;
  }

  getAppEntry(slug: string): CacheEntry<AppInfo> | undefined {
    return entry<AppInfo>(this.stmt("SELECT definition, fetched_at FROM catalog_apps WHERE scope = ? AND slug = ?").get(this.scope, slug));
  }

  putApp(app: AppInfo): void {
    this.putApps([app]);
  }

  putApps(apps: AppInfo[]): void {
    if (this.ttlMs <= 0 || apps.length === 0) return;
    const stmt = this.db.prepare(
      "INSERT INTO catalog_apps (scope, slug, definition, fetched_at) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (scope, slug) DO UPDATE SET definition = excluded.definition, fetched_at = excluded.fetched_at",
    );
    const at = this.now();
    this.db.transaction(() => {
      for (const app of apps) stmt.run(this.scope, app.slug, JSON.stringify(app), at);
    })();
  }

  allApps(): AppInfo[] {
    return this.appsFetchedSince(-Infinity);
  }

  appsFetchedSince(at: number): AppInfo[] {
    const rows = this.stmt("SELECT definition FROM catalog_apps WHERE scope = ? AND fetched_at >= ?").all(this.scope, at) as Array<{ definition: string }>;
    return rows.map((r) => JSON.parse(r.definition) as AppInfo);
  }

  deleteAppsFetchedBefore(at: number): string[] {
    return this.db.transaction(() => {
      const slugs = (this.db.prepare("SELECT slug FROM catalog_apps WHERE scope = ? AND fetched_at < ?").all(this.scope, at) as Array<{ slug: string }>).map((r) => r.slug);
      this.db.prepare("DELETE FROM catalog_apps WHERE scope = ? AND fetched_at < ?").run(this.scope, at);
      return slugs;
    })();
  }
}

function entry<T>(row: unknown): CacheEntry<T> | undefined {
  const r = row as { definition: string; fetched_at: number } | undefined;
  return r ? { value: JSON.parse(r.definition) as T, fetchedAt: r.fetched_at } : undefined;
}
