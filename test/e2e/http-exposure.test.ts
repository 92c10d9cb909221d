/**
 * No accidental exposure over HTTP: configurations that let web pages or other machines reach an
 * unauthenticated server are refused at start-up; the Host check holds on every bind address;
 * /readyz keeps its reasons for authenticated callers; a client's X-Request-Id only reaches logs
 * and audit rows when it is sane; one credential cannot hold more than its share of legacy sessions.
 */
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { apiKey, tempConfig } from "../auth-helpers.js";
import { call, connectHttp, emulator, emulatorEnv, runCli, startHttp } from "../helpers.js";

const TOKEN = "exposure-token-0123456789abcdef";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => {
  await emu?.close();
});

/** Start a server that is expected to refuse: its stderr and exit code (a started server is stopped and reported). */
async function startRefused(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return startHttp(env, args).then(
    async (s) => {
      await s.stop();
      return { code: 0, stderr: `started anyway at ${s.url}` };
    },
    (err: Error) => ({ code: Number(/exited with (\d+)/.exec(err.message)?.[1] ?? -1), stderr: err.message }),
  );
}

/** A raw request with a chosen Host header (fetch() cannot set Host). */
function raw(port: number, path: string, headers: Record<string, string>, method = "POST", body = "{}"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers: { "content-type": "application/json", ...headers } }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(method === "GET" ? undefined : body);
  });
}

describe("start-up refuses exposure without authentication", () => {
  const noAuth = () => emulatorEnv(emu);

  it("CORS * with no credential configured", async () => {
    const r = await startRefused(noAuth(), ["--cors-origins", "*"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--cors-origins \* lets any web page call this server.*set CONNECT_MCP_HTTP_TOKEN .*configure apiKeys or CONNECT_MCP_JWT_\*/s);
  });

  it("a non-loopback name in --allowed-hosts, --allowed-origins or --cors-origins", async () => {
    const hosts = await startRefused(noAuth(), ["--allowed-hosts", "localhost,mcp.example.com"]);
    expect(hosts.code).toBe(2);
    expect(hosts.stderr).toMatch(/--allowed-hosts mcp\.example\.com .*set CONNECT_MCP_HTTP_TOKEN/s);
    const origins = await startRefused(noAuth(), ["--allowed-origins", "app.example.com"]);
    expect(origins.code).toBe(2);
    expect(origins.stderr).toMatch(/--allowed-origins app\.example\.com .*set CONNECT_MCP_HTTP_TOKEN/s);
    const cors = await startRefused(noAuth(), ["--cors-origins", "https://app.example.com"]);
    expect(cors.code).toBe(2);
    expect(cors.stderr).toMatch(/--cors-origins https:\/\/app\.example\.com .*set CONNECT_MCP_HTTP_TOKEN/s);
  });

  it("loopback names need no credential; any of them is fine once a credential is configured", async () => {
    const local = await startHttp(noAuth(), ["--allowed-hosts", "localhost,[::1]", "--cors-origins", "http://localhost:5173"]);
    await local.stop();
    const guarded = await startHttp(emulatorEnv(emu, { CONNECT_MCP_HTTP_TOKEN: TOKEN }), ["--cors-origins", "*", "--allowed-hosts", "mcp.example.com"]);
    await guarded.stop();
  });
});

describe("the Host check holds on every bind address", () => {
  it("0.0.0.0 accepts the machine's own addresses and configured names, never a foreign Host", async () => {
    const s = await startHttp(emulatorEnv(emu, { CONNECT_MCP_HTTP_TOKEN: TOKEN }), ["--host", "0.0.0.0", "--allowed-hosts", "mcp.example.com"]);
    try {
      const port = Number(new URL(s.url).port);
      const auth = { authorization: `Bearer ${TOKEN}` };
      expect((await raw(port, "/mcp", { ...auth, host: `evil.example:${port}` })).status).toBe(403);
      expect((await raw(port, "/mcp", { ...auth, host: `mcp.example.com:${port}` })).status).not.toBe(403);
      expect((await raw(port, "/mcp", { ...auth, host: `127.0.0.1:${port}` })).status).not.toBe(403);
      const client = await connectHttp(`http://127.0.0.1:${port}/mcp`, "modern", { Authorization: `Bearer ${TOKEN}` });
      try {
        expect((await call(client, "list_accounts", { app: "slack" })).isError).toBe(false);
      } finally {
        await client.close();
      }
    } finally {
      await s.stop();
    }
  });

  it("a specific address accepts itself (127.0.0.2), and not another name", async () => {
    const s = await startHttp(emulatorEnv(emu), ["--host", "127.0.0.2"]);
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.2:/);
      const client = await connectHttp(s.url, "modern");
      try {
        expect((await call(client, "list_accounts", { app: "slack" })).isError).toBe(false);
      } finally {
        await client.close();
      }
      const port = Number(new URL(s.url).port);
      const foreign = await new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.2", port, path: "/mcp", method: "POST", headers: { host: `evil.example:${port}`, "content-type": "application/json" } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end("{}");
      });
      expect(foreign).toBe(403);
    } finally {
      await s.stop();
    }
  });
});

