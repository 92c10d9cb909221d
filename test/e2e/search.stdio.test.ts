/**
 * Ranked search and the catalog cache, end to end, through the official MCP client to the built
 * CLI. Behaviour runs over the small catalog of bench/search-fixture.mjs next to the emulator's
 * seed; quality is measured on labelled requests over real actions from Pipedream's published
 * packages (bench/search-catalog.mjs), as bench/search-eval.mjs does on the cache path.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
// @ts-expect-error plain JS fixture shared with the bench scripts
import { ACTIONS, APP_QUERIES, APPS } from "../../bench/search-fixture.mjs";
// @ts-expect-error plain JS module shared with the bench scripts
import { QUERIES as LABELLED, WIRE_ACTIONS, WIRE_APPS } from "../../bench/search-catalog.mjs";
import { call, connectStdio, emulatorEnv, fault, type StdioSession } from "../helpers.js";

interface Labelled {
  query: string;
  app?: string;
  relevant: string[];
  set: "dev" | "test";
  origin?: string;
}
interface ActionRow {
  key: string;
  name: string;
  description: string;
  app: string;
  read_only: boolean;
  destructive: boolean;
}

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, extraCatalog: { apps: APPS, components: ACTIONS } });
});
afterAll(async () => {
  await emu?.close();
});

describe("ranked search over the cached catalog", () => {
  let s: StdioSession;
  beforeAll(async () => {
    // Dozens of queries in a few seconds: above the default per-user rate limit.
    s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "0" }));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("results are short, best match first, with read-only/destructive flags", async () => {
    const r = await call(s.client, "list_actions", { query: "post a message to a slack channel" });
    const actions = r.structured!.actions as ActionRow[];
    expect(actions[0]!.key).toBe("slack-send-message");
    expect(actions.length).toBeLessThanOrEqual(10);
    for (const a of actions) {
      expect(Object.keys(a).sort()).toEqual(["app", "description", "destructive", "key", "name", "provider", "read_only"]);
      expect(a.description.length).toBeLessThanOrEqual(160);
      expect(a.description).not.toMatch(/\]\(|https?:/);
    }
    const del = await call(s.client, "list_actions", { query: "delete a google calendar event", limit: 1 });
    expect((del.structured!.actions as ActionRow[])[0]).toMatchObject({ key: "google_calendar-delete-event", destructive: true, read_only: false });
  });

  it("without app, returns the best-matching apps and whether the user connected them", async () => {
    for (const q of APP_QUERIES as Array<{ query: string; apps: string[] }>) {
      const r = await call(s.client, "list_actions", { query: q.query });
      const apps = r.structured!.apps as Array<{ slug: string; name: string; connected: boolean }>;
      expect(apps.length, q.query).toBeGreaterThan(0);
      expect(apps.length).toBeLessThanOrEqual(5);
      expect(apps.slice(0, 3).some((a) => q.apps.includes(a.slug)), `${q.query}: ${apps.map((a) => a.slug).join(", ")}`).toBe(true);
    }
    const sheets = await call(s.client, "list_actions", { query: "gogle sheets add row" });
    const apps = sheets.structured!.apps as Array<{ slug: string; name: string; connected: boolean }>;
    expect(apps[0]).toEqual({ slug: "google_sheets", name: "Google Sheets", connected: true });
    const crm = await call(s.client, "list_actions", { query: "crm deal" });
    const hubspot = (crm.structured!.apps as Array<{ slug: string; connected: boolean }>).find((a) => a.slug === "hubspot");
    expect(hubspot).toMatchObject({ connected: false });
  });

  it("with app, ranks only that app's actions; without query, lists them by name and pages", async () => {
    const ranked = await call(s.client, "list_actions", { app: "slack", query: "send" });
    const keys = (ranked.structured!.actions as ActionRow[]).map((a) => a.key);
    expect(keys.every((k) => k.startsWith("slack-"))).toBe(true);
    expect(keys.slice(0, 2).sort()).toEqual(["slack-send-direct-message", "slack-send-message"]);
    expect(ranked.structured!.apps).toBeUndefined();

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await call(s.client, "list_actions", { app: "google_sheets", limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...(r.structured!.actions as ActionRow[]).map((a) => a.key));
      cursor = r.structured!.next_cursor as string | undefined;
    } while (cursor);
    expect(seen).toHaveLength(new Set(seen).size);
    expect(seen).toEqual(expect.arrayContaining(["google_sheets-add-single-row", "google_sheets-update-cell"]));
    expect(seen.every((k) => k.startsWith("google_sheets-"))).toBe(true);
  });

  it("within an app, an unmatched query says so and lists the app's actions instead of nothing", async () => {
    const r = await call(s.client, "list_actions", { app: "zoom", query: "qqqqq" });
    const keys = (r.structured!.actions as ActionRow[]).map((a) => a.key);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith("zoom-"))).toBe(true);
    expect(r.structured!.note).toMatch(/No action of zoom matched "qqqqq"/);
    // Without an app there is nothing to fall back on: an empty list and a note.
    const none = await call(s.client, "list_actions", { query: "qqqqq" });
    expect(none.structured!.actions).toEqual([]);
    expect(none.structured!.note).toMatch(/No action matched "qqqqq"/);
  });

  it("a found action is described from the cache, with no upstream call", async () => {
    await call(s.client, "list_actions", { query: "transcribe audio" });
    const before = emu.requests().length;
    const r = await call(s.client, "describe_action", { action: "openai-create-transcription" });
    expect(r.isError).toBe(false);
    expect(emu.requests().slice(before).filter((q) => q.path.includes("/actions/"))).toEqual([]);
  });
});

describe("quality over real actions (Pipedream's published packages)", () => {
  let real: RunningEmulator;
  let s: StdioSession;
  beforeAll(async () => {
    real = await startEmulator({ port: 0, extraCatalog: { apps: WIRE_APPS, components: WIRE_ACTIONS, withoutSeedComponents: true } });
    s = await connectStdio(emulatorEnv(real, { CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "0" }));
  });
  afterAll(async () => {
    await s?.close();
    await real?.close();
  });

  const keysFor = async (q: { query: string; app?: string }, limit = 5): Promise<string[]> => {
    const r = await call(s.client, "list_actions", { query: q.query, ...(q.app ? { app: q.app } : {}), limit });
    expect(r.isError, r.text).toBe(false);
    return (r.structured!.actions as ActionRow[]).map((a) => a.key);
  };

  // Issue 11 asks for recall@1 ≥ 0.7 and recall@5 ≥ 0.9 on a held-out set. This test runs the DEV
  // set (bench/data/search-queries.json and search-queries-dev-v2.json to -v4.json, which the ranker
  // was tuned on) and holds the ranker just below what it reaches there, so a regression fails it.
  // Since issue 11's fourth round the ranker's learned associations and weights are fitted on these
  // very requests (bench/fit-ranker.mjs), so the figure through this client (0.785 / 0.949) is
  // in-sample and says nothing about unseen requests (docs/measurements.md has the out-of-fold
  // ones); it still catches a ranker that stops applying what it learned. It is not the held-out
  // measure: the held-out set (bench/data/search-queries-holdout-v5.json) is measured by
  // `npm run bench:search` only; floors set on it would make it one more set to tune on.
  const SET: Labelled["set"] = "dev";
  const FLOOR = { recallAt1: 0.775, recallAt5: 0.94 };

  it("labelled requests: recall@1 and recall@5 do not fall below what was reached", async () => {
    const labelled = (LABELLED as Labelled[]).filter((q) => q.set === SET);
    expect(labelled.length).toBeGreaterThanOrEqual(150);
    let r1 = 0;
    let r5 = 0;
    for (const q of labelled) {
      const keys = await keysFor(q);
      if (q.relevant.includes(keys[0]!)) r1++;
      r5 += q.relevant.filter((k) => keys.includes(k)).length / Math.min(5, q.relevant.length);
    }
    r1 /= labelled.length;
    r5 /= labelled.length;
    console.log(`${SET} set through the MCP client: ${labelled.length} requests, recall@1 ${r1.toFixed(3)}, recall@5 ${r5.toFixed(3)}`);
    expect(r1).toBeGreaterThanOrEqual(FLOOR.recallAt1);
    expect(r5).toBeGreaterThanOrEqual(FLOOR.recallAt5);
    // ~1,000 requests through the client: a loaded machine needs more than the default 30 s.
  }, 180_000);

  it("with an app that has actions, every request returns some of that app's actions", async () => {
    const withApp = [
      { query: "tell a Slack channel that a release is live", app: "slack" },
      { query: "zzzz qqqq", app: "quickbooks" },
      ...(LABELLED as Labelled[]).filter((q) => q.app),
    ];
    const empty: string[] = [];
    for (const q of withApp) {
      const keys = await keysFor(q);
      if (keys.length === 0) empty.push(`${q.query} [${q.app}]`);
      expect(keys.every((k) => k.startsWith(`${q.app}-`)), q.query).toBe(true);
    }
    expect(empty).toEqual([]);
  });
});

describe("catalog refresh never blocks a caller", () => {
  it("a stale catalog answers at once and is listed again in the background", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_CATALOG_TTL_SECONDS: "1" }));
    try {
      // Under load the first answer may come before the first listing completes (partial, plus
      // Connect's own search); ask until two answers agree, i.e. the whole catalog is cached.
      let warm = await call(s.client, "list_actions", { query: "create a task" });
      for (let i = 0; i < 20; i++) {
        const again = await call(s.client, "list_actions", { query: "create a task" });
        if (JSON.stringify(again.structured!.actions) === JSON.stringify(warm.structured!.actions)) break;
        warm = again;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect((warm.structured!.actions as ActionRow[]).length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1100));
      // Every listing of actions now takes 2 s upstream; a stale-but-cached search must not wait for it.
      await fault(emu, { method: "GET", path_contains: "/actions", delay_ms: 2000, times: 5 });
      const before = emu.requests().length;
      const started = Date.now();
      const stale = await call(s.client, "list_actions", { query: "create a task" });
      expect(Date.now() - started).toBeLessThan(1000);
      // The same actions as the cached answer. Not compared in order: under load a listing still
      // landing during the warm-up can re-store a few definitions, and the learned re-ranker
      // (which reads annotations) may then swap two near-tied neighbours.
      const keysOf = (r: typeof warm) => (r.structured!.actions as ActionRow[]).map((a) => a.key).sort();
      expect(keysOf(stale)).toEqual(keysOf(warm));
      // ...while the refresh it started is under way upstream.
      await new Promise((r) => setTimeout(r, 100));
      expect(emu.requests().slice(before).some((q) => q.path.endsWith("/actions") && q.status === 0)).toBe(true);
    } finally {
      await fetch(`${emu.url}/__emulator/faults`, { method: "DELETE" });
      await s.close();
    }
  });
});
