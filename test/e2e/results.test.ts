/**
 * Issue 10 end to end: writes that happen exactly once (idempotency keys, across restarts,
 * transports and concurrent repeats; never across users), reads that ride out blips (503 +
 * Retry-After), and results an agent can afford (a token budget that keeps the JSON shape, the
 * full result behind result_id, fields and offset) — counted with the o200k tokenizer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/client";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { apiKey, tempConfig } from "../auth-helpers.js";
import { call, connectHttp, connectStdio, emulatorEnv, emulatorPerFile, fault, resultTokens, startHttp } from "../helpers.js";

const BUDGET = 8000;
const files = emulatorPerFile("connect-mcp-results-");
const tempDb = files.tempDb;
let emu: RunningEmulator;
beforeAll(() => {
  emu = files.emu();
});

const runs = () => emu.requests().filter((r) => r.path.endsWith("/actions/run"));
const proxied = () => emu.requests().filter((r) => r.path.includes("/proxy/"));
const send = (text: string, key: string) => ({ action: "slack-send-message", configured_props: { channel: "C01GENERAL", text }, idempotency_key: key });

/** Call and check the result as the client received it stays within the budget. */
async function budgeted(client: Client, tool: string, args: Record<string, unknown>) {
  const raw = await client.callTool({ name: tool, arguments: args });
  const tokens = await resultTokens(raw as never);
  expect(tokens, `${tool} result tokens`).toBeLessThanOrEqual(BUDGET);
  return { raw, tokens, structured: (raw as { structuredContent?: Record<string, unknown> }).structuredContent!, isError: (raw as { isError?: boolean }).isError === true };
}

