/**
 * Action and app definitions, read through the store's cache, and ranked search over them.
 *
 * Freshness is stale-while-revalidate: an entry younger than the TTL is served as is; an older
 * one is served at once while a refresh runs in the background (single-flight per item, backing
 * off for a minute after a failed refresh); only a missing entry makes the caller wait.
 * - `describe_action` of a cached action makes no upstream call.
 * - Search without an app ranks the whole locally cached catalog, listed completely in the
 *   background. Until the first listing completes (Connect has 10,000+ actions: ~100 pages), a
 *   caller waits at most `coldWaitMs`, then is answered from what has arrived plus Connect's own
 *   search (`q`) for the query — the upstream search is the source where the local copy is thin.
 * - Search within an app lists that app's actions completely on first use (a few pages).
 * - An unknown app slug is answered with the closest real ones.
 * With a TTL of 0 nothing is cached: every call goes upstream and is ranked in memory.
 */
import type { Logger } from "../logger.js";
import { ProviderError, type ActionDefinition, type AppInfo, type ConnectProvider } from "../providers/provider.js";
import type { CatalogCache } from "../store/catalog-cache.js";
import type { CatalogSyncState } from "../store/catalog-sync.js";
import { quote, ToolError } from "./errors.js";
import { CatalogSearch, type RankedAction } from "./search/catalog-search.js";
import type { SemanticReranker } from "./search/semantic.js";
import { editDistance, plainDescription } from "./search/text.js";

const APP_SLUG = /^[a-z0-9_]+$/i;

const PAGE_SIZE = 100;
const MAX_CATALOG_PAGES = 300;
const MAX_APP_PAGES = 100;
const MAX_APP_ACTION_PAGES = 20;
/** After a background refresh fails, leave that item alone this long. */
const RETRY_AFTER_FAILURE_MS = 60_000;
/** How many top actions vote for their apps in app ranking (see CatalogSearch.searchApps). */
const APP_EVIDENCE_ACTIONS = 20;
/** Upstream search results merged in while the local catalog is still arriving. */
const UPSTREAM_SEARCH_LIMIT = 50;

export interface CatalogOptions {
  logger?: Logger;
  /** How long a caller waits for a first complete listing before answering from what it has. */
  coldWaitMs?: number;
  /** Optional semantic re-ranking of ranked results (an embeddings endpoint is configured). */
  semantic?: SemanticReranker;
  now?: () => number;
}

export interface ActionQuery {
  app?: string;
  query?: string;
  limit: number;
  /** Position in the ranked/sorted local result. */
  offset?: number;
  /** Upstream cursor, when paging Connect's own listing (no local catalog yet). */
  after?: string;
}

export interface ActionListing {
  actions: ActionDefinition[];
  nextOffset?: number;
  nextAfter?: string;
  /** Best-matching apps (only for a search without an app). */
  apps?: AppInfo[];
  /** With an app and a query none of its actions matched: the app's actions, listed instead. */
  unmatched?: boolean;
}

type Freshness = "fresh" | "stale" | "missing";

export class Catalog {
  private readonly search = new CatalogSearch();
  private readonly appInfo = new Map<string, AppInfo>();
  private loadedVersion: string | undefined;
  private indexLoad: Promise<CatalogSearch> | undefined;
  /** When the index last read the cache (this process's clock). */
  private lookedAt = 0;
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly failedAt = new Map<string, number>();
  private readonly coldWaitMs: number;
  private readonly now: () => number;

  constructor(
    private readonly provider: ConnectProvider,
    private readonly cache: CatalogCache,
    private readonly syncState: CatalogSyncState,
    private readonly options: CatalogOptions = {},
  ) {
    this.coldWaitMs = options.coldWaitMs ?? 3000;
    this.now = options.now ?? Date.now;
  }

  /* ---------------- single definitions ---------------- */

  async getAction(key: string): Promise<ActionDefinition> {
    // Which provider answers for a key is the registry's business; none claiming it means it is no key.
    if (!this.provider.ownerOf({ actionKey: key })) {
      throw new ToolError(`"${quote(key)}" is not an action key. Keys look like "slack-send-message"; find them with list_actions.`);
    }
    const cached = this.cache.enabled ? await this.cache.getActionEntry(key) : undefined;
    if (cached) {
      if (!this.cache.isFresh(cached.fetchedAt)) this.background(`action:${key}`, () => this.fetchAction(key));
      return this.withProvider(cached.value);
    }
    try {
      return await this.fetchAction(key);
    } catch (err) {
      if (err instanceof ProviderError && err.kind === "not_found") {
        throw new ToolError(`Unknown action "${quote(key)}". Find valid keys with list_actions (filter by app or query).`);
      }
      throw err;
    }
  }

