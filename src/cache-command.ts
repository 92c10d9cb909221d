/**
 * `connect-mcp cache [--clear]`: what the cache (SQLite file or PostgreSQL) holds (catalog per Connect project, when it
 * was last listed, Connect Links handed out), or empty it. Output is for a person at a terminal.
 * A running server notices a clear on its next search and reloads from Connect.
 */
import { existsSync, statSync } from "node:fs";
import type { Config } from "./config.js";
import { cacheStats, clearCache } from "./store/cache-admin.js";
import { openDb } from "./store/db.js";

export async function runCacheCommand(config: Config, options: { clear: boolean }, now = Date.now()): Promise<{ lines: string[]; ok: boolean }> {
  const sqlite = !config.databaseUrl;
  if (sqlite && config.db !== ":memory:" && !existsSync(config.db)) {
    return { ok: true, lines: [`No cache yet at ${config.db} (it is created when the server first runs).`] };
  }
  const db = await openDb(config);
  try {
    const size = !sqlite || config.db === ":memory:" ? "" : ` (${formatBytes(statSync(config.db).size)})`;
    const lines = [`Cache: ${db.label}${size}`];
    if (options.clear) {
      const c = await clearCache(db);
      lines.push(`Cleared ${c.actions} action definitions, ${c.apps} apps, ${c.listings} listing records and ${c.connectLinks} Connect Links.`);
      return { ok: true, lines };
    }
    const stats = await cacheStats(db, now);
    const ttl = config.catalogTtlSeconds * 1000;
    lines.push(`Catalog TTL: ${config.catalogTtlSeconds} s${ttl === 0 ? " (caching disabled)" : ""}; older entries are served while they are refreshed.`);
    if (stats.length === 0) lines.push("The cache is empty.");
    for (const s of stats) {
      lines.push("", s.scope.split(" + ").map(scopeLabel).join(" + "));
      lines.push(`  actions: ${s.actions}${s.newestFetchedAt ? `, fetched ${age(now - s.newestFetchedAt)} ago (oldest ${age(now - (s.oldestFetchedAt ?? now))})` : ""}`);
      lines.push(`  apps: ${s.apps}`);
      const whole = s.listings.filter((l) => l.what === "actions" || l.what === "apps");
      const perApp = s.listings.filter((l) => l.what.startsWith("app:"));
      for (const l of whole) lines.push(`  ${l.what === "actions" ? "whole action catalog" : "app directory"} listed ${age(now - l.syncedAt)} ago${ttl > 0 ? (now - l.syncedAt < ttl ? " (fresh)" : " (stale: refreshed on next use)") : ""}`);
      if (perApp.length) lines.push(`  apps listed one by one: ${perApp.map((l) => l.what.slice(4)).join(", ")}`);
      lines.push(`  Connect Links in use: ${s.connectLinks}`);
    }
    lines.push("", "Run `connect-mcp cache --clear` to empty it.");
    return { ok: true, lines };
  } finally {
    await db.close();
  }
}

/** `base|proj|env` (Pipedream) or `composio|base|key fingerprint[|pins]`, for people. */
function scopeLabel(part: string): string {
  const fields = part.split("|");
  if (fields[0] === "composio") return `Composio at ${fields[1] ?? "?"} (key ${fields[2] ?? "?"}${fields[3] ? `, pinned ${fields[3]}` : ""})`;
  const [baseUrl, project, environment] = fields;
  return `${project ?? "?"} (${environment ?? "?"}) at ${baseUrl ?? "?"}`;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1_048_576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1_048_576).toFixed(1)} MB`;
}