describe("idempotency keys", () => {
  it("a repeat replays the recorded result and sends nothing — also after a restart and over another transport", async () => {
    const db = tempDb();
    const env = emulatorEnv(emu, { CONNECT_MCP_DB: db, CONNECT_MCP_TOOL_MODE: "tools-only" });
    const s1 = await connectStdio(env);
    let first;
    try {
      first = await call(s1.client, "run_action", send("exactly once", "order-1"));
      expect(first.isError, first.text).toBe(false);
      expect(first.structured).toMatchObject({ outcome: "ok" });
      expect(first.structured).not.toHaveProperty("replayed");
      const again = await call(s1.client, "run_action", send("exactly once", "order-1"));
      expect(again.structured).toMatchObject({ ...first.structured, replayed: true });
      expect(runs()).toHaveLength(1);
    } finally {
      await s1.close();
    }
    // A new process on the same database, in another conversation…
    const s2 = await connectStdio(env, "modern");
    try {
      const r = await call(s2.client, "run_action", send("exactly once", "order-1"));
      expect(r.structured).toMatchObject({ outcome: "ok", replayed: true, summary: first.structured!.summary });
    } finally {
      await s2.close();
    }
    // …and over HTTP for the same end user.
    const http = await startHttp(env);
    try {
      const c = await connectHttp(http.url);
      const r = await call(c, "run_action", send("exactly once", "order-1"));
      expect(r.structured).toMatchObject({ replayed: true });
      await c.close();
    } finally {
      await http.stop();
    }
    expect(runs()).toHaveLength(1);
  });

  it("the same key with other arguments is refused, naming the conflict; nothing is sent", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
    try {
      expect((await call(s.client, "run_action", send("first", "k-conflict"))).isError).toBe(false);
      const r = await call(s.client, "run_action", send("second", "k-conflict"));
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/idempotency_key "k-conflict" was already used for a different run_action call/);
      expect(runs()).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("concurrent repeats: one send upstream, every caller gets its result", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
    try {
      await fault(emu, { path_contains: "/actions/run", delay_ms: 800, status: 200, body: { exports: { $summary: "sent once" }, ret: { ts: "1.0" }, os: [] } });
      const results = await Promise.all([1, 2, 3, 4].map(() => call(s.client, "run_action", send("concurrent", "k-concurrent"))));
      expect(runs()).toHaveLength(1);
      for (const r of results) expect(r.structured, r.text).toMatchObject({ outcome: "ok", summary: "sent once" });
      expect(results.filter((r) => r.structured!.replayed === true)).toHaveLength(3);
    } finally {
      await s.close();
    }
  });

  it("another end user's key with the same value is a different key", async () => {
    const keys = { a: apiKey("a", "demo-user"), b: apiKey("b", "other-user") };
    const cfg = tempConfig({ apiKeys: Object.values(keys).map((k) => k.entry) });
    const server = await startHttp(emulatorEnv(emu, { CONNECT_MCP_CONFIG: cfg.path, PIPEDREAM_EXTERNAL_USER_ID: "", CONNECT_MCP_TOOL_MODE: "tools-only" }));
    try {
      const ca = await connectHttp(server.url, "modern", keys.a.header);
      const cb = await connectHttp(server.url, "modern", keys.b.header);
      const ra = await call(ca, "run_action", send("mine", "shared-key"));
      const rb = await call(cb, "run_action", send("mine", "shared-key"));
      expect(ra.structured).toMatchObject({ outcome: "ok" });
      expect(rb.structured).toMatchObject({ outcome: "ok" });
      expect(rb.structured).not.toHaveProperty("replayed");
      expect(JSON.stringify(rb.structured)).not.toMatch(/apn_slack_demo/);
      expect(runs().map((r) => r.externalUserId).sort()).toEqual(["demo-user", "other-user"]);
      await ca.close();
      await cb.close();
    } finally {
      await server.stop();
      cfg.cleanup();
    }
  });

  it("a run whose outcome was unknown is recorded as unknown: its key says so instead of running again", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
    try {
      await fault(emu, { path_contains: "/actions/run", status: 502 });
      const first = await call(s.client, "run_action", send("maybe", "k-unknown"));
      expect(first.structured).toMatchObject({ outcome: "unknown" });
      const again = await call(s.client, "run_action", send("maybe", "k-unknown"));
      expect(again.isError).toBe(true);
      expect(again.structured).toMatchObject({ outcome: "unknown", replayed: true });
      expect(again.text).toMatch(/may or may not have happened.*Nothing was sent again/s);
      expect(runs()).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("a call that sent nothing (a bad argument) frees its key", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
    try {
      const bad = await call(s.client, "run_action", { ...send("x", "k-free"), configured_props: { channel: "C01GENERAL", text: "x", nope: 1 } });
      expect(bad.isError).toBe(true);
      expect(runs()).toHaveLength(0);
      const good = await call(s.client, "run_action", { ...send("x", "k-free"), configured_props: { channel: "C01GENERAL", text: "x", nope: 1 } });
      expect(good.text).not.toMatch(/idempotency/); // the same (bad) call is checked again, not replayed
    } finally {
      await s.close();
    }
  });

  it("api_proxy forwards the key upstream as Idempotency-Key on writes, unless the caller set that header", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      const r = await call(s.client, "api_proxy", { method: "POST", url: "https://slack.com/api/chat.postMessage", app: "slack", body: { text: "hi" }, idempotency_key: "pay-42" });
      expect((r.structured!.body as { headers: Record<string, string> }).headers["idempotency-key"]).toBe("pay-42");
      const replay = await call(s.client, "api_proxy", { method: "POST", url: "https://slack.com/api/chat.postMessage", app: "slack", body: { text: "hi" }, idempotency_key: "pay-42" });
      expect(replay.structured).toMatchObject({ replayed: true, status: 200 });
      const own = await call(s.client, "api_proxy", { method: "POST", url: "https://slack.com/api/chat.postMessage", app: "slack", body: { text: "hi" }, headers: { "Idempotency-Key": "callers-own" }, idempotency_key: "pay-43" });
      expect((own.structured!.body as { headers: Record<string, string> }).headers["idempotency-key"]).toBe("callers-own");
      expect(proxied()).toHaveLength(2);
    } finally {
      await s.close();
    }
  });
});

describe("reads that ride out blips", () => {
  it("a proxy GET answered 503 + Retry-After: 1 is tried again after at least 1 s, and says so", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      await fault(emu, { path_contains: "/proxy/", method: "GET", status: 503, headers: { "Retry-After": "1" } });
      const r = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/api/conversations.list", app: "slack" });
      expect(r.isError, r.text).toBe(false);
      expect(r.structured).toMatchObject({ status: 200, retried: { attempts: 2, reasons: ["503"] } });
      const [a, b] = proxied();
      expect(Date.parse(b!.at) - Date.parse(a!.at)).toBeGreaterThanOrEqual(1000);
    } finally {
      await s.close();
    }
  });

  it("Connect reads (accounts) retry on 503 + Retry-After too; writes never do", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
    try {
      await fault(emu, { path_contains: "/accounts", method: "GET", status: 503, headers: { "Retry-After": "1" } });
      const r = await call(s.client, "list_accounts", { app: "slack" });
      expect(r.isError, r.text).toBe(false);
      const listed = emu.requests().filter((q) => q.path.includes("/accounts"));
      expect(listed).toHaveLength(2);
      expect(Date.parse(listed[1]!.at) - Date.parse(listed[0]!.at)).toBeGreaterThanOrEqual(1000);

      await fault(emu, { path_contains: "/actions/run", status: 503, headers: { "Retry-After": "1" } });
      await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "once" } });
      expect(runs()).toHaveLength(1);
      await fault(emu, { path_contains: "/proxy/", method: "POST", status: 503, headers: { "Retry-After": "1" } });
      const w = await call(s.client, "api_proxy", { method: "POST", url: "https://slack.com/api/chat.postMessage", app: "slack", body: { text: "once" } });
      expect(w.structured).not.toHaveProperty("retried");
      expect(proxied().filter((q) => q.method === "POST")).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
});

