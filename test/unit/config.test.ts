import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, isLoopbackHost, missingCredentials, redactedConfig, resolveConfig } from "../../src/config.js";

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "connect-mcp-config-")), "c.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("resolveConfig", () => {
  it("has working defaults", () => {
    const c = resolveConfig({ env: { HOME: "/home/u", XDG_STATE_HOME: "/state" } });
    expect(c).toMatchObject({ transport: "stdio", host: "127.0.0.1", port: 3333, toolMode: "full-config", environment: "production", upstreamTimeoutMs: 60000 });
    expect(c.db).toBe("/state/connect-mcp/connect-mcp.db");
  });

  it("applies defaults ← file ← env ← flags", () => {
    const path = file({ port: 1111, logLevel: "debug", host: "127.0.0.2", toolMode: "tools-only" });
    const c = resolveConfig({ configFile: path, env: { CONNECT_MCP_PORT: "2222", CONNECT_MCP_HOST: "127.0.0.3" }, flags: { port: "3333" } });
    expect(c.port).toBe(3333); // flag beats env
    expect(c.host).toBe("127.0.0.3"); // env beats file
    expect(c.logLevel).toBe("debug"); // file beats default
    expect(c.configFile).toBe(path);
  });

  it("caps upstream bodies at 8 MiB unless told otherwise (flag, env or config key)", () => {
    expect(resolveConfig({ env: {} }).maxUpstreamBytes).toBe(8_388_608);
    expect(resolveConfig({ env: { CONNECT_MCP_MAX_UPSTREAM_BYTES: "1000" } }).maxUpstreamBytes).toBe(1000);
    expect(resolveConfig({ configFile: file({ maxUpstreamBytes: 2000 }), env: {}, flags: { maxUpstreamBytes: "3000" } }).maxUpstreamBytes).toBe(3000);
    expect(() => resolveConfig({ env: { CONNECT_MCP_MAX_UPSTREAM_BYTES: "0" } })).toThrow(/CONNECT_MCP_MAX_UPSTREAM_BYTES/);
  });

  it("reads the config file path from CONNECT_MCP_CONFIG", () => {
    const path = file({ externalUserId: "from-file" });
    expect(resolveConfig({ env: { CONNECT_MCP_CONFIG: path } }).externalUserId).toBe("from-file");
  });

  it("accepts PIPEDREAM_ENVIRONMENT as an alias, PIPEDREAM_PROJECT_ENVIRONMENT first", () => {
    expect(resolveConfig({ env: { PIPEDREAM_ENVIRONMENT: "development" } }).environment).toBe("development");
    expect(resolveConfig({ env: { PIPEDREAM_ENVIRONMENT: "development", PIPEDREAM_PROJECT_ENVIRONMENT: "production" } }).environment).toBe("production");
  });

  it("names the source of every invalid value and hides secrets", () => {
    try {
      resolveConfig({ env: { CONNECT_MCP_PORT: "http", PIPEDREAM_PROJECT_ID: "nope", CONNECT_MCP_HTTP_TOKEN: "short" } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/env CONNECT_MCP_PORT = "http"/);
      expect(msg).toMatch(/env PIPEDREAM_PROJECT_ID = "nope": must look like proj_/);
      expect(msg).toMatch(/env CONNECT_MCP_HTTP_TOKEN = \(hidden\)/);
      expect(msg).not.toContain("short");
    }
  });

  it("rejects unknown keys and broken JSON in the config file", () => {
    expect(() => resolveConfig({ configFile: file({ prot: 1 }), env: {} })).toThrow(/unknown key\(s\): prot/);
    expect(() => resolveConfig({ configFile: file("{not json"), env: {} })).toThrow(/not valid JSON/);
    expect(() => resolveConfig({ configFile: "/no/such/file.json", env: {} })).toThrow(/cannot read config file/);
  });

  it("parses comma lists and reports missing credentials by env name", () => {
    const c = resolveConfig({ env: { CONNECT_MCP_ALLOWED_HOSTS: "a.example, b.example", PIPEDREAM_CLIENT_ID: "id" } });
    expect(c.allowedHosts).toEqual(["a.example", "b.example"]);
    expect(missingCredentials(c)).toEqual(["PIPEDREAM_CLIENT_SECRET", "PIPEDREAM_PROJECT_ID"]);
  });

  it("redacts secrets for logging", () => {
    const c = resolveConfig({ env: { PIPEDREAM_CLIENT_SECRET: "s3cret", CONNECT_MCP_HTTP_TOKEN: "t0ken-t0ken-t0ken-t0ken" } });
    const shown = JSON.stringify(redactedConfig(c));
    expect(shown).not.toContain("s3cret");
    expect(shown).not.toContain("t0ken");
  });

  it("knows loopback hosts", () => {
    expect(["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"].every(isLoopbackHost)).toBe(true);
    expect(["0.0.0.0", "10.0.0.1", "example.com", "::"].some(isLoopbackHost)).toBe(false);
  });
});
