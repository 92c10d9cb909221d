/**
 * Operating the HTTP server remotely: /readyz (Connect reachable), CORS for browser clients,
 * the connection limit, JWTs with a shared secret, and the refusal to expose an unauthenticated
 * server on a non-loopback address.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { AUDIENCE, ISSUER, signHs256 } from "../auth-helpers.js";
import { call, connectHttp, emulator, emulatorEnv, runCli, startHttp, type HttpServerProcess } from "../helpers.js";

const TOKEN = "ops-token-0123456789abcdef";
const SECRET = "a-shared-jwt-secret-of-at-least-32-chars!";
const BROWSER = "https://app.example.com";

let emu: RunningEmulator;
let server: HttpServerProcess;

beforeAll(async () => {
  emu = await emulator();
  server = await startHttp(
    emulatorEnv(emu, {
      CONNECT_MCP_HTTP_TOKEN: TOKEN,
      CONNECT_MCP_CORS_ORIGINS: BROWSER,
      CONNECT_MCP_JWT_SECRET: SECRET,
      CONNECT_MCP_JWT_ISSUER: ISSUER,
      CONNECT_MCP_JWT_AUDIENCE: AUDIENCE,
      CONNECT_MCP_JWT_USER_CLAIM: "uid",
    }),
  );
});
afterAll(async () => {
  await server?.stop();
  await emu?.close();
});

const base = () => server.url.replace(/\/mcp$/, "");

describe("/readyz", () => {
  it("is 200 when Connect issues a token, without a credential", async () => {
    const res = await fetch(`${base()}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true });
    expect(emu.requests().some((r) => r.path === "/v1/oauth/token")).toBe(true);
  });

  it("is 503 with the reason when Connect rejects the credentials or cannot be reached", async () => {
    const wrong = await startHttp(emulatorEnv(emu, { PIPEDREAM_CLIENT_SECRET: "wrong-secret" }));
    try {
      const res = await fetch(wrong.url.replace(/\/mcp$/, "/readyz"));
      expect(res.status).toBe(503);
      const body = (await res.json()) as { ready: boolean; reason: string };
      expect(body.ready).toBe(false);
      expect(body.reason).toMatch(/Connect rejected the client credentials/);
      expect(JSON.stringify(body)).not.toContain("wrong-secret");
    } finally {
      await wrong.stop();
    }
    const down = await startHttp(emulatorEnv(emu, { PIPEDREAM_BASE_URL: "http://127.0.0.1:9" }));
    try {
      const res = await fetch(down.url.replace(/\/mcp$/, "/readyz"));
      expect(res.status).toBe(503);
      expect(((await res.json()) as { reason: string }).reason).toMatch(/Could not reach Connect/);
    } finally {
      await down.stop();
    }
  });

  it("is 503 naming the variables when credentials are missing", async () => {
    const bare = await startHttp({ CONNECT_MCP_DB: ":memory:", CONNECT_MCP_LOG_LEVEL: "info" });
    try {
      const res = await fetch(bare.url.replace(/\/mcp$/, "/readyz"));
      expect(res.status).toBe(503);
      expect(((await res.json()) as { reason: string }).reason).toMatch(/PIPEDREAM_CLIENT_ID/);
    } finally {
      await bare.stop();
    }
  });
});

describe("CORS", () => {
  it("answers an allowed origin's preflight with the MCP headers, before authentication", async () => {
    const res = await fetch(server.url, {
      method: "OPTIONS",
      headers: { origin: BROWSER, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, mcp-method, mcp-name, mcp-protocol-version, mcp-session-id" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(BROWSER);
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const h of ["authorization", "content-type", "mcp-method", "mcp-name", "mcp-session-id", "mcp-protocol-version"]) expect(allowed).toContain(h);
    expect(res.headers.get("access-control-allow-methods")).toMatch(/POST/);
    expect((res.headers.get("access-control-expose-headers") ?? "").toLowerCase()).toContain("mcp-session-id");
  });

  it("refuses other origins' preflights and requests", async () => {
    const pre = await fetch(server.url, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
    expect(pre.status).toBe(403);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    const post = await fetch(server.url, { method: "POST", headers: { origin: "https://evil.example", authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: "{}" });
    expect(post.status).toBe(403);
  });

  it("lets an allowed origin call tools and read the session id; a 401 is readable too", async () => {
    const init = await fetch(server.url, {
      method: "POST",
      headers: { origin: BROWSER, authorization: `Bearer ${TOKEN}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "browser", version: "1" } } }),
    });
    expect(init.status).toBe(200);
    expect(init.headers.get("access-control-allow-origin")).toBe(BROWSER);
    expect(init.headers.get("mcp-session-id")).toMatch(/^[0-9a-f-]{36}$/);
    await init.body?.cancel();
    const unauth = await fetch(server.url, { method: "POST", headers: { origin: BROWSER, "content-type": "application/json" }, body: "{}" });
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get("access-control-allow-origin")).toBe(BROWSER);
  });
});

describe("JWTs with a shared secret", () => {
  it("take the end user from the configured claim", async () => {
    const client = await connectHttp(server.url, "modern", { Authorization: `Bearer ${await signHs256(SECRET, { uid: "other-user", sub: "demo-user" })}` });
    try {
      const r = await call(client, "list_accounts");
      expect((r.structured!.accounts as Array<{ id: string }>).map((a) => a.id).sort()).toEqual(["apn_gsheets_other", "apn_slack_other"]);
    } finally {
      await client.close();
    }
    const forged = await fetch(server.url, { method: "POST", headers: { authorization: `Bearer ${await signHs256("another-secret-of-at-least-32-characters", { uid: "other-user" })}`, "content-type": "application/json" }, body: "{}" });
    expect(forged.status).toBe(401);
    expect(forged.headers.get("www-authenticate")).toMatch(/Token signature is not valid/);
  });

  it("the static token still maps to PIPEDREAM_EXTERNAL_USER_ID", async () => {
    const client = await connectHttp(server.url, "modern", { Authorization: `Bearer ${TOKEN}` });
    try {
      const r = await call(client, "list_accounts", { app: "github" });
      expect((r.structured!.accounts as Array<{ id: string }>).map((a) => a.id).sort()).toEqual(["apn_github_personal", "apn_github_work"]);
    } finally {
      await client.close();
    }
  });
});

describe("limits", () => {
  it("refuses connections beyond --max-connections and accepts again once one closes", async () => {
    const limited = await startHttp(emulatorEnv(emu, { CONNECT_MCP_MAX_CONNECTIONS: "2" }));
    const port = Number(new URL(limited.url).port);
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const s = connect(port, "127.0.0.1", () => resolve(s));
        s.once("error", reject);
      });
    /** A raw GET /healthz on a new connection: the response text, or "" if the server dropped it. */
    const probe = async (): Promise<string> => {
      const s = await open();
      return new Promise((resolve) => {
        let data = "";
        s.on("data", (d: Buffer) => (data += d.toString()));
        s.on("error", () => undefined);
        s.on("close", () => resolve(data));
        s.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      });
    };
    const held = [await open(), await open()];
    try {
      await new Promise((r) => setTimeout(r, 50));
      expect(await probe()).toBe("");
      held.pop()!.destroy();
      await new Promise((r) => setTimeout(r, 100));
      expect(await probe()).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      for (const s of held) s.destroy();
      await limited.stop();
    }
  });
});

describe("startup", () => {
  it("refuses a non-loopback bind with no authentication configured", async () => {
    const none = await runCli(["--transport", "http", "--host", "0.0.0.0", "--port", "0"], emulatorEnv(emu, { PIPEDREAM_EXTERNAL_USER_ID: "" }));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without authentication: set CONNECT_MCP_HTTP_TOKEN .*, configure apiKeys or CONNECT_MCP_JWT_\*/);
  });

  it("refuses incomplete JWT settings", async () => {
    const r = await runCli(["--transport", "http"], emulatorEnv(emu, { CONNECT_MCP_JWT_SECRET: SECRET }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/JWT authentication needs CONNECT_MCP_JWT_ISSUER and CONNECT_MCP_JWT_AUDIENCE/);
    expect(r.stderr).not.toContain(SECRET);
  });
});
