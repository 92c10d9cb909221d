/**
 * Streamable HTTP end to end: the built CLI with --transport http, a 2026-07-28 (stateless) client
 * and a legacy session-based client on the same /mcp endpoint, plus the HTTP guards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { call, connectHttp, emulator, emulatorEnv, runCli, startHttp, type HttpServerProcess } from "../helpers.js";

const TOKEN = "test-token-0123456789abcdef";
let emu: RunningEmulator;
let server: HttpServerProcess;

beforeAll(async () => {
  emu = await emulator();
  server = await startHttp(emulatorEnv(emu, { CONNECT_MCP_HTTP_TOKEN: TOKEN, CONNECT_MCP_MAX_BODY_BYTES: "65536" }));
});
afterAll(async () => {
  await server?.stop();
  await emu?.close();
});

const auth = { Authorization: `Bearer ${TOKEN}` };

describe("HTTP transport", () => {
  it("serves a 2026-07-28 client without a session", async () => {
    const client = await connectHttp(server.url, "modern", auth);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(["list_accounts", "api_proxy", "list_actions", "describe_action", "run_action"]);
      const r = await call(client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "over http" } });
      expect(r.isError).toBe(false);
      expect(r.structured).toMatchObject({ summary: "Sent message to C01GENERAL" });
    } finally {
      await client.close();
    }
  });

  it("serves a legacy client with an Mcp-Session-Id session", async () => {
    const client = await connectHttp(server.url, "legacy", auth);
    try {
      const accounts = await call(client, "list_accounts", { app: "google_sheets" });
      expect(accounts.isError).toBe(false);
      expect(accounts.structured!.accounts).toEqual([expect.objectContaining({ id: "apn_gsheets_demo" })]);
      const proxy = await call(client, "api_proxy", { method: "POST", url: "https://slack.com/api/chat.postMessage", app: "slack", body: { channel: "C1", text: "hi" } });
      expect(proxy.structured).toMatchObject({ status: 200, body: { method: "POST", body: { channel: "C1", text: "hi" } } });
    } finally {
      await client.close();
    }
  });

  it("a raw legacy initialize gets a session id, and an unknown session id is refused", async () => {
    const init = await fetch(server.url, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }),
    });
    expect(init.status).toBe(200);
    expect(init.headers.get("mcp-session-id")).toMatch(/^[0-9a-f-]{36}$/);
    await init.body?.cancel();
    const stale = await fetch(server.url, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": "00000000-0000-0000-0000-000000000000", "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(stale.status).toBe(404);
  });

  it("requires the bearer token", async () => {
    const none = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer /);
    const wrong = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json", Authorization: "Bearer nope-nope-nope-nope" }, body: "{}" });
    expect(wrong.status).toBe(401);
    await expect(connectHttp(server.url, "modern", { Authorization: "Bearer wrong-token-wrong-token" })).rejects.toThrow();
  });

  it("answers /healthz without a token", async () => {
    const res = await fetch(server.url.replace(/\/mcp$/, "/healthz"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, name: "connect-mcp" });
  });

  it("refuses a foreign Host or Origin (DNS rebinding)", async () => {
    const port = new URL(server.url).port;
    const badHost = await rawRequest(port, { host: `evil.example:${port}`, authorization: auth.Authorization });
    expect(badHost).toBe(403);
    const badOrigin = await fetch(server.url, { method: "POST", headers: { ...auth, origin: "https://evil.example", "content-type": "application/json" }, body: "{}" });
    expect(badOrigin.status).toBe(403);
    expect(await badOrigin.json()).toEqual({ jsonrpc: "2.0", error: { code: -32000, message: "Invalid Origin: evil.example" }, id: null });
  });

  it("limits the request body size", async () => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "api_proxy", arguments: { method: "POST", url: "https://slack.com/api/x", body: { blob: "x".repeat(100_000) } } } }),
    });
    expect(res.status).toBe(413);
  });

  it("never logs the bearer token or the client secret", () => {
    expect(server.stderr()).not.toContain(TOKEN);
    expect(server.stderr()).not.toContain("emulator-client-secret");
  });
});

describe("HTTP startup and shutdown", () => {
  it("refuses to bind a non-loopback host without authentication", async () => {
    const r = await runCli(["--transport", "http", "--host", "0.0.0.0", "--port", "0"], emulatorEnv(emu));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without authentication: set CONNECT_MCP_HTTP_TOKEN/);
  });

  it("drains and exits 0 on SIGTERM", async () => {
    const s = await startHttp(emulatorEnv(emu));
    expect(await s.stop("SIGTERM")).toBe(0);
  });
});

/** fetch() cannot set Host; use node:http for that one check. */
async function rawRequest(port: string, headers: Record<string, string>): Promise<number> {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: Number(port), path: "/mcp", method: "POST", headers: { ...headers, "content-type": "application/json" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end("{}");
  });
}