  async getApp(slug: string): Promise<AppInfo> {
    if (!APP_SLUG.test(slug)) {
      const near = await this.suggestApps(slug.toLowerCase().replace(/[^a-z0-9]+/g, "_")).catch(() => []);
      throw new ToolError(`"${quote(slug)}" is not an app slug. Slugs are lowercase with underscores, e.g. "google_sheets".${didYouMean(near)}`, suggestionDetail(near));
    }
    const cached = this.cache.enabled ? await this.cache.getAppEntry(slug) : undefined;
    if (cached) {
      if (!this.cache.isFresh(cached.fetchedAt)) this.background(`app:${slug}`, () => this.fetchApp(slug));
      return cached.value;
    }
    try {
      return await this.fetchApp(slug);
    } catch (err) {
      if (err instanceof ProviderError && err.kind === "not_found") {
        const near = await this.suggestApps(slug).catch(() => []);
        throw new ToolError(
          `Unknown app "${quote(slug)}".${didYouMean(near)} App slugs are lowercase with underscores (e.g. "google_sheets"); list_actions with a query finds apps by name.`,
          suggestionDetail(near),
        );
      }
      throw err;
    }
  }

  /** A definition cached before definitions named their provider gets it from the registry. */
  private withProvider(def: ActionDefinition): ActionDefinition {
    if (def.provider) return def;
    const provider = this.provider.ownerOf({ actionKey: def.key });
    return provider ? { ...def, provider } : def;
  }

  private async fetchAction(key: string): Promise<ActionDefinition> {
    const action = await this.provider.getAction(key);
    await this.storeActions([action]);
    return action;
  }

  private async fetchApp(slug: string): Promise<AppInfo> {
    const app = await this.provider.getApp(slug);
    await this.storeApps([app]);
    return app;
  }

  /* ---------------- listing and search ---------------- */

  async listActions(q: ActionQuery): Promise<ActionListing> {
    const query = q.query?.trim() || undefined;
    const offset = q.offset ?? 0;
    if (q.app) {
      await this.getApp(q.app);
      const { byKey, index } = await this.appActions(q.app);
      if (!query) return page([...byKey.values()].sort(byName), offset, q.limit);
      const lexical = (index ?? this.ephemeral([...byKey.values()])).searchActions(query, { app: q.app, limit: Math.max(offset + q.limit + 1, this.semanticDepth()) });
      const ranked = await this.semanticRerank(query, lexical, byKey);
      const listing = await this.rankedPage(ranked, byKey, offset, q.limit);
      // Unmatched actions follow the matches with score 0 (CatalogSearch.searchActions).
      if (lexical.length > 0 && lexical[0]!.score === 0) listing.unmatched = true;
      return listing;
    }

    // Both listings' freshness in one read: a warm search costs three statements (this, the index's
    // version check, the page's definitions), where each is a round trip on PostgreSQL.
    const fresh = this.cache.enabled ? await this.catalogFreshness() : undefined;
    const state = await this.catalogReady(fresh?.actions);
    if (!query) {
      if (state === "ready" || (this.cache.enabled && (await this.index()).actionCount > 0 && !q.after)) {
        const byKeyOrder = (await this.index()).allKeys().sort().map((key) => ({ key, score: 0 }));
        const listing = await this.rankedPage(byKeyOrder, new Map(), offset, q.limit);
        listing.apps = this.appsOf(listing.actions);
        return listing;
      }
      // No local catalog (caching off, or the first listing has not landed): Connect's own pages.
      const upstream = await this.provider.listActions({ limit: q.limit, after: q.after });
      await this.storeActions(upstream.actions);
      return { actions: upstream.actions, ...(upstream.nextCursor ? { nextAfter: upstream.nextCursor } : {}), apps: this.appsOf(upstream.actions) };
    }

    let index = this.cache.enabled ? await this.index() : undefined;
    let extra: ActionDefinition[] = [];
    if (state !== "ready") {
      extra = (await this.provider.listActions({ query, limit: UPSTREAM_SEARCH_LIMIT })).actions;
      await this.storeActions(extra);
      index = this.cache.enabled ? await this.index() : this.ephemeral(extra);
    }
    // Apps' names and descriptions weigh in action ranking: have the app directory first, so the
    // first search ranks as later ones do.
    const appsReady = await this.appsReady(fresh?.apps);
    // Listings this call waited for went into the index as they were stored; it is read again
    // only when there was something to wait for (another process may have listed meanwhile).
    if (this.cache.enabled && (state !== "ready" || fresh?.apps === "missing")) index = await this.index();
    // Enough for this page, to know whether there is a next one, and for ranking apps.
    const known = new Map(extra.map((a) => [a.key, a]));
    const lexical = index!.searchActions(query, { limit: Math.max(offset + q.limit + 1, APP_EVIDENCE_ACTIONS, this.semanticDepth()) });
    const ranked = await this.semanticRerank(query, lexical, known);
    const listing = await this.rankedPage(ranked, known, offset, q.limit);
    listing.apps = await this.rankApps(query, ranked, index!, appsReady);
    return listing;
  }

