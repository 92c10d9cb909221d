/**
 * When each part of the catalog was last listed completely: the whole action catalog, the app
 * directory, or one app's actions. Freshness is judged against the catalog TTL by the caller.
 */
import type Database from "better-sqlite3";
import type { Db } from "./db.js";

export class CatalogSyncState {
  constructor(
    private readonly db: Db,
    private readonly scope: string,
    private readonly enabled: boolean,
  ) {}

  /** Epoch ms of the last complete listing of `what`, if any. */
  private select: Database.Statement | undefined;

  syncedAt(what: string): number | undefined {
    this.select ??= this.db.prepare("SELECT synced_at FROM catalog_sync WHERE scope = ? AND what = ?");
    const row = this.select.get(this.scope, what) as { synced_at: number } | undefined;
    return row?.synced_at;
  }

  markSynced(what: string, at: number): void {
    if (!this.enabled) return;
    this.db
      .prepare("INSERT INTO catalog_sync (scope, what, synced_at) VALUES (?, ?, ?) ON CONFLICT (scope, what) DO UPDATE SET synced_at = excluded.synced_at")
      .run(this.scope, what, at);
  }
}
