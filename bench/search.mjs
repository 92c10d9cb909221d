/**
 * Search latency over a synthetic 10,000-action catalog (500 apps × 20 actions, deterministic).
 * The catalog is written to an in-memory SQLite cache exactly as a completed listing would leave
 * it; then list_actions' code path (Catalog.listActions: rank, load the page's definitions, rank
 * apps) runs 1,000 queries — natural-language requests, terse keywords, typos, app names — with
 * a provider that fails the run if anything goes upstream.
 *
 * Run: npm run build && node bench/search.mjs [--actions N] [--queries N]
 */
import { Catalog } from "../dist/src/core/catalog.js";
import { CatalogCache } from "../dist/src/store/catalog-cache.js";
import { CatalogSyncState } from "../dist/src/store/catalog-sync.js";
import { openDb } from "../dist/src/store/db.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ACTIONS = arg("actions", 10_000);
const QUERIES = arg("queries", 1_000);
const PER_APP = 20;

// Deterministic PRNG (mulberry32), so every run measures the same catalog and queries.
let seed = 0x5eed;
function rand() {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(rand() * list.length)];

const VERBS = ["create", "update", "delete", "get", "list", "find", "send", "add", "remove", "upload", "download", "archive", "search", "move", "copy", "share", "assign", "invite", "reply to", "schedule", "cancel", "publish", "export", "import", "merge", "approve", "close", "reopen", "tag", "watch"];
const OBJECTS = ["message", "channel", "user", "contact", "deal", "issue", "ticket", "task", "project", "file", "folder", "row", "record", "event", "meeting", "invoice", "customer", "order", "product", "comment", "note", "page", "database", "email", "draft", "label", "campaign", "subscriber", "list", "board", "card", "lead", "opportunity", "repository", "branch", "pull request", "release", "workspace", "team", "member", "payment", "refund", "subscription", "form", "response", "spreadsheet", "worksheet", "document", "template", "webhook"];
const SYLLABLES = ["ac", "me", "lo", "ra", "vi", "to", "zen", "flow", "desk", "hub", "ly", "io", "data", "base", "cloud", "mail", "chat", "task", "sheet", "doc", "pay", "shop", "form", "cal", "track", "sync", "ops", "crm", "go", "net"];
const CATEGORIES = ["Communication", "Productivity", "CRM", "Developer Tools", "Marketing", "Payments", "E-commerce", "Storage", "Customer Support", "Project Management"];
const FILLER = ["quickly", "in bulk", "with attachments", "by ID", "from a template", "for the current user", "in a workspace", "using filters", "with custom fields", "and notify watchers"];

function appName(i) {
  const parts = [pick(SYLLABLES), pick(SYLLABLES)];
  if (rand() < 0.4) parts.push(pick(SYLLABLES));
  const word = parts.join("");
  return `${word[0].toUpperCase()}${word.slice(1)}${rand() < 0.2 ? ` ${pick(["Pro", "Cloud", "CRM", "Desk"])}` : ""} ${i}`;
}