  /** How many candidates semantic re-ranking wants ranked (0 when it is off). */
  private semanticDepth(): number {
    return this.options.semantic ? this.options.semantic.depth : 0;
  }

  /** The lexical ranking, re-ordered by the optional semantic re-ranker (unchanged without one). */
  private async semanticRerank(query: string, ranked: RankedAction[], known: Map<string, ActionDefinition>): Promise<RankedAction[]> {
    if (!this.options.semantic) return ranked;
    return this.options.semantic.rerank(query, ranked, (key) => {
      const text = (def: ActionDefinition | undefined) => (def ? `${def.name}. ${plainDescription(def.description)}`.trim() : undefined);
      const def = known.get(key);
      if (def || !this.cache.enabled) return text(def);
      return this.cache.getActionEntry(key).then((entry) => text(entry?.value));
    });
  }

  /** One page of ranked keys, with only that page's definitions read from the cache. */
  private async rankedPage(ranked: RankedAction[], known: Map<string, ActionDefinition>, offset: number, limit: number): Promise<ActionListing> {
    const actions = await this.definitions(ranked.slice(offset, offset + limit), known);
    return { actions, ...(ranked.length > offset + limit ? { nextOffset: offset + limit } : {}) };
  }

  /** Apps by name or slug, for a query (used without an app filter); `ready`: whether the app directory is local. */
  private async rankApps(query: string, ranked: RankedAction[], index: CatalogSearch, ready: boolean): Promise<AppInfo[]> {
    // `index` is the loaded shared index when caching is on, and appInfo was loaded with it.
    const known = new Map(this.cache.enabled ? this.appInfo : []);
    let search = index;
    if (!ready) {
      // No local app directory yet: Connect's own app search for the query fills in.
      const found = (await this.provider.listApps({ query, limit: 10 }).catch(() => ({ apps: [] as AppInfo[] }))).apps;
      await this.storeApps(found);
      for (const a of found) known.set(a.slug, a);
      if (!this.cache.enabled) for (const a of found) index.upsertApp(a);
      search = this.cache.enabled ? await this.index() : index;
    }
    const apps = search.searchApps(query, ranked, { limit: 5, weightOf: (slug) => known.get(slug)?.featuredWeight ?? 0 });
    return apps.map((a) => known.get(a.slug) ?? { slug: a.slug, name: a.slug, customFieldNames: [] });
  }

  private appsOf(actions: ActionDefinition[]): AppInfo[] {
    const slugs = [...new Set(actions.map((a) => this.search.appOf(a.key) ?? a.key.split("-")[0]!))];
    return slugs.map((slug) => this.appInfo.get(slug) ?? { slug, name: slug, customFieldNames: [] });
  }

