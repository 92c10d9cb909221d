/**
 * The real search catalog (bench/data/pipedream-catalog.json, built by build-search-catalog.mjs
 * from Pipedream's published component packages) and the labelled requests over it
 * (the dev set, tuned on: bench/data/search-queries.json, origins "first dev" and test-v1,
 * bench/data/search-queries-dev-v2.json, origin test-v2, bench/data/search-queries-dev-v3.json,
 * origin test-v3, and bench/data/search-queries-dev-v4.json, origin test-v4, the earlier held-out
 * sets; the held-out test set, never tuned on: bench/data/search-queries-holdout-v5.json, when
 * present), in the shapes the
 * evaluation needs: Connect's wire shape for the emulator (e2e through the MCP client) and the
 * provider's shape for a pre-filled cache (bench/search-eval.mjs).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const catalog = JSON.parse(readFileSync(join(here, "data", "pipedream-catalog.json"), "utf8"));

const readQueries = (file) => JSON.parse(readFileSync(join(here, "data", file), "utf8")).queries;

/**
 * The dev set: [{query, app?, relevant: [keys], tags?, set: "dev", origin?: "test-v1" | "test-v2" | "test-v3" | "test-v4"}]
 * (no origin: the first dev half). test-v1 to test-v4 were held-out sets once; all were looked at.
 */
export const QUERIES = [
  ...readQueries("search-queries.json"),
  ...readQueries("search-queries-dev-v2.json"),
  ...readQueries("search-queries-dev-v3.json"),
  ...readQueries("search-queries-dev-v4.json"),
].map((q) => ({ ...q, set: "dev" }));

/** The origins of the dev set's requests, in the order they were written (undefined: the first dev half). */
export const DEV_ORIGINS = [undefined, "test-v1", "test-v2", "test-v3", "test-v4"];

export const HOLDOUT_PATH = join(here, "data", "search-queries-holdout-v5.json");

/**
 * The held-out test set, or undefined when bench/data/search-queries-holdout-v5.json is absent. Read
 * only when asked for (never at import), so tuning runs cannot see it by accident. Every request
 * in it counts as test, whatever its `set` says; the file is `{queries: [...]}` or a bare array.
 */
export function loadHoldout() {
  if (!existsSync(HOLDOUT_PATH)) return undefined;
  const data = JSON.parse(readFileSync(HOLDOUT_PATH, "utf8"));
  const list = Array.isArray(data) ? data : data.queries;
  if (!Array.isArray(list)) throw new Error(`${HOLDOUT_PATH}: expected {queries: [...]} or an array of requests`);
  return list.map((q) => ({ ...q, set: "test" }));
}

/** As the provider returns them (AppInfo, ActionDefinition). */
export const APP_INFOS = catalog.apps.map((a) => ({ slug: a.slug, name: a.name, description: a.description, categories: a.categories ?? [], customFieldNames: [] }));
export const ACTION_DEFINITIONS = catalog.actions.map((a) => ({ key: a.key, name: a.name, version: a.version, description: a.description, annotations: a.annotations, props: a.props }));

/** As Connect serves them, for the emulator's extraCatalog. */
export const WIRE_APPS = catalog.apps.map((a, i) => ({
  id: `app_pd${String(i).padStart(3, "0")}`,
  name_slug: a.slug,
  name: a.name,
  auth_type: "oauth",
  description: a.description,
  img_src: `https://assets.pipedream.net/s.v0/app_pd${i}/logo/orig`,
  custom_fields_json: "[]",
  categories: a.categories ?? [],
  featured_weight: 0,
  scope_profiles: [],
}));
export const WIRE_ACTIONS = catalog.actions.map((a) => ({
  key: a.key,
  name: a.name,
  version: a.version,
  component_type: "action",
  description: a.description,
  annotations: { readOnlyHint: a.annotations.readOnlyHint, destructiveHint: a.annotations.destructiveHint, idempotentHint: a.annotations.readOnlyHint, openWorldHint: true, title: a.name },
  configurable_props: a.props,
}));