const apps = [];
const actions = [];
for (let a = 0; a < Math.ceil(ACTIONS / PER_APP); a++) {
  const name = appName(a);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "_");
  apps.push({ slug, name, description: `${name} helps teams ${pick(VERBS)} ${pick(OBJECTS)}s and ${pick(VERBS)} ${pick(OBJECTS)}s.`, categories: [pick(CATEGORIES)], customFieldNames: [], featuredWeight: Math.floor(rand() * 5000) });
  const used = new Set();
  for (let k = 0; k < PER_APP && actions.length < ACTIONS; k++) {
    let verb;
    let object;
    do {
      verb = pick(VERBS);
      object = pick(OBJECTS);
    } while (used.has(`${verb} ${object}`));
    used.add(`${verb} ${object}`);
    const title = `${verb[0].toUpperCase()}${verb.slice(1)} ${object[0].toUpperCase()}${object.slice(1)}`;
    const propCount = 2 + Math.floor(rand() * 6);
    const props = [{ name: slug, type: "app", app: slug }];
    for (let p = 0; p < propCount; p++) {
      const o = pick(OBJECTS).replace(/ /g, "");
      props.push({ name: `${o}${pick(["Id", "Name", "Ids", "Title", ""])}${p}`, type: pick(["string", "integer", "boolean", "string[]"]), label: `${o[0].toUpperCase()}${o.slice(1)} ${pick(["ID", "Name", "Title", "Value"])}`, description: `The ${o} to ${pick(VERBS)}.`, ...(rand() < 0.3 ? { remoteOptions: true } : {}) });
    }
    actions.push({
      key: `${slug}-${verb.replace(/ /g, "-")}-${object.replace(/ /g, "-")}`,
      name: title,
      version: "0.0.1",
      description: `${title} in ${name} ${pick(FILLER)}. [See the documentation](https://docs.example.com/${slug}/${k})`,
      annotations: { readOnlyHint: ["get", "list", "find", "search", "download", "export"].includes(verb), destructiveHint: ["delete", "remove", "cancel", "archive"].includes(verb), openWorldHint: true },
      props,
    });
  }
}

function typo(word) {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(rand() * (word.length - 2));
  return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}
const queries = [];
for (let i = 0; i < QUERIES; i++) {
  const app = pick(apps);
  const kind = i % 5;
  if (kind === 0) queries.push({ query: `${pick(VERBS)} a ${pick(OBJECTS)}` });
  else if (kind === 1) queries.push({ query: `please ${pick(VERBS)} the ${pick(OBJECTS)} in ${app.name.split(" ")[0]} ${pick(FILLER)}` });
  else if (kind === 2) queries.push({ query: `${typo(pick(OBJECTS))} ${typo(pick(VERBS))}` });
  else if (kind === 3) queries.push({ query: `${pick(OBJECTS)}` });
  else queries.push({ query: `${pick(VERBS)} ${pick(OBJECTS)}`, app: app.slug });
}

// A provider that must not be called: everything is answered from the cache.
// ownerOf is the registry's synchronous bookkeeping (which provider a key belongs to), not a call.
const provider = new Proxy({}, { get: (_, prop) => (prop === "ownerOf" ? () => "pipedream" : async () => { throw new Error(`unexpected upstream call: ${String(prop)}`); }) });

const db = await openDb(":memory:");
const cache = new CatalogCache(db, "bench", 3600_000);
const sync = new CatalogSyncState(db, "bench", true);
let t = performance.now();
await cache.putActions(actions);
await cache.putApps(apps);
await sync.markSynced("actions", Date.now());
await sync.markSynced("apps", Date.now());
const writeMs = performance.now() - t;

const catalog = new Catalog(provider, cache, sync, {});
t = performance.now();
await catalog.listActions({ query: "warm up", limit: 10 }); // loads the index from SQLite
const loadMs = performance.now() - t;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
async function measure(run) {
  const times = [];
  for (const q of queries) {
    const s = performance.now();
    await run(q);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times[times.length - 1] };
}
// One untimed pass so the JIT has seen the code, then the timed pass.
await measure((q) => catalog.listActions({ ...q, limit: 10 }));
const full = await measure((q) => catalog.listActions({ ...q, limit: 10 }));

const f = (n) => `${n.toFixed(2)} ms`;
console.log(`catalog: ${actions.length} actions, ${apps.length} apps; ${queries.length} queries (${queries.filter((q) => q.app).length} within one app)`);
console.log(`SQLite write of the catalog: ${f(writeMs)}; first search (loads the index from SQLite): ${f(loadMs)}`);
console.log(`search (list_actions path: rank, read the page's definitions, rank apps): p50 ${f(full.p50)}  p95 ${f(full.p95)}  p99 ${f(full.p99)}  max ${f(full.max)}`);
await db.close();