  /** Closest real apps to a slug that does not exist (best first, at most 3). */
  async suggestApps(slug: string): Promise<AppInfo[]> {
    let candidates: AppInfo[] = [];
    if (this.cache.enabled && (await this.appsReady())) {
      await this.index();
      candidates = [...this.appInfo.values()];
    }
    if (candidates.length === 0) {
      // No local app directory: ask Connect's own search with the slug's words and its start.
      const probes = [...new Set([slug.replace(/_/g, " "), slug.slice(0, 3)])].filter((p) => p.trim().length >= 2);
      const found = new Map<string, AppInfo>();
      for (const probe of probes) {
        const res = await this.provider.listApps({ query: probe, limit: 20 }).catch(() => ({ apps: [] as AppInfo[] }));
        for (const a of res.apps) found.set(a.slug, a);
      }
      await this.storeApps([...found.values()]);
      candidates = [...found.values(), ...this.appInfo.values()];
    }
    const scored = new Map<string, { app: AppInfo; score: number }>();
    for (const app of candidates) {
      const score = slugSimilarity(slug, app);
      if (score >= 0.5 && score > (scored.get(app.slug)?.score ?? 0)) scored.set(app.slug, { app, score });
    }
    return [...scored.values()]
      .sort((a, b) => b.score - a.score || (b.app.featuredWeight ?? 0) - (a.app.featuredWeight ?? 0) || (a.app.slug < b.app.slug ? -1 : 1))
      .slice(0, 3)
      .map((s) => s.app);
  }

  /* ---------------- local copy ---------------- */

  /** One app's actions by key, listed completely on first use; `index` when they live in the shared index. */
  private async appActions(app: string): Promise<{ byKey: Map<string, ActionDefinition>; index?: CatalogSearch }> {
    if (!this.cache.enabled) {
      const fetched = await this.listUpstream(app);
      return { byKey: new Map(fetched.map((a) => [a.key, a])) };
    }
    const state = await this.freshness("actions", `app:${app}`);
    if (state === "missing") await this.run(`app-actions:${app}`, () => this.syncActions(app));
    else if (state === "stale") this.background(`app-actions:${app}`, () => this.syncActions(app));
    const index = await this.index();
    const byKey = new Map<string, ActionDefinition>();
    const keys = [...index.keysOfApp(app)];
    const entries = await this.cache.getActionEntries(keys);
    for (const key of keys) {
      const def = entries.get(key)?.value;
      if (def) byKey.set(key, this.withProvider(def));
    }
    return { byKey, index };
  }

  /** Whether the whole catalog is available locally (possibly stale, being refreshed); `known`: its freshness, read already. */
  private async catalogReady(known?: Freshness): Promise<"ready" | "partial"> {
    if (!this.cache.enabled) return "partial";
    const state = known ?? (await this.freshness("actions"));
    if (state === "fresh") return "ready";
    if (state === "stale") {
      this.background("actions", () => this.syncActions());
      return "ready";
    }
    const job = this.run("actions", () => this.syncActions());
    job.catch((err: unknown) => this.options.logger?.warn({ err: describe(err) }, "listing the action catalog failed"));
    await settledWithin(job, this.coldWaitMs);
    return (await this.freshness("actions")) === "missing" ? "partial" : "ready";
  }

  private async appsReady(known?: Freshness): Promise<boolean> {
    if (!this.cache.enabled) return false;
    const state = known ?? (await this.freshness("apps"));
    if (state === "fresh") return true;
    if (state === "stale") {
      this.background("apps", () => this.syncApps());
      return true;
    }
    const job = this.run("apps", () => this.syncApps());
    job.catch((err: unknown) => this.options.logger?.warn({ err: describe(err) }, "listing the app directory failed"));
    await settledWithin(job, this.coldWaitMs);
    return (await this.freshness("apps")) !== "missing";
  }

  /** How fresh the newest complete listing of any of `whats` is (one read for all of them). */
  private async freshness(...whats: string[]): Promise<Freshness> {
    let newest: number | undefined;
    for (const at of (await this.syncState.syncedAtEach(whats)).values()) if (newest === undefined || at > newest) newest = at;
    return this.judge(newest);
  }

  /** How fresh each of the action catalog and the app directory is, in one read: a search needs both. */
  private async catalogFreshness(): Promise<{ actions: Freshness; apps: Freshness }> {
    const at = await this.syncState.syncedAtEach(["actions", "apps"]);
    return { actions: this.judge(at.get("actions")), apps: this.judge(at.get("apps")) };
  }

  private judge(syncedAt: number | undefined): Freshness {
    if (syncedAt === undefined) return "missing";
    return this.cache.isFresh(syncedAt) ? "fresh" : "stale";
  }

