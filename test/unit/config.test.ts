import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, isLoopbackHost, missingCredentials, redactedConfig, resolveConfig, unauthenticatedExposure } from "../../src/config.js";

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

  it("rate limits by transport unless set: none on stdio, a share of the project's quota on HTTP", () => {
    expect(resolveConfig({ env: {} })).toMatchObject({ rateLimitPerMinute: 0, rateLimitProjectPerMinute: 0 });
    expect(resolveConfig({ env: {}, flags: { transport: "http" } })).toMatchObject({ rateLimitPerMinute: 60, rateLimitProjectPerMinute: 180 });
    // Unset: the policy derives it (30, capped by the rate; see governance.test.ts).
    expect(resolveConfig({ env: {} }).rateLimitBurst).toBeUndefined();
    // a value set anywhere wins over the transport's default, including 0 on HTTP
    expect(resolveConfig({ env: { CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "10" } }).rateLimitPerMinute).toBe(10);
    expect(resolveConfig({ env: { CONNECT_MCP_TRANSPORT: "http", CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "0" } })).toMatchObject({ rateLimitPerMinute: 0, rateLimitProjectPerMinute: 180 });
    expect(resolveConfig({ configFile: file({ transport: "http", rateLimitProjectPerMinute: 0 }), env: {} })).toMatchObject({ rateLimitPerMinute: 60, rateLimitProjectPerMinute: 0 });
  });

  it("names what exposes an HTTP server that has no authentication", () => {
    const c = (env: Record<string, string>) => unauthenticatedExposure(resolveConfig({ env: { CONNECT_MCP_TRANSPORT: "http", ...env } }));
    expect(c({})).toBeUndefined();
    expect(c({ CONNECT_MCP_ALLOWED_HOSTS: "localhost,127.0.0.2,[::1]", CONNECT_MCP_CORS_ORIGINS: "http://localhost:5173" })).toBeUndefined();
    expect(c({ CONNECT_MCP_HOST: "0.0.0.0" })?.refusal).toBe("refusing to listen on 0.0.0.0 without authentication");
    expect(c({ CONNECT_MCP_CORS_ORIGINS: "*" })?.refusal).toMatch(/--cors-origins \* lets any web page/);
    expect(c({ CONNECT_MCP_ALLOWED_HOSTS: "localhost,mcp.example.com" })?.refusal).toMatch(/--allowed-hosts mcp\.example\.com /);
    expect(c({ CONNECT_MCP_ALLOWED_ORIGINS: "app.example.com" })?.undo).toBe("list only loopback names in --allowed-origins");
    expect(c({ CONNECT_MCP_CORS_ORIGINS: "https://app.example.com" })?.refusal).toMatch(/--cors-origins https:\/\/app\.example\.com/);
    expect(c({ CONNECT_MCP_CORS_ORIGINS: "*", CONNECT_MCP_HOST: "0.0.0.0", CONNECT_MCP_HTTP_TOKEN: "a-token-of-16-chars-or-more" })).toBeUndefined();
  });

  it("requires https for the Connect and model base URLs unless loopback", () => {
    expect(() => resolveConfig({ env: { PIPEDREAM_BASE_URL: "http://connect.example.com" } })).toThrow(/env PIPEDREAM_BASE_URL = "http:\/\/connect\.example\.com" must be https:\/\//);
    expect(() => resolveConfig({ env: {}, flags: { llmBaseUrl: "http://192.168.1.9:11434/v1" } })).toThrow(/flag --llm-base-url = "http:\/\/192\.168\.1\.9:11434" must be https:\/\//);
    expect(() => resolveConfig({ configFile: file({ llmBaseUrl: "http://gw.example/v1" }), env: {} })).toThrow(/config file key "llmBaseUrl"/);
    for (const ok of ["http://127.0.0.1:4010", "http://localhost:4010", "http://[::1]:4010", "https://connect.example.com"]) {
      expect(resolveConfig({ env: { PIPEDREAM_BASE_URL: ok, CONNECT_MCP_LLM_BASE_URL: ok } }).baseUrl).toBe(ok);
    }
    // The embeddings endpoint (semantic re-ranking) gets the requests' text and a key too.
    const embed = { CONNECT_MCP_EMBEDDINGS_MODEL: "e" };
    expect(() => resolveConfig({ env: { ...embed, CONNECT_MCP_EMBEDDINGS_BASE_URL: "http://gw.example/v1" } })).toThrow(/CONNECT_MCP_EMBEDDINGS_BASE_URL = "http:\/\/gw\.example" must be https/);
    expect(() => resolveConfig({ env: { ...embed, OPENAI_BASE_URL: "http://gw.example/v1" } })).toThrow(/env OPENAI_BASE_URL/);
    expect(resolveConfig({ env: { ...embed, CONNECT_MCP_EMBEDDINGS_BASE_URL: "http://127.0.0.1:11434/v1" } }).embeddingsBaseUrl).toBe("http://127.0.0.1:11434/v1");
    expect(resolveConfig({ env: { CONNECT_MCP_EMBEDDINGS_BASE_URL: "http://gw.example/v1" } }).embeddingsModel).toBeUndefined();
    // The model libraries read OPENAI_BASE_URL / ANTHROPIC_BASE_URL when no base URL is configured.
    const subAgent = { CONNECT_MCP_TOOL_MODE: "sub-agent", CONNECT_MCP_LLM_MODEL: "m" };
    expect(() => resolveConfig({ env: { ...subAgent, OPENAI_BASE_URL: "http://gw.example/v1" } })).toThrow(/env OPENAI_BASE_URL/);
    expect(() => resolveConfig({ env: { ...subAgent, CONNECT_MCP_LLM_PROVIDER: "anthropic", ANTHROPIC_BASE_URL: "http://gw.example" } })).toThrow(/env ANTHROPIC_BASE_URL/);
    // …but only when that library is the one in use.
    expect(() => resolveConfig({ env: { ...subAgent, CONNECT_MCP_LLM_PROVIDER: "sampling", OPENAI_BASE_URL: "http://gw.example/v1" } })).not.toThrow();
    expect(() => resolveConfig({ env: { CONNECT_MCP_TOOL_MODE: "sub-agent", OPENAI_BASE_URL: "http://gw.example/v1" } })).not.toThrow();
    expect(() => resolveConfig({ env: { CONNECT_MCP_LLM_MODEL: "m", OPENAI_BASE_URL: "http://gw.example/v1" } })).not.toThrow();
  });

  it("refuses http proxy targets unless --allow-http-proxy-targets", () => {
    expect(resolveConfig({ env: {} }).allowHttpProxyTargets).toBe(false);
    expect(resolveConfig({ env: { CONNECT_MCP_ALLOW_HTTP_PROXY_TARGETS: "true" } }).allowHttpProxyTargets).toBe(true);
  });

  it("CONNECT_MCP_DATABASE_URL selects PostgreSQL, wins over a SQLite path set anywhere, and stays hidden", () => {
    const url = "postgres://app:s3cret@db.internal:5432/connect_mcp";
    const both = resolveConfig({ env: { CONNECT_MCP_DATABASE_URL: url, CONNECT_MCP_DB: "/var/lib/x.db" } });
    expect(both).toMatchObject({ databaseUrl: url, ignoredDbSource: "env CONNECT_MCP_DB" });
    expect(resolveConfig({ env: { CONNECT_MCP_DATABASE_URL: url }, flags: { db: "/tmp/y.db" } }).ignoredDbSource).toBe("flag --db");
    expect(resolveConfig({ env: { CONNECT_MCP_DATABASE_URL: url } }).ignoredDbSource).toBeUndefined();
    expect(resolveConfig({ env: { CONNECT_MCP_DB: "/tmp/z.db" } })).not.toHaveProperty("ignoredDbSource");
    expect(JSON.stringify(redactedConfig(both))).not.toContain("s3cret");
    expect(() => resolveConfig({ env: { CONNECT_MCP_DATABASE_URL: "mysql://db/x" } })).toThrow(/CONNECT_MCP_DATABASE_URL = \(hidden\): must be a postgres:\/\/ or postgresql:\/\/ URL/);
  });

  it("knows loopback hosts", () => {
    expect(["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"].every(isLoopbackHost)).toBe(true);
    expect(["0.0.0.0", "10.0.0.1", "example.com", "::"].some(isLoopbackHost)).toBe(false);
  });
});

