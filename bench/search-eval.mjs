/**
 * Search quality over the real catalog of bench/data/pipedream-catalog.json (Pipedream's published
 * component packages), through list_actions' code path (Catalog.listActions over the SQLite cache,
 * offline: a provider that fails the run if anything goes upstream, no model, no network).
 *
 * Sets: dev = every request of bench/data/search-queries.json, bench/data/search-queries-dev-v2.json,
 * bench/data/search-queries-dev-v3.json and bench/data/search-queries-dev-v4.json (tuned on; printed
 * also split by origin: the first dev half; "test-v1", the first test half; "test-v2" to "test-v4",
 * the second to fourth held-out sets, written separately — each folded into dev once it had been
 * looked at);
 * test = bench/data/search-queries-holdout-v5.json, the held-out set written separately
 * and never tuned on — when the file is absent, "no held-out set" is printed. `--only dev` never
 * reads the held-out file.
 * Printed per set: recall@1 (the first hit answers the request), recall@5 (share of a request's
 * answers in the top 5, out of at most 5), hit@5 (at least one answer in the top 5), MRR (over the
 * top 50), plus app-filtered requests that returned nothing.
 *
 * Run: npm run build && node bench/search-eval.mjs [--only dev|test] [--misses dev|test] [--worst N]
 *   --worst N: the N worst requests of each set printed (by reciprocal rank, then recall@5).
 */
import { Catalog } from "../dist/src/core/catalog.js";
import { CatalogCache } from "../dist/src/store/catalog-cache.js";
import { CatalogSyncState } from "../dist/src/store/catalog-sync.js";
import { openDb } from "../dist/src/store/db.js";
import { ACTION_DEFINITIONS as actions, APP_INFOS as apps, DEV_ORIGINS, HOLDOUT_PATH, loadHoldout, QUERIES as devQueries } from "./search-catalog.mjs";

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const showMisses = arg("misses");
const worst = Number(arg("worst") ?? 0);
/** `--only dev` while tuning: the held-out file is then not even read. */
const only = arg("only");
if (only !== undefined && only !== "dev" && only !== "test") throw new Error("--only takes dev or test");
const sets = only ? [only] : ["dev", "test"];
const holdout = sets.includes("test") ? loadHoldout() : undefined;
const queries = [...(sets.includes("dev") ? devQueries : []), ...(holdout ?? [])];

// ownerOf is the registry's synchronous bookkeeping (which provider a key belongs to), not a call.
const provider = new Proxy({}, { get: (_, prop) => (prop === "ownerOf" ? () => "pipedream" : async () => { throw new Error(`unexpected upstream call: ${String(prop)}`); }) });
const db = await openDb(":memory:");
const cache = new CatalogCache(db, "eval", 3600_000);
const sync = new CatalogSyncState(db, "eval", true);
await cache.putActions(actions);
await cache.putApps(apps);
await sync.markSynced("actions", Date.now());
await sync.markSynced("apps", Date.now());
for (const a of apps) await sync.markSynced(`app:${a.slug}`, Date.now());
const catalog = new Catalog(provider, cache, sync, {});

const results = [];
for (const q of queries) {
  const { actions: found } = await catalog.listActions({ query: q.query, ...(q.app ? { app: q.app } : {}), limit: 50 });
  const keys = found.map((a) => a.key);
  const top5 = keys.slice(0, 5);
  const inTop5 = q.relevant.filter((k) => top5.includes(k)).length;
  const first = keys.findIndex((k) => q.relevant.includes(k));
  results.push({
    q,
    keys,
    r1: q.relevant.includes(keys[0]) ? 1 : 0,
    r5: inTop5 / Math.min(5, q.relevant.length),
    h5: inTop5 > 0 ? 1 : 0,
    rr: first >= 0 ? 1 / (first + 1) : 0,
    rank: first >= 0 ? first + 1 : Infinity,
    empty: keys.length === 0,
  });
}

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
function summary(rs) {
  return {
    n: rs.length,
    r1: mean(rs.map((r) => r.r1)),
    r5: mean(rs.map((r) => r.r5)),
    h5: mean(rs.map((r) => r.h5)),
    mrr: mean(rs.map((r) => r.rr)),
    emptyWithApp: rs.filter((r) => r.q.app && r.empty).length,
  };
}
const f = (n) => n.toFixed(3);
const line = (name, s) => `${name.padEnd(22)} n=${String(s.n).padStart(3)}  recall@1 ${f(s.r1)}  recall@5 ${f(s.r5)}  hit@5 ${f(s.h5)}  MRR ${f(s.mrr)}`;
const groups = {
  "with app filter": (r) => !!r.q.app,
  "no app filter": (r) => !r.q.app,
  typo: (r) => r.q.tags?.includes("typo"),
  terse: (r) => r.q.tags?.includes("terse"),
};

const describe = (r) =>
  `${r.r5 < 1 ? "MISS" : "ok  "} r5=${r.r5.toFixed(2)} rank=${r.rank === Infinity ? "-" : r.rank} "${r.q.query}"${r.q.app ? ` [app ${r.q.app}]` : ""}\n      top5: ${r.keys.slice(0, 5).join(", ") || "(nothing)"}\n      want: ${r.q.relevant.join(", ")}`;

if (showMisses) for (const r of results.filter((r) => r.q.set === showMisses && r.r5 < 1)) console.log(describe(r));

console.log(`catalog: ${actions.length} actions of ${apps.length} apps (Pipedream's published packages); requests: ${queries.length}`);
for (const set of sets) {
  const rs = results.filter((r) => r.q.set === set);
  if (set === "test" && !holdout) {
    console.log(`TEST: no held-out set (${HOLDOUT_PATH} is absent)`);
    continue;
  }
  const s = summary(rs);
  const label = set === "dev" ? "DEV (tuned on)" : "TEST (held out)";
  console.log(line(label, s) + `  app-filtered with no result: ${s.emptyWithApp}`);
  if (set === "dev") {
    for (const origin of DEV_ORIGINS) console.log(line(`  origin: ${origin ?? "first dev"}`, summary(rs.filter((r) => r.q.origin === origin))));
  }
  for (const [name, pick] of Object.entries(groups)) console.log(line(`  ${name}`, summary(rs.filter(pick))));
}
if (worst > 0) {
  for (const set of sets) {
    const sorted = results.filter((r) => r.q.set === set).sort((a, b) => a.rr - b.rr || a.r5 - b.r5);
    if (!sorted.length) continue;
    console.log(`\nworst ${worst} ${set} requests (by reciprocal rank, then recall@5):`);
    for (const r of sorted.slice(0, worst)) console.log(describe(r));
  }
}
await db.close();
