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

  /** Epoch ms of the last complete listing of each of `whats`, in one read (a round trip on PostgreSQL); parts never listed are absent. */
  async syncedAtEach(whats: readonly string[]): Promise<Map<string, number>> {
    const marks = whats.map(() => "?").join(", ");
    const rows = await this.db.all<{ what: string; synced_at: number }>(`SELECT what, synced_at FROM catalog_sync WHERE scope = ? AND what IN (${marks})`, [this.scope, ...whats]);
    return new Map(rows.map((r) => [r.what, Number(r.synced_at)]));
  }

  async markSynced(what: string, at: number): Promise<void> {
    if (!this.enabled) return;
    await this.db.run("INSERT INTO catalog_sync (scope, what, synced_at) VALUES (?, ?, ?) ON CONFLICT (scope, what) DO UPDATE SET synced_at = excluded.synced_at", [this.scope, what, at]);
  }
}
