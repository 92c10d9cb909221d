/**
 * Where requests may go: api_proxy refuses non-public address ranges (NAT64, 6to4, Teredo,
 * site-local… as well as the usual private ones) and plain http:// targets unless the operator
 * allows them; the server refuses to start with a non-loopback http:// Connect or model base URL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { call, connectStdio, emulator, emulatorEnv, runCli, type StdioSession } from "../helpers.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => {
  await emu?.close();
});

const proxied = () => emu.requests().filter((q) => q.path.includes("/proxy/"));

describe("api_proxy targets (defaults)", () => {
  let s: StdioSession;
  beforeAll(async () => {
    s = await connectStdio(emulatorEnv(emu));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("refuses addresses that embed or tunnel to IPv4, and other non-public IPv6 ranges, before forwarding", async () => {
    emu.reset();
    for (const [url, range] of [
      ["https://[64:ff9b::a9fe:a9fe]/latest/meta-data", "NAT64, 64:ff9b::/96"],
      ["https://[64:ff9b:1::a00:1]/", "local-use NAT64, 64:ff9b:1::/48"],
      ["https://[2002:a9fe:a9fe::1]/", "6to4, 2002::/16"],
      ["https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "Teredo, 2001::/32"],
      ["https://[fec0::1]/", "site-local (deprecated), fec0::/10"],
      ["https://[100::1]/", "discard-only, 100::/64"],
      ["https://[::ffff:10.0.0.1]/", "private, 10.0.0.0/8"],
      ["https://198.51.100.7/", "documentation, 198.51.100.0/24"],
    ] as const) {
      const r = await call(s.client, "api_proxy", { method: "GET", url, app: "slack" });
      expect(r.isError, url).toBe(true);
      expect(r.text, url).toContain(`url refused: host`);
      expect(r.text, url).toContain(range);
    }
    expect(proxied()).toEqual([]);
  });

  it("refuses plain http:// targets, saying how the operator can allow them, and sends https", async () => {
    emu.reset();
    const r = await call(s.client, "api_proxy", { method: "GET", url: "http://slack.com/api/conversations.list", app: "slack" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/url refused: plain http:\/\/ would send the user's credentials unencrypted; use the https:\/\/ URL/);
    expect(r.text).toContain("--allow-http-proxy-targets (CONNECT_MCP_ALLOW_HTTP_PROXY_TARGETS=true)");
    expect(proxied()).toEqual([]);
    const ok = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/api/conversations.list", app: "slack" });
    expect(ok.isError).toBe(false);
    expect(proxied()).toHaveLength(1);
  });
});

describe("api_proxy targets with --allow-http-proxy-targets", () => {
  let s: StdioSession;
  beforeAll(async () => {
    s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_ALLOW_HTTP_PROXY_TARGETS: "true" }));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("sends http:// to public hosts, and still refuses private ones", async () => {
    emu.reset();
    const ok = await call(s.client, "api_proxy", { method: "GET", url: "http://slack.com/api/conversations.list", app: "slack" });
    expect(ok.isError).toBe(false);
    expect((ok.structured!.body as { url: string }).url).toBe("http://slack.com/api/conversations.list");
    const local = await call(s.client, "api_proxy", { method: "GET", url: "http://10.0.0.1/", app: "slack" });
    expect(local.text).toMatch(/url refused: host 10\.0\.0\.1 is not a public address/);
    expect(proxied()).toHaveLength(1);
  });
});

describe("Connect and model base URLs", () => {
  it("refuse to start with plain http:// to a non-loopback host, naming the setting", async () => {
    const connect = await runCli(["doctor"], emulatorEnv(emu, { PIPEDREAM_BASE_URL: "http://connect.example.com" }));
    expect(connect.code).toBe(2);
    expect(connect.stderr).toMatch(/env PIPEDREAM_BASE_URL = "http:\/\/connect\.example\.com" must be https:\/\/ \(plain http:\/\/ only for a loopback address/);
    const model = await runCli(["doctor"], emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "sub-agent", CONNECT_MCP_LLM_MODEL: "m", CONNECT_MCP_LLM_BASE_URL: "http://10.0.0.5:8080/v1" }));
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/env CONNECT_MCP_LLM_BASE_URL = "http:\/\/10\.0\.0\.5:8080" must be https:\/\//);
    const sdkEnv = await runCli(["doctor"], emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "sub-agent", CONNECT_MCP_LLM_PROVIDER: "anthropic", CONNECT_MCP_LLM_MODEL: "m", ANTHROPIC_BASE_URL: "http://gateway.example.com" }));
    expect(sdkEnv.code).toBe(2);
    expect(sdkEnv.stderr).toMatch(/env ANTHROPIC_BASE_URL = "http:\/\/gateway\.example\.com" must be https:\/\//);
  });

  it("accept http:// on loopback (the emulator, a local model server) and https anywhere", async () => {
    // doctor also checks that the model answers: the emulator's demo model does, on loopback.
    const local = await runCli(["doctor"], emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "sub-agent", CONNECT_MCP_LLM_MODEL: "emulator-demo", CONNECT_MCP_LLM_BASE_URL: `${emu.url}/v1` }));
    expect(local.stderr).not.toMatch(/must be https/);
    expect(local.code, local.stdout).toBe(0);
    // An https model URL is accepted by the configuration (cache reads it without calling anything).
    const https = await runCli(["cache", "--db", ":memory:"], emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "sub-agent", CONNECT_MCP_LLM_MODEL: "m", CONNECT_MCP_LLM_BASE_URL: "https://models.example.com/v1" }));
    expect(https.stderr).not.toMatch(/must be https/);
    expect(https.code).toBe(0);
  });
});