describe("a result budget that keeps structure", () => {
  it("a 20,000-item list read through fields, result_id and offset: nothing lost, every result under budget, one upstream call", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      const first = await budgeted(s.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/items/20000", app: "slack" });
      expect(first.isError).toBe(false);
      const body = first.structured.body as { ok: boolean; count: number; items: Array<{ id: string }> };
      // Shape kept: still an object with its list, cut, and told how to read on.
      expect(body).toMatchObject({ ok: true, count: 20000 });
      expect(Array.isArray(body.items)).toBe(true);
      const truncated = first.structured.truncated as { result_id: string; omitted: Array<{ path: string; items?: number }>; array: string; next_offset: number; total: number };
      expect(truncated).toMatchObject({ result_id: expect.stringMatching(/^res_/), array: "body.items", total: 20000 });
      expect(truncated.omitted).toContainEqual({ path: "body.items", items: 20000 - body.items.length });

      // Page through the ids only: fields keeps the pages small, offset walks the list.
      const ids: string[] = [];
      let offset = 0;
      let pages = 0;
      for (;;) {
        const page = await budgeted(s.client, "api_proxy", { result_id: truncated.result_id, fields: ["items.id"], offset });
        pages++;
        const got = (page.structured.body as { items: Array<{ id: string }> }).items.map((i) => i.id);
        ids.push(...got);
        const t = page.structured.truncated as { next_offset?: number } | undefined;
        if (!t?.next_offset) break;
        offset = t.next_offset;
        expect(pages).toBeLessThan(100);
      }
      expect(ids).toHaveLength(20000);
      expect(new Set(ids).size).toBe(20000);
      expect(ids[0]).toBe("item_000000");
      expect(ids[19999]).toBe("item_019999");
      expect(proxied()).toHaveLength(1);

      // One field of one item, read again without any upstream call.
      const one = await budgeted(s.client, "api_proxy", { result_id: truncated.result_id, fields: ["count"] });
      expect(one.structured.body).toEqual({ count: 20000 });
      expect(proxied()).toHaveLength(1);
    } finally {
      await s.close();
    }
  }, 120_000); // ~30 pages; generous for a loaded CI machine

  it("fields on run_action keep only those paths of the return value", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
    try {
      const r = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "hi" }, fields: ["ts", "channel"] });
      expect(r.isError, r.text).toBe(false);
      expect(Object.keys(r.structured!.result as object).sort()).toEqual(["channel", "ts"]);
    } finally {
      await s.close();
    }
  });

  it("a stored result is this user's only, and the text mirror is compact JSON", async () => {
    const keys = { a: apiKey("a", "demo-user"), b: apiKey("b", "other-user") };
    const cfg = tempConfig({ apiKeys: Object.values(keys).map((k) => k.entry) });
    const server = await startHttp(emulatorEnv(emu, { CONNECT_MCP_CONFIG: cfg.path, PIPEDREAM_EXTERNAL_USER_ID: "" }));
    try {
      const ca = await connectHttp(server.url, "modern", keys.a.header);
      const cb = await connectHttp(server.url, "modern", keys.b.header);
      const big = await ca.callTool({ name: "api_proxy", arguments: { method: "GET", url: "https://slack.com/__emulator/items/5000", app: "slack" } });
      const structured = (big as { structuredContent: Record<string, unknown> }).structuredContent;
      expect((big as { content: Array<{ text: string }> }).content[0]!.text).toBe(JSON.stringify(structured));
      const id = (structured.truncated as { result_id: string }).result_id;
      const stolen = await call(cb, "api_proxy", { result_id: id });
      expect(stolen.isError).toBe(true);
      expect(stolen.text).toMatch(/is not a stored api_proxy result of this user/);
      expect(stolen.text).not.toMatch(/item_/);
      const wrongTool = await call(ca, "run_action", { result_id: id });
      expect(wrongTool.isError).toBe(true);
      await ca.close();
      await cb.close();
    } finally {
      await server.stop();
      cfg.cleanup();
    }
  });

  it("binary bodies: content type, size and SHA-256, base64 only up to a small limit", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      const r = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/binary", app: "slack" });
      expect(r.structured).toMatchObject({ body_encoding: "base64", body_size: 16, body_sha256: expect.stringMatching(/^[0-9a-f]{64}$/), content_type: "image/png" });
    } finally {
      await s.close();
    }
  });
});