  /** List actions (all, or one app's) page by page into the cache; drop what a complete listing no longer has. */
  private async syncActions(app?: string): Promise<void> {
    const started = this.now();
    let after: string | undefined;
    let complete = false;
    for (let pages = 0; pages < (app ? MAX_APP_ACTION_PAGES : MAX_CATALOG_PAGES); pages++) {
      if (!this.cache.open) return;
      const res = await this.provider.listActions({ ...(app ? { app } : {}), limit: PAGE_SIZE, after });
      if (!this.cache.open) return;
      await this.storeActions(res.actions);
      after = res.nextCursor;
      if (!after) {
        complete = true;
        break;
      }
    }
    if (complete) for (const key of await this.cache.deleteActionsFetchedBefore(started, app)) this.search.removeAction(key);
    await this.syncState.markSynced(app ? `app:${app}` : "actions", started);
    this.options.logger?.debug({ app, ms: this.now() - started, actions: app ? this.search.keysOfApp(app).length : this.search.actionCount }, "catalog listed");
  }

  private async syncApps(): Promise<void> {
    const started = this.now();
    let after: string | undefined;
    let complete = false;
    for (let pages = 0; pages < MAX_APP_PAGES; pages++) {
      if (!this.cache.open) return;
      const res = await this.provider.listApps({ limit: PAGE_SIZE, after });
      if (!this.cache.open) return;
      await this.storeApps(res.apps);
      after = res.nextCursor;
      if (!after) {
        complete = true;
        break;
      }
    }
    if (complete) {
      for (const slug of await this.cache.deleteAppsFetchedBefore(started)) {
        this.search.removeApp(slug);
        this.appInfo.delete(slug);
      }
    }
    await this.syncState.markSynced("apps", started);
  }

  /** Every page of one app's actions, uncached (TTL 0). */
  private async listUpstream(app: string): Promise<ActionDefinition[]> {
    const out: ActionDefinition[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < MAX_APP_ACTION_PAGES; pages++) {
      const res = await this.provider.listActions({ app, limit: PAGE_SIZE, after });
      out.push(...res.actions);
      after = res.nextCursor;
      if (!after) break;
    }
    return out;
  }

  private async storeActions(actions: ActionDefinition[]): Promise<void> {
    if (!this.cache.enabled || actions.length === 0 || !this.cache.open) return;
    await this.cache.putActions(actions);
    if (this.loadedVersion !== undefined) for (const a of actions) this.search.upsertAction(a);
  }

  private async storeApps(fetched: AppInfo[]): Promise<void> {
    if (!this.cache.enabled || fetched.length === 0 || !this.cache.open) return;
    // An app several providers offer arrives once per provider: keep every provider it came from.
    const apps: AppInfo[] = [];
    for (const a of fetched) {
      const known = a.providers ? (await this.cache.getAppEntry(a.slug))?.value.providers : undefined;
      apps.push(known ? { ...a, providers: [...new Set([...known, ...a.providers!])] } : a);
    }
    await this.cache.putApps(apps);
    if (this.loadedVersion !== undefined) {
      for (const a of apps) {
        this.search.upsertApp(a);
        this.appInfo.set(a.slug, a);
      }
    }
  }

  /**
   * The shared index, loaded from the store on first use. When another connection has changed the
   * cache since (another connect-mcp on the same file, `connect-mcp cache --clear`), only rows
   * written since the last look are re-read; a full reload happens only when rows disappeared.
   */
  private index(): Promise<CatalogSearch> {
    // Single-flight: a reload clears the index first, so concurrent callers share one.
    this.indexLoad ??= this.loadIndex().finally(() => (this.indexLoad = undefined));
    return this.indexLoad;
  }

  private async loadIndex(): Promise<CatalogSearch> {
    const version = await this.cache.dataVersion();
    if (this.loadedVersion === version) return this.search;
    const started = this.now();
    const counts = await this.cache.counts();
    const incremental =
      this.loadedVersion !== undefined && counts.actions >= this.search.actionCount && counts.apps >= this.search.appCount;
    if (!incremental) {
      this.search.clear();
      this.appInfo.clear();
    }
    // Other processes stamp rows with their own clock: look a little further back than needed.
    const since = incremental ? this.lookedAt - 60_000 : -Infinity;
    for (const a of await this.cache.actionsFetchedSince(since)) this.search.upsertAction(a);
    for (const a of await this.cache.appsFetchedSince(since)) {
      this.search.upsertApp(a);
      this.appInfo.set(a.slug, a);
    }
    this.loadedVersion = version;
    this.lookedAt = started;
    this.options.logger?.debug({ incremental, actions: this.search.actionCount, apps: this.search.appCount, ms: this.now() - started }, "search index loaded");
    return this.search;
  }

