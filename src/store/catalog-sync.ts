/**
 * When each part of the catalog was last listed completely: the whole action catalog, the app
 * directory, or one app's actions. Freshness is judged against the catalog TTL by the caller.
 */
import type { Db } from "./db.js";

export class CatalogSyncState {
  constructor(
    private readonly db: Db,
    private readonly scope: string,
    private readonly enabled: boolean,
  ) {}

  /** Epoch ms of the last complete listing of `what`, if any. */
  async syncedAt(what: string): Promise<number | undefined> {
    const row = await this.db.get<{ synced_at: number }>("SELECT synced_at FROM catalog_sync WHERE scope = ? AND what = ?", [this.scope, what]);
    return row?.synced_at;
  }

  async markSynced(what: string, at: number): Promise<void> {
    if (!this.enabled) return;
    await this.db.run("INSERT INTO catalog_sync (scope, what, synced_at) VALUES (?, ?, ?) ON CONFLICT (scope, what) DO UPDATE SET synced_at = excluded.synced_at", [this.scope, what, at]);
  }
}