describe("providers in the configuration", () => {
  it("names the end user with CONNECT_MCP_EXTERNAL_USER_ID or PIPEDREAM_EXTERNAL_USER_ID; two different values are an error", () => {
    expect(resolveConfig({ env: { CONNECT_MCP_EXTERNAL_USER_ID: "u1" } }).externalUserId).toBe("u1");
    expect(resolveConfig({ env: { PIPEDREAM_EXTERNAL_USER_ID: "u2" } }).externalUserId).toBe("u2");
    expect(resolveConfig({ env: { CONNECT_MCP_EXTERNAL_USER_ID: "u1", PIPEDREAM_EXTERNAL_USER_ID: "u1" } }).externalUserId).toBe("u1");
    expect(() => resolveConfig({ env: { CONNECT_MCP_EXTERNAL_USER_ID: "u1", PIPEDREAM_EXTERNAL_USER_ID: "u2" } })).toThrow(/PIPEDREAM_EXTERNAL_USER_ID and CONNECT_MCP_EXTERNAL_USER_ID are both set, to different values/);
  });

  it("reads Composio's key, base URL (https, or http on loopback) and pinned toolkit versions; the key stays hidden", () => {
    const c = resolveConfig({ env: { COMPOSIO_API_KEY: "ck_secret", COMPOSIO_TOOLKIT_VERSIONS: "github=20250909_00, Slack=latest" } });
    expect(c).toMatchObject({ composioApiKey: "ck_secret", composioBaseUrl: "https://backend.composio.dev", composioToolkitVersions: { github: "20250909_00", slack: "latest" } });
    expect(redactedConfig(c).composioApiKey).toBe("***");
    expect(resolveConfig({ env: { COMPOSIO_API_KEY: "k", COMPOSIO_BASE_URL: "http://127.0.0.1:4020" } }).composioBaseUrl).toBe("http://127.0.0.1:4020");
    expect(() => resolveConfig({ env: { COMPOSIO_API_KEY: "k", COMPOSIO_BASE_URL: "http://composio.internal" } })).toThrow(/COMPOSIO_BASE_URL .* must be https/);
    expect(() => resolveConfig({ env: { COMPOSIO_TOOLKIT_VERSIONS: "github" } })).toThrow(/"github" is not toolkit=version/);
    expect(() => resolveConfig({ env: { COMPOSIO_TOOLKIT_VERSIONS: "github=v2" } })).toThrow(/versions look like 20250909_00/);
    expect(resolveConfig({ configFile: file({ composioToolkitVersions: { github: "20250801_00" } }), env: {} }).composioToolkitVersions).toEqual({ github: "20250801_00" });
  });
});
