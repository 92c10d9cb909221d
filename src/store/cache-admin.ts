/**
 * What the cache holds, and clearing it, for `connect-mcp cache`. Covers every scope (Connect
 * project/environment/base URL) in the file. Only cached, re-fetchable data: the catalog, its
 * listing times and the Connect Links handed out. Never prints a link (it carries a token).
 */
import { BUMP_CATALOG_VERSION } from "./db.js";
import type { Db } from "./db.js";

export interface ScopeStats {
  scope: string;
  actions: number;
  apps: number;
  oldestFetchedAt?: number;
  newestFetchedAt?: number;
  listings: Array<{ what: string; syncedAt: number }>;
  connectLinks: number;
}

export async function cacheStats(db: Db, now = Date.now()): Promise<ScopeStats[]> {
  const scopes = new Map<string, ScopeStats>();
  const get = (scope: string): ScopeStats => {
    let s = scopes.get(scope);
    if (!s) scopes.set(scope, (s = { scope, actions: 0, apps: 0, listings: [], connectLinks: 0 }));
    return s;
  };
  const actionRows = await db.all<{ scope: string; n: number; oldest: number; newest: number }>(
    "SELECT scope, COUNT(*) AS n, MIN(fetched_at) AS oldest, MAX(fetched_at) AS newest FROM catalog_actions GROUP BY scope",
  );
  for (const r of actionRows) Object.assign(get(r.scope), { actions: r.n, oldestFetchedAt: r.oldest, newestFetchedAt: r.newest });
  for (const r of await db.all<{ scope: string; n: number }>("SELECT scope, COUNT(*) AS n FROM catalog_apps GROUP BY scope")) get(r.scope).apps = r.n;
  for (const r of await db.all<{ scope: string; what: string; synced_at: number }>("SELECT scope, what, synced_at FROM catalog_sync ORDER BY what")) {
    get(r.scope).listings.push({ what: r.what, syncedAt: r.synced_at });
  }
  const links = await db.all<{ scope: string; n: number }>("SELECT scope, COUNT(*) AS n FROM connect_links WHERE expires_at > ? GROUP BY scope", [now]);
  for (const r of links) get(r.scope).connectLinks = r.n;
  return [...scopes.values()].sort((a, b) => (a.scope < b.scope ? -1 : 1));
}

export async function clearCache(db: Db): Promise<{ actions: number; apps: number; listings: number; connectLinks: number }> {
  const [actions, apps, listings, connectLinks] = await db.batch([
    ["DELETE FROM catalog_actions", []],
    ["DELETE FROM catalog_apps", []],
    ["DELETE FROM catalog_sync", []],
    ["DELETE FROM connect_links", []],
    [BUMP_CATALOG_VERSION, []],
  ]);
  return { actions: actions!, apps: apps!, listings: listings!, connectLinks: connectLinks! };
}