  private ephemeral(actions: ActionDefinition[]): CatalogSearch {
    const index = new CatalogSearch();
    for (const a of actions) index.upsertAction(a);
    return index;
  }

  private async definitions(ranked: RankedAction[], known: Map<string, ActionDefinition>): Promise<ActionDefinition[]> {
    const unknown = this.cache.enabled ? ranked.filter((r) => !known.has(r.key)).map((r) => r.key) : [];
    const entries = unknown.length ? await this.cache.getActionEntries(unknown) : undefined;
    const out: ActionDefinition[] = [];
    for (const r of ranked) {
      const def = known.get(r.key) ?? entries?.get(r.key)?.value;
      if (def) out.push(this.withProvider(def));
    }
    return out;
  }

  /* ---------------- background work ---------------- */

  /** Single-flight: concurrent callers for the same item share one upstream job. */
  private run<T>(what: string, job: () => Promise<T>): Promise<T> {
    const existing = this.running.get(what) as Promise<T> | undefined;
    if (existing) return existing;
    const p = job().finally(() => this.running.delete(what));
    this.running.set(what, p);
    return p;
  }

  private background(what: string, job: () => Promise<unknown>): void {
    if (this.running.has(what)) return;
    const failed = this.failedAt.get(what);
    if (failed !== undefined && this.now() - failed < RETRY_AFTER_FAILURE_MS) return;
    this.run(what, job).then(
      () => this.failedAt.delete(what),
      (err: unknown) => {
        this.failedAt.set(what, this.now());
        this.options.logger?.warn({ what, err: describe(err) }, "background catalog refresh failed; serving the cached copy");
      },
    );
  }

  /** Resolves when no refresh is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }
}

/* ---------------- helpers ---------------- */

function byName(a: ActionDefinition, b: ActionDefinition): number {
  return a.name.localeCompare(b.name) || (a.key < b.key ? -1 : 1);
}

function page(all: ActionDefinition[], offset: number, limit: number): ActionListing {
  const actions = all.slice(offset, offset + limit);
  return { actions, ...(offset + limit < all.length ? { nextOffset: offset + limit } : {}) };
}

async function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.then(noop, noop), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function noop(): void {}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function didYouMean(apps: AppInfo[]): string {
  return apps.length ? ` Did you mean ${apps.map((a) => `"${a.slug}" (${a.name})`).join(", ")}?` : "";
}

function suggestionDetail(apps: AppInfo[]): Record<string, unknown> | undefined {
  return apps.length ? { suggestions: apps.map((a) => ({ slug: a.slug, name: a.name })) } : undefined;
}

/** 0..1: how likely `typed` was meant to be this app (edit distance, containment, word overlap). */
export function slugSimilarity(typed: string, app: AppInfo): number {
  const t = typed.toLowerCase();
  const forms = [app.slug.toLowerCase(), app.name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "")];
  let best = 0;
  for (const f of forms) {
    if (!f) continue;
    const len = Math.max(t.length, f.length);
    best = Math.max(best, 1 - editDistance(t, f, len) / len);
    const squashedT = t.replace(/_/g, "");
    const squashedF = f.replace(/_/g, "");
    if (squashedT === squashedF) best = Math.max(best, 0.95);
    if (t.length >= 3 && (f.includes(t) || t.includes(f))) best = Math.max(best, 0.7 + 0.2 * (Math.min(t.length, f.length) / len));
    const tw = t.split("_").filter((w) => w.length >= 3);
    const fw = f.split("_").filter((w) => w.length >= 3);
    if (tw.length && fw.length) {
      const hits = tw.filter((w) => fw.some((x) => editDistance(w, x, 1) <= 1)).length;
      best = Math.max(best, (0.85 * hits) / Math.max(tw.length, fw.length));
    }
  }
  return best;
}
