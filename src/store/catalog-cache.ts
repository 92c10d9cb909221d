/**
 * Cache of action and app definitions, so a repeated describe_action makes no upstream call.
 * Entries older than the TTL are treated as absent; only successfully fetched, parsed definitions
 * are ever written.
 */
import type { ActionDefinition, AppInfo } from "../providers/provider.js";
import type { Db } from "./db.js";

export class CatalogCache {
  constructor(
    private readonly db: Db,
    private readonly scope: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  getAction(key: string): ActionDefinition | undefined {
    return this.fresh<ActionDefinition>(
      this.db.prepare("SELECT definition, fetched_at FROM catalog_actions WHERE scope = ? AND key = ?").get(this.scope, key),
    );
  }

  putActions(actions: ActionDefinition[]): void {
    if (this.ttlMs <= 0 || actions.length === 0) return;
    const stmt = this.db.prepare(
      "INSERT INTO catalog_actions (scope, key, version, definition, fetched_at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (scope, key) DO UPDATE SET version = excluded.version, definition = excluded.definition, fetched_at = excluded.fetched_at",
    );
    const at = this.now();
    this.db.transaction(() => {
      for (const a of actions) stmt.run(this.scope, a.key, a.version, JSON.stringify(a), at);
    })();
  }

  getApp(slug: string): AppInfo | undefined {
    return this.fresh<AppInfo>(
      this.db.prepare("SELECT definition, fetched_at FROM catalog_apps WHERE scope = ? AND slug = ?").get(this.scope, slug),
    );
  }

  putApp(app: AppInfo): void {
    if (this.ttlMs <= 0) return;
    this.db
      .prepare(
        "INSERT INTO catalog_apps (scope, slug, definition, fetched_at) VALUES (?, ?, ?, ?) " +
          "ON CONFLICT (scope, slug) DO UPDATE SET definition = excluded.definition, fetched_at = excluded.fetched_at",
      )
      .run(this.scope, app.slug, JSON.stringify(app), this.now());
  }

  private fresh<T>(row: unknown): T | undefined {
    const r = row as { definition: string; fetched_at: number } | undefined;
    if (!r || this.now() - r.fetched_at >= this.ttlMs) return undefined;
    return JSON.parse(r.definition) as T;
  }
}
