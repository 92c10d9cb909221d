/**
 * Ranked search and the catalog cache, end to end: the emulator serves the labelled catalog of
 * bench/search-fixture.mjs next to its seed; queries go through the official MCP client to the
 * built CLI. Recall@5 over the labelled queries is computed here (and by bench/search-recall.mjs).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
// @ts-expect-error plain JS fixture shared with the bench scripts
import { ACTIONS, APP_QUERIES, APPS, QUERIES } from "../../bench/search-fixture.mjs";
import { call, connectStdio, emulatorEnv, fault, type StdioSession } from "../helpers.js";

interface Labelled {
  query: string;
  app?: string;
  relevant: string[];
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
    // 55 labelled queries and more in a few seconds: above the default per-user rate limit.
    s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "0" }));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("finds the labelled actions: recall@5 at least 0.9", async () => {
    let recall = 0;
    const misses: string[] = [];
    for (const q of QUERIES as Labelled[]) {
      const r = await call(s.client, "list_actions", { query: q.query, ...(q.app ? { app: q.app } : {}), limit: 5 });
      expect(r.isError, r.text).toBe(false);
      const keys = (r.structured!.actions as ActionRow[]).map((a) => a.key);
      expect(keys.length).toBeLessThanOrEqual(5);
      const found = q.relevant.filter((k) => keys.includes(k)).length;
      recall += found / Math.min(5, q.relevant.length);
      if (found === 0) misses.push(q.query);
    }
    recall /= QUERIES.length;
    console.log(`search recall@5 over ${QUERIES.length} labelled queries: ${recall.toFixed(3)} (queries with no hit: ${misses.join("; ") || "none"})`);
    expect(recall).toBeGreaterThanOrEqual(0.9);
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

  it("an unmatched query says so instead of returning noise", async () => {
    const r = await call(s.client, "list_actions", { app: "zoom", query: "qqqqq" });
    expect(r.structured!.actions).toEqual([]);
    expect(r.structured!.note).toMatch(/No action matched "qqqqq" in zoom/);
  });

  it("a found action is described from the cache, with no upstream call", async () => {
    await call(s.client, "list_actions", { query: "transcribe audio" });
    const before = emu.requests().length;
    const r = await call(s.client, "describe_action", { action: "openai-create-transcription" });
    expect(r.isError).toBe(false);
    expect(emu.requests().slice(before).filter((q) => q.path.includes("/actions/"))).toEqual([]);
  });
});

describe("catalog refresh never blocks a caller", () => {
  it("a stale catalog answers at once and is listed again in the background", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_CATALOG_TTL_SECONDS: "1" }));
    try {
      const warm = await call(s.client, "list_actions", { query: "create a task" });
      expect((warm.structured!.actions as ActionRow[]).length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1100));
      // Every listing of actions now takes 2 s upstream; a stale-but-cached search must not wait for it.
      await fault(emu, { method: "GET", path_contains: "/actions", delay_ms: 2000, times: 5 });
      const before = emu.requests().length;
      const started = Date.now();
      const stale = await call(s.client, "list_actions", { query: "create a task" });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(stale.structured!.actions).toEqual(warm.structured!.actions);
      // ...while the refresh it started is under way upstream.
      await new Promise((r) => setTimeout(r, 100));
      expect(emu.requests().slice(before).some((q) => q.path.endsWith("/actions") && q.status === 0)).toBe(true);
    } finally {
      await fetch(`${emu.url}/__emulator/faults`, { method: "DELETE" });
      await s.close();
    }
  });
});