describe("/readyz", () => {
  it("says not ready without the reason unless the caller is authenticated", async () => {
    const s = await startHttp(emulatorEnv(emu, { CONNECT_MCP_HTTP_TOKEN: TOKEN, PIPEDREAM_CLIENT_SECRET: "wrong-secret" }));
    try {
      const readyz = s.url.replace(/\/mcp$/, "/readyz");
      const anonymous = await fetch(readyz);
      expect(anonymous.status).toBe(503);
      expect(await anonymous.json()).toEqual({ ready: false });
      const wrongToken = await fetch(readyz, { headers: { authorization: "Bearer not-the-token-at-all" } });
      expect(wrongToken.status).toBe(503);
      expect(await wrongToken.json()).toEqual({ ready: false });
      const authed = await fetch(readyz, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(authed.status).toBe(503);
      expect(((await authed.json()) as { reason: string }).reason).toMatch(/Connect rejected the client credentials/);
      expect(s.stderr()).toMatch(/"reason":"Connect rejected the client credentials[^\n]*"msg":"not ready/); // the operator still sees why
    } finally {
      await s.stop();
    }
  });

  it("does not name the missing PIPEDREAM_* variables to an anonymous caller", async () => {
    const s = await startHttp({ CONNECT_MCP_DB: ":memory:", CONNECT_MCP_LOG_LEVEL: "info", CONNECT_MCP_HTTP_TOKEN: TOKEN });
    try {
      const readyz = s.url.replace(/\/mcp$/, "/readyz");
      const anonymous = await fetch(readyz);
      expect(anonymous.status).toBe(503);
      expect(await anonymous.text()).not.toMatch(/PIPEDREAM_/);
      const authed = await fetch(readyz, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(((await authed.json()) as { reason: string }).reason).toMatch(/PIPEDREAM_CLIENT_ID/);
    } finally {
      await s.stop();
    }
  });

  it("without authentication configured, only a request with an accepted Host sees the reason (DNS rebinding)", async () => {
    const s = await startHttp(emulatorEnv(emu, { PIPEDREAM_CLIENT_SECRET: "wrong-secret" }));
    try {
      const port = Number(new URL(s.url).port);
      const local = await raw(port, "/readyz", { host: `127.0.0.1:${port}` }, "GET");
      expect(JSON.parse(local.body)).toMatchObject({ ready: false, reason: expect.stringMatching(/Connect rejected/) });
      const rebound = await raw(port, "/readyz", { host: `evil.example:${port}` }, "GET");
      expect(rebound.status).toBe(503);
      expect(JSON.parse(rebound.body)).toEqual({ ready: false });
    } finally {
      await s.stop();
    }
  });
});

describe("X-Request-Id", () => {
  it("a client's id reaches the response, logs and audit rows only when short and plain; otherwise a new one is used", async () => {
    const cfg = tempConfig({});
    const db = join(cfg.dir, "audit.db");
    const s = await startHttp(emulatorEnv(emu, { CONNECT_MCP_HTTP_TOKEN: TOKEN, CONNECT_MCP_DB: db }));
    const bad = ["a".repeat(65), "has space", "<script>", "id,with,commas"];
    try {
      for (const era of ["modern", "legacy"] as const) {
        for (const id of [...bad, `good-${era}.1:2_3`]) {
          const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}`, "x-request-id": id };
          const client = await connectHttp(s.url, era, headers);
          try {
            await call(client, "list_accounts", { app: "slack" });
          } finally {
            await client.close();
          }
        }
      }
      const res = await fetch(s.url.replace(/\/mcp$/, "/healthz"), { headers: { "x-request-id": "a".repeat(65) } });
      expect(res.headers.get("x-request-id")).toMatch(UUID);
    } finally {
      await s.stop();
    }
    const r = await runCli(["audit", "--db", db, "--json", "--limit", "1000"]);
    expect(r.code, r.stderr).toBe(0);
    const ids = (JSON.parse(r.stdout) as Array<{ request_id: string | null }>).map((row) => row.request_id);
    expect(ids.length).toBeGreaterThanOrEqual(10);
    for (const id of ids) expect(id === "good-modern.1:2_3" || id === "good-legacy.1:2_3" || UUID.test(id ?? ""), String(id)).toBe(true);
    expect(ids).toContain("good-modern.1:2_3");
    expect(ids).toContain("good-legacy.1:2_3");
    const logged = s.stderr();
    for (const id of bad) expect(logged).not.toContain(JSON.stringify(id).slice(1, -1));
    cfg.cleanup();
  });
});

describe("legacy sessions per credential", () => {
  const KEYS = { a: apiKey("a", "demo-user"), b: apiKey("b", "demo-user") };

  async function initialize(url: string, header: Record<string, string>): Promise<{ status: number; session: string | null; body: string }> {
    const res = await fetch(url, {
      method: "POST",
      headers: { ...header, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }),
    });
    return { status: res.status, session: res.headers.get("mcp-session-id"), body: await res.text() };
  }

  async function ping(url: string, header: Record<string, string>, session: string): Promise<number> {
    const res = await fetch(url, {
      method: "POST",
      headers: { ...header, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }),
    });
    await res.body?.cancel();
    return res.status;
  }

  it("one credential holds at most 20: a 21st closes its least recently used one; others are untouched", async () => {
    const cfg = tempConfig({ apiKeys: Object.values(KEYS).map((k) => k.entry) });
    const s = await startHttp(emulatorEnv(emu, { CONNECT_MCP_CONFIG: cfg.path }));
    try {
      const other = await initialize(s.url, KEYS.b.header);
      expect(other.status).toBe(200);
      const mine: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await initialize(s.url, KEYS.a.header);
        expect(r.status, r.body).toBe(200);
        mine.push(r.session!);
      }
      expect(await ping(s.url, KEYS.a.header, mine[0]!)).toBe(200); // now the most recently used
      const extra = await initialize(s.url, KEYS.a.header);
      expect(extra.status).toBe(200);
      expect(await ping(s.url, KEYS.a.header, mine[1]!)).toBe(404); // least recently used: closed
      expect(await ping(s.url, KEYS.a.header, mine[0]!)).toBe(200);
      expect(await ping(s.url, KEYS.a.header, extra.session!)).toBe(200);
      expect(await ping(s.url, KEYS.b.header, other.session!)).toBe(200);
      expect(s.stderr()).toMatch(/"credential":"api-key:a"[^\n]*"msg":"closed the least recently used legacy session/);
    } finally {
      await s.stop();
      cfg.cleanup();
    }
  });
});
