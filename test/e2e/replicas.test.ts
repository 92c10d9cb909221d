/**
 * Two server processes (HTTP) on one PostgreSQL database, as replicas behind a load balancer:
 * a configuration opened on A continues and runs on B; a confirmation A issued is spent once on
 * B; an idempotent write repeated across replicas goes upstream once; one user's rate limit holds
 * across both; A killed with SIGKILL mid-configuration, B finishes it. Legacy sessions live in one
 * process: B tells a client holding A's session to re-initialize.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { apiKey, tempConfig } from "../auth-helpers.js";
import { call, connectHttp, emulator, emulatorEnv, fault, runCli, startHttp, type HttpServerProcess } from "../helpers.js";

const SHEETS = "google_sheets-add-single-row";
const USER = "demo-user";
const KEYS = {
  plain: apiKey("plain", USER),
  confirm: apiKey("confirm", USER, { confirmWrites: true }),
  limited: apiKey("limited", "limited-user", { rateLimitPerMinute: 3 }),
};

let emu: RunningEmulator;
let databaseUrl: string;
let dbName: string;
let cfg: ReturnType<typeof tempConfig>;
let a: HttpServerProcess;
let b: HttpServerProcess;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: inject("postgresUrl") });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function replicaEnv(): Record<string, string> {
  return emulatorEnv(emu, {
    CONNECT_MCP_CONFIG: cfg.path,
    CONNECT_MCP_DATABASE_URL: databaseUrl,
    // Set too, to show the URL wins: no replica may keep its own SQLite state.
    CONNECT_MCP_DB: ":memory:",
    CONNECT_MCP_TOOL_MODE: "full-config",
    PIPEDREAM_EXTERNAL_USER_ID: "",
    CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "0",
    CONNECT_MCP_RATE_LIMIT_PROJECT_PER_MINUTE: "0",
  });
}

beforeAll(async () => {
  emu = await emulator();
  dbName = `replicas_${process.pid}_${Date.now().toString(36)}`;
  await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
  const url = new URL(inject("postgresUrl"));
  url.pathname = `/${dbName}`;
  databaseUrl = url.toString();
  cfg = tempConfig({ apiKeys: Object.values(KEYS).map((k) => k.entry) });
  // Started together: both migrate the empty database at once (the advisory lock serialises them).
  [a, b] = await Promise.all([startHttp(replicaEnv()), startHttp(replicaEnv())]);
});

afterAll(async () => {
  await Promise.all([a?.stop("SIGKILL"), b?.stop()]);
  await emu?.close();
  cfg?.cleanup();
  if (dbName) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
});

async function on<T>(server: HttpServerProcess, key: keyof typeof KEYS, fn: (c: Awaited<ReturnType<typeof connectHttp>>) => Promise<T>): Promise<T> {
  const client = await connectHttp(server.url, "modern", KEYS[key].header);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const runs = () => emu.requests().filter((r) => r.path.endsWith("/actions/run"));
const proxied = () => emu.requests().filter((r) => r.path.includes("/proxy/"));

describe("two replicas on one PostgreSQL", () => {
  it("both migrated the same database once and report it ready", async () => {
    const versions = await admin(async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        return (await c.query<{ version: number; n: string }>("SELECT version, COUNT(*) AS n FROM schema_migrations GROUP BY version ORDER BY version")).rows;
      } finally {
        await c.end();
      }
    });
    expect(versions.length).toBeGreaterThan(0);
    expect(versions.every((v) => v.n === "1")).toBe(true);
    for (const s of [a, b]) {
      const res = await fetch(`${s.url.replace(/\/mcp$/, "")}/readyz`, { headers: KEYS.plain.header });
      const body = (await res.json()) as { ready: boolean; checks?: Record<string, unknown> };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ ready: true, checks: { database: { ok: true, kind: "postgres" } } });
    }
  });

  it("a configuration opened on A is continued and run on B, and is closed for A afterwards", async () => {
    const id = await on(a, "plain", async (c) => {
      const first = await call(c, "describe_action", { action: SHEETS, prop: "sheetId" });
      expect(first.isError, first.text).toBe(false);
      return first.structured!.configuration_id as string;
    });
    expect(id).toMatch(/^cfg_/);
    const before = runs().length;
    await on(b, "plain", async (c) => {
      const worksheet = await call(c, "describe_action", { configuration_id: id, configured_props: { sheetId: "sheet_budget_2026" }, prop: "worksheetId" });
      expect(worksheet.isError, worksheet.text).toBe(false);
      expect(worksheet.structured!.configured).toMatchObject({ sheetId: "sheet_budget_2026" });
      const needs = await call(c, "run_action", { configuration_id: id, configured_props: { worksheetId: 0, hasHeaders: true } });
      expect(needs.structured).toMatchObject({ outcome: "needs_input", configuration_id: id });
      const done = await call(c, "run_action", { configuration_id: id, configured_props: { col_0000: "2026-11-21", col_0001: "coffee", col_0002: "4.50" } });
      expect(done.isError, done.text).toBe(false);
      expect(done.structured).toMatchObject({ outcome: "ok", summary: "Added 1 row to Budget 2026" });
    });
    expect(runs().length - before).toBe(1);
    await on(a, "plain", async (c) => {
      const again = await call(c, "run_action", { configuration_id: id });
      expect(again.isError).toBe(true);
      expect(again.text).toMatch(/already ran and is closed/);
    });
  });

  it("a confirmation issued by A is accepted once by B and refused the second time", async () => {
    const send = { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "confirmed across replicas" } };
    const token = await on(a, "confirm", async (c) => {
      const preview = await call(c, "run_action", send);
      expect(preview.structured).toMatchObject({ outcome: "needs_input", needs: "confirmation" });
      return preview.structured!.confirmation_token as string;
    });
    const before = runs().length;
    await on(b, "confirm", async (c) => {
      const done = await call(c, "run_action", { ...send, confirmation_token: token });
      expect(done.isError, done.text).toBe(false);
      expect(done.structured).toMatchObject({ outcome: "ok" });
    });
    expect(runs().length - before).toBe(1);
    for (const server of [b, a]) {
      await on(server, "confirm", async (c) => {
        const replay = await call(c, "run_action", { ...send, confirmation_token: token });
        expect(replay.isError).toBe(true);
        expect(replay.text).toMatch(/confirmation_token refused: it was already used/);
      });
    }
    expect(runs().length - before).toBe(1);
  });

  it("an idempotent write repeated across replicas is sent upstream once, also when the repeats race", async () => {
    const post = (key: string) => ({ method: "POST", url: "https://slack.com/api/chat.postMessage", app: "slack", body: { text: "once" }, idempotency_key: key });
    const before = proxied().length;
    const first = await on(a, "plain", (c) => call(c, "api_proxy", post("replica-k1")));
    expect(first.isError, first.text).toBe(false);
    const again = await on(b, "plain", (c) => call(c, "api_proxy", post("replica-k1")));
    expect(again.structured).toMatchObject({ replayed: true, status: 200 });
    expect(proxied().length - before).toBe(1);

    // Racing: A's call is slow upstream; B's repeat waits for its outcome instead of sending again.
    await fault(emu, { path_contains: "/proxy/", delay_ms: 800, times: 1 });
    const raced = await Promise.all([a, b, a, b].map((s) => on(s, "plain", (c) => call(c, "api_proxy", post("replica-k2")))));
    expect(proxied().length - before).toBe(2);
    for (const r of raced) expect(r.isError, r.text).toBe(false);
    expect(raced.filter((r) => r.structured!.replayed === true)).toHaveLength(3);
  });

  it("one user's rate limit holds across both replicas", async () => {
    const started = Date.now();
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await on(i % 2 ? b : a, "limited", (c) => call(c, "list_accounts", { app: "slack" })));
    const elapsedMinutes = (Date.now() - started) / 60_000;
    const ok = results.filter((r) => !r.isError).length;
    // Bursts of 3 at 3 per minute, for the user, whichever replica answers (each alone would allow 3).
    expect(ok).toBeGreaterThanOrEqual(3);
    expect(ok).toBeLessThanOrEqual(3 + Math.floor(elapsedMinutes * 3));
    const refused = results.filter((r) => r.isError);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.text).toMatch(/this user may make 3 tool calls per minute \(bursts of 3\); retry after \d+ s/);
    // Another user is not held back by it.
    expect((await on(b, "plain", (c) => call(c, "list_accounts", { app: "slack" }))).isError).toBe(false);
  });

  it("a legacy session belongs to the replica that opened it: the other says to re-initialize", async () => {
    const legacy = await connectHttp(a.url, "legacy", KEYS.plain.header);
    try {
      const session = (legacy as unknown as { transport?: { sessionId?: string } }).transport?.sessionId;
      expect(session).toEqual(expect.any(String));
      const res = await fetch(b.url, {
        method: "POST",
        headers: {
          ...KEYS.plain.header,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-session-id": session!,
          "mcp-protocol-version": "2025-11-25",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
      });
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/not held by this server/);
      expect(body.error.message).toMatch(/another replica/);
      expect(body.error.message).toMatch(/initialize/);
      // On A the session still works.
      expect((await call(legacy, "list_accounts", { app: "slack" })).isError).toBe(false);
    } finally {
      await legacy.close();
    }
  });

  it("replica A killed with SIGKILL mid-configuration: B finishes it", async () => {
    const id = await on(a, "plain", async (c) => {
      const first = await call(c, "describe_action", { action: SHEETS, prop: "sheetId" });
      const id = first.structured!.configuration_id as string;
      const ws = await call(c, "describe_action", { configuration_id: id, configured_props: { sheetId: "sheet_budget_2026" }, prop: "worksheetId" });
      expect(ws.isError, ws.text).toBe(false);
      return id;
    });
    // A is in the middle of serving this user's configuration: a slow call is in flight when it dies.
    await fault(emu, { path_contains: "/actions/configure", delay_ms: 5_000, times: 1 });
    const client = await connectHttp(a.url, "modern", KEYS.plain.header);
    const inflight = call(client, "describe_action", { configuration_id: id, prop: "worksheetId" }).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 300));
    expect(await a.stop("SIGKILL")).toBe(null);
    await inflight;
    await client.close().catch(() => undefined);
    const before = runs().length;
    await on(b, "plain", async (c) => {
      const needs = await call(c, "run_action", { configuration_id: id, configured_props: { worksheetId: 0, hasHeaders: true } });
      expect(needs.structured, needs.text).toMatchObject({ outcome: "needs_input", configuration_id: id });
      const done = await call(c, "run_action", { configuration_id: id, configured_props: { col_0000: "2026-11-22", col_0001: "tea", col_0002: "3.10" } });
      expect(done.isError, done.text).toBe(false);
      expect(done.structured).toMatchObject({ outcome: "ok", summary: "Added 1 row to Budget 2026" });
    });
    expect(runs().length - before).toBe(1);
  });
});

describe("the CLIs with CONNECT_MCP_DATABASE_URL", () => {
  it("connect-mcp audit reads every replica's rows; connect-mcp cache shows the shared cache", async () => {
    const env = emulatorEnv(emu, { CONNECT_MCP_DATABASE_URL: databaseUrl });
    const audit = await runCli(["audit", "--json", "--limit", "1000"], env);
    expect(audit.code, audit.stderr).toBe(0);
    const rows = JSON.parse(audit.stdout) as Array<{ user: string; tool: string; outcome: string; credential: string }>;
    // Both replicas' calls are there: the rate-limited user's refusals were answered by A and by B alike.
    expect(rows.filter((r) => r.user === "limited-user" && r.outcome === "rate_limited").length).toBeGreaterThan(1);
    expect(rows.some((r) => r.credential === "api-key:confirm" && r.tool === "run_action" && r.outcome === "ok")).toBe(true);
    const cache = await runCli(["cache"], env);
    expect(cache.code, cache.stderr).toBe(0);
    expect(cache.stdout).toMatch(/^Cache: postgres:\/\/postgres@127\.0\.0\.1:\d+\/replicas_/m);
    expect(cache.stdout).toMatch(/actions: [1-9]/);
  });
});

describe("doctor with CONNECT_MCP_DATABASE_URL", () => {
  it("checks the connection, and says the URL wins over CONNECT_MCP_DB", async () => {
    const r = await runCli(["doctor"], emulatorEnv(emu, { CONNECT_MCP_DATABASE_URL: databaseUrl, CONNECT_MCP_DB: "/tmp/ignored-by-doctor.db" }));
    expect(r.stdout).toMatch(/ok\s+database PostgreSQL postgres:\/\/postgres@127\.0\.0\.1:\d+\/replicas_\S+ answers and is migrated/);
    expect(r.stdout).toMatch(/warn\s+both CONNECT_MCP_DATABASE_URL and a SQLite path \(env CONNECT_MCP_DB\) are set: the PostgreSQL URL wins/);
    const down = await runCli(["doctor"], emulatorEnv(emu, { CONNECT_MCP_DATABASE_URL: "postgres://nobody:secret-pw@127.0.0.1:1/none" }));
    expect(down.code).not.toBe(0);
    expect(down.stdout).toMatch(/FAIL\s+database PostgreSQL postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none cannot be used: .*Check CONNECT_MCP_DATABASE_URL/);
    expect(down.stdout + down.stderr).not.toContain("secret-pw");
  });
});
