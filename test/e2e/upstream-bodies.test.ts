/**
 * What api_proxy does with the upstream's answer, end to end (official MCP client → built server
 * over stdio → Connect emulator): bodies are read as a stream up to CONNECT_MCP_MAX_UPSTREAM_BYTES
 * and the rest is never downloaded (peak RSS measured in the spawned server), and an app's own 401
 * is reported as the account needing reconnection without touching the Connect access token.
 */
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { call, CLI, emulator, emulatorEnv } from "../helpers.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => {
  await emu?.close();
});

interface Server {
  client: Client;
  pid: number;
  close(): Promise<void>;
}

/** The built server over stdio, keeping its pid so the test can read its memory figures. */
async function startServer(env: Record<string, string>): Promise<Server> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  const client = new Client({ name: "connect-mcp-tests", version: "1.0.0" });
  await client.connect(transport);
  const pid = transport.pid;
  if (!pid) throw new Error("the server process has no pid");
  return { client, pid, close: () => client.close() };
}

/** Peak resident set size of a process so far (Linux: VmHWM), in bytes. */
function peakRss(pid: number): number {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(m[1]) * 1024;
}

const MB = 1024 * 1024;

describe("upstream bodies are read up to a byte cap", () => {
  let s: Server;
  beforeAll(async () => {
    s = await startServer(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Peak RSS of a fresh, warmed-up server before and after one api_proxy GET of `url`. */
  async function measured(url: string, label: string) {
    const server = await startServer(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
    let before: number;
    let after: number;
    let r: Awaited<ReturnType<typeof call>>;
    try {
      // Warm up: the SDK loaded, a token fetched, small bodies read and shaped, and one 20 MB body
      // cut at the cap, so that the heap has grown to its working size before the peak is taken
      // (without it, how far V8 had grown its young generation decided the figure: +1 to +44 MB
      // over eight runs). A server that read whole bodies would still rise by ~40 MB more for 60.
      for (let i = 0; i < 3; i++) {
        expect((await call(server.client, "list_accounts", { app: "slack" })).isError).toBe(false);
        expect((await call(server.client, "api_proxy", { method: "GET", url: "https://slack.com/api/auth.test", app: "slack" })).isError).toBe(false);
        expect((await call(server.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/large/200000", app: "slack" })).isError).toBe(false);
      }
      expect((await call(server.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/large/20000000?chunked=1", app: "slack" })).isError).toBe(false);
      before = peakRss(server.pid);
      emu.reset();
      r = await call(server.client, "api_proxy", { method: "GET", url, app: "slack" });
      after = peakRss(server.pid);
    } finally {
      await server.close();
    }
    const rise = after - before;
    console.error(`api_proxy of ${label}: server peak RSS ${(before / MB).toFixed(1)} MB → ${(after / MB).toFixed(1)} MB (+${(rise / MB).toFixed(1)} MB)`);
    expect(r.isError, r.text).toBe(false);
    expect((r.structured!.body as string).length).toBeLessThanOrEqual(100_001);
    // The rest was not downloaded: the server closed the connection before the end.
    const proxied = emu.requests().filter((q) => q.path.includes("/proxy/"));
    expect(proxied).toHaveLength(1);
    expect(proxied[0]).toMatchObject({ aborted: true });
    return { r, rise };
  }

  it.skipIf(process.platform !== "linux")("a 60 MB body raises the server's peak RSS by less than 40 MB, and the result says it was cut", async () => {
    const { r, rise } = await measured("https://slack.com/__emulator/large/60000000", "a 60 MB body");
    expect(r.structured).toMatchObject({ status: 200, body_truncated: true, body_encoding: "text", body_bytes_total: 60_000_000 });
    // Its Content-Length was over the cap: only the part that is kept (1 MiB) was read.
    const seen = r.structured!.body_bytes_seen as number;
    expect(seen).toBeGreaterThanOrEqual(1 * MB);
    expect(seen).toBeLessThan(8 * MB);
    expect(rise).toBeLessThan(40 * MB);
  });

  it.skipIf(process.platform !== "linux")("a 60 MB body of unknown length is read up to the 8 MiB cap, also within 40 MB of peak RSS", async () => {
    const { r, rise } = await measured("https://slack.com/__emulator/large/60000000?chunked=1", "a 60 MB chunked body");
    expect(r.structured).toMatchObject({ status: 200, body_truncated: true, body_encoding: "text" });
    expect(r.structured).not.toHaveProperty("body_bytes_total");
    const seen = r.structured!.body_bytes_seen as number;
    expect(seen).toBeGreaterThan(8 * MB);
    expect(seen).toBeLessThan(9 * MB);
    expect(rise).toBeLessThan(40 * MB);
  });

  it("a JSON body under the cap is returned parsed, with no truncation fields", async () => {
    const r = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/api/conversations.list", app: "slack", headers: { Accept: "application/json" } });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ status: 200, body_encoding: "json", body: { method: "GET", headers: { accept: "application/json" } } });
    expect(r.structured).not.toHaveProperty("body_truncated");
    expect(r.structured).not.toHaveProperty("body_bytes_seen");
  });

  it("an upstream error body over the cap is cut too, and still reported as the upstream's error", async () => {
    const r = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/large/20000000?status=500", app: "slack" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/HTTP 500/);
    expect(r.structured).toMatchObject({ status: 500, body_truncated: true, body_bytes_total: 20_000_000 });
    expect(r.structured!.body_bytes_seen as number).toBeLessThan(8 * MB);
  });
});

describe("the byte cap is configurable", () => {
  let s: Server;
  beforeAll(async () => {
    s = await startServer(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only", CONNECT_MCP_MAX_UPSTREAM_BYTES: "4096" }));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("CONNECT_MCP_MAX_UPSTREAM_BYTES=4096 cuts a 10,000-byte JSON body into text, saying how much was seen", async () => {
    const r = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/large/10000", app: "slack" });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ status: 200, body_truncated: true, body_encoding: "text", body_bytes_total: 10_000 });
    expect(r.structured!.body_bytes_seen as number).toBeGreaterThanOrEqual(4096);
    expect((r.structured!.body as string).startsWith('{"data":"xxx')).toBe(true);
    expect((r.structured!.body as string).length).toBeLessThanOrEqual(4097);
  });

  it("a body under the cap is untouched", async () => {
    const r = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/large/3000", app: "slack" });
    expect(r.structured).toMatchObject({ status: 200, body_encoding: "json" });
    expect(r.structured).not.toHaveProperty("body_truncated");
  });
});

describe("an app's 401 is not Connect's 401", () => {
  let s: Server;
  beforeAll(async () => {
    s = await startServer(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("five calls to an upstream answering 401: one token fetch, five proxy requests, each a connect_required with a link", async () => {
    emu.reset();
    for (let i = 0; i < 5; i++) {
      const r = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/status/401", app: "slack" });
      expect(r.isError, r.text).toBe(false);
      expect(r.structured).toMatchObject({
        outcome: "connect_required",
        status: 401,
        account_id: "apn_slack_demo",
        connect: { app: "slack", url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/_static\/connect\.html\?token=ctok_.*&app=slack$/) },
      });
      expect(r.structured!.upstream_body).toMatch(/emulated 401/);
      expect(r.structured!.message).toMatch(/Slack account "Demo Workspace" needs to be reconnected: open http:\/\/127\.0\.0\.1/);
    }
    const log = emu.requests();
    expect(log.filter((q) => q.path === "/v1/oauth/token")).toHaveLength(1);
    expect(log.filter((q) => q.path.includes("/proxy/"))).toHaveLength(5);
  });

  it("a write answered 401 by the app is sent once and reported the same way", async () => {
    emu.reset();
    const r = await call(s.client, "api_proxy", { method: "POST", url: "https://slack.com/__emulator/status/401", app: "slack", body: { text: "hi" } });
    expect(r.structured).toMatchObject({ outcome: "connect_required", status: 401 });
    expect(emu.requests().filter((q) => q.path.includes("/proxy/"))).toHaveLength(1);
  });

  it("Connect's own 401 (our token revoked mid-call) is answered by one token refresh and one repeat of the read", async () => {
    await call(s.client, "list_accounts", { app: "slack" });
    emu.reset(); // forgets issued tokens: the next account lookup refreshes once
    // Hold the proxy request in the emulator, revoke the token it carries, then let it reach Connect's auth check.
    await fetch(`${emu.url}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path_contains: "/proxy/", delay_ms: 400 }),
    });
    const pending = call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/api/auth.test", app: "slack" });
    while (!emu.requests().some((q) => q.path.includes("/proxy/"))) await new Promise((r) => setTimeout(r, 10));
    await fetch(`${emu.url}/__emulator/revoke-tokens`, { method: "POST" });
    const r = await pending;
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok", status: 200 });
    const log = emu.requests();
    expect(log.filter((q) => q.path.includes("/proxy/")).map((q) => q.status)).toEqual([401, 200]);
    expect(log.filter((q) => q.path === "/v1/oauth/token")).toHaveLength(2);
  });
});

describe("an unreadable answer from Connect is an error, not an empty success", () => {
  let s: Server;
  beforeAll(async () => {
    s = await startServer(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("list_actions over an action list that is not JSON says so, instead of answering actions: []", async () => {
    emu.reset();
    await fetch(`${emu.url}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "GET", path_contains: "/actions", status: 200, body: "<html>502 Bad Gateway</html>", content_type: "text/html", times: 5 }),
    });
    const r = await call(s.client, "list_actions", { app: "github" });
    expect(r.isError, r.text).toBe(true);
    expect(r.text).toMatch(/Connect's answer could not be read while trying to list actions: the body was not JSON/);
    expect(r.structured?.actions).toBeUndefined();
  });
});
