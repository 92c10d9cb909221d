/**
 * Search quality on the labelled set in bench/search-fixture.mjs: recall@5 (share of each query's
 * relevant actions found in the top 5, averaged), hit@1 and MRR, through the same code path as
 * list_actions (Catalog over the real @pipedream/sdk provider, against the emulator serving the
 * fixture catalog). Run: npm run build && node bench/search-recall.mjs [--verbose]
 */
import { resolveConfig } from "../dist/src/config.js";
import { createServices } from "../dist/src/core/services.js";
import { EMULATOR_DEFAULTS, startEmulator } from "../dist/src/emulator/index.js";
import { createLogger } from "../dist/src/logger.js";
import { openDb } from "../dist/src/store/db.js";
import { ACTIONS, APP_QUERIES, APPS, QUERIES } from "./search-fixture.mjs";

const verbose = process.argv.includes("--verbose");
const emu = await startEmulator({ port: 0, extraCatalog: { apps: APPS, components: ACTIONS } });
try {
  const config = resolveConfig({
    env: {
      PIPEDREAM_BASE_URL: emu.url,
      PIPEDREAM_CLIENT_ID: EMULATOR_DEFAULTS.clientId,
      PIPEDREAM_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret,
      PIPEDREAM_PROJECT_ID: EMULATOR_DEFAULTS.projectId,
      PIPEDREAM_PROJECT_ENVIRONMENT: EMULATOR_DEFAULTS.environment,
      CONNECT_MCP_DB: ":memory:",
    },
  });
  const db = openDb(":memory:");
  const services = createServices(config, db, createLogger("silent"));
  if (!services.ok) throw new Error(services.reason);
  const { catalog } = services.services;

  let recall = 0;
  let hits1 = 0;
  let rr = 0;
  const misses = [];
  for (const q of QUERIES) {
    const { actions } = await catalog.listActions({ query: q.query, app: q.app, limit: 50 });
    const keys = actions.map((a) => a.key);
    const top5 = keys.slice(0, 5);
    const found = q.relevant.filter((k) => top5.includes(k)).length;
    recall += found / Math.min(5, q.relevant.length);
    if (q.relevant.includes(keys[0])) hits1++;
    const first = keys.findIndex((k) => q.relevant.includes(k));
    rr += first >= 0 ? 1 / (first + 1) : 0;
    if (found < Math.min(5, q.relevant.length) || verbose) misses.push(`${found < Math.min(5, q.relevant.length) ? "MISS" : "ok  "} "${q.query}"${q.app ? ` [app ${q.app}]` : ""}: top5 ${top5.join(", ")} | want ${q.relevant.join(", ")}`);
  }
  let appHits = 0;
  for (const q of APP_QUERIES) {
    const { apps } = await catalog.listActions({ query: q.query, limit: 5 });
    const top3 = (apps ?? []).slice(0, 3).map((a) => a.slug);
    if (top3.some((s) => q.apps.includes(s))) appHits++;
    else misses.push(`APP MISS "${q.query}": ${top3.join(", ")} | want one of ${q.apps.join(", ")}`);
  }
  const n = QUERIES.length;
  for (const line of misses) console.log(line);
  console.log(
    `queries: ${n} over ${ACTIONS.length + 16} actions / ${APPS.length + 10} apps\n` +
      `recall@5: ${(recall / n).toFixed(3)}\nhit@1:    ${(hits1 / n).toFixed(3)}\nMRR:      ${(rr / n).toFixed(3)}\n` +
      `apps in top 3: ${appHits}/${APP_QUERIES.length}`,
  );
  db.close();
} finally {
  await emu.close();
}
