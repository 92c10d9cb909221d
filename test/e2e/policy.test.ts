/**
 * Operator policy over HTTP, per deployment and per API key: read-only refusals on api_proxy and
 * run_action, app allow/deny lists, confirm-writes (preview → confirm → run; replayed, altered
 * and foreign tokens refused), per-user rate limits and upstream 429s, and the audit log read
 * back with `connect-mcp audit`.
 */
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { apiKey, tempConfig } from "../auth-helpers.js";
import { call, connectHttp, emulator, emulatorEnv, fault, runCli, startHttp, type HttpServerProcess } from "../helpers.js";

const KEYS = {
  readOnly: apiKey("ro", "demo-user", { readOnly: true }),
  confirm: apiKey("confirm", "demo-user", { confirmWrites: true }),
  confirmOther: apiKey("confirm-other", "other-user", { confirmWrites: true }),
  slackOnly: apiKey("slack-only", "demo-user", { allowApps: ["slack"] }),
  limited: apiKey("limited", "rate-user", { rateLimitPerMinute: 6, rateLimitBurst: 3 }),
  plain: apiKey("plain", "demo-user"),
};

let emu: RunningEmulator;
let server: HttpServerProcess;
let cfg: ReturnType<typeof tempConfig>;
let db: string;

beforeAll(async () => {
  emu = await emulator();
  cfg = tempConfig({ apiKeys: Object.values(KEYS).map((k) => k.entry), denyApps: ["gmail"] });
  db = join(cfg.dir, "audit.db");
  server = await startHttp(emulatorEnv(emu, { CONNECT_MCP_CONFIG: cfg.path, CONNECT_MCP_DB: db, PIPEDREAM_EXTERNAL_USER_ID: "", /* limits here come from the keys (see "fair use"), not the HTTP defaults */ CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "0", CONNECT_MCP_RATE_LIMIT_PROJECT_PER_MINUTE: "0" }));
});
afterAll(async () => {
  await server?.stop();
  await emu?.close();
  cfg?.cleanup();
});
beforeEach(async () => {
  await fetch(`${emu.url}/__emulator/requests`, { method: "DELETE" });
});

async function as<T>(key: keyof typeof KEYS, fn: (c: Awaited<ReturnType<typeof connectHttp>>) => Promise<T>): Promise<T> {
  const client = await connectHttp(server.url, "modern", KEYS[key].header);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const runs = () => emu.requests().filter((r) => r.path.endsWith("/actions/run"));
const proxied = () => emu.requests().filter((r) => r.path.includes("/proxy/"));

describe("read-only", () => {
  it("refuses writes through api_proxy and lets GET through", async () => {
    await as("readOnly", async (c) => {
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        const r = await call(c, "api_proxy", { method, url: "https://slack.com/api/chat.postMessage", app: "slack", ...(method === "DELETE" ? {} : { body: { text: "x" } }) });
        expect(r.isError, method).toBe(true);
        expect(r.text).toMatch(new RegExp(`Refused by policy "read-only" \\(API key "ro"\\): api_proxy may only send GET requests here, not ${method}`));
      }
      expect(proxied()).toEqual([]);
      const get = await call(c, "api_proxy", { method: "GET", url: "https://slack.com/api/conversations.list", app: "slack" });
      expect(get.isError).toBe(false);
      expect(proxied()).toHaveLength(1);
    });
  });

  it("refuses a GET that writes on an RPC-style API (Slack chat.postMessage), and lets Slack reads through", async () => {
    await as("readOnly", async (c) => {
      const w = await call(c, "api_proxy", { method: "GET", url: "https://slack.com/api/chat.postMessage?channel=C1&text=hi", app: "slack" });
      expect(w.isError).toBe(true);
      expect(w.text).toMatch(/Refused by policy "read-only" \(API key "ro"\): api_proxy may only read here, and this GET writes: Slack Web API method "chat\.postMessage" is not a read/);
      const viaQuery = await call(c, "api_proxy", { method: "GET", url: "https://slack.com/api/reactions.add", query: { channel: "C1", name: "x", timestamp: "1.2" }, app: "slack" });
      expect(viaQuery.text).toMatch(/policy "read-only"/);
      const overridden = await call(c, "api_proxy", { method: "GET", url: "https://slack.com/api/conversations.list", headers: { "X-HTTP-Method-Override": "POST" }, app: "slack" });
      expect(overridden.text).toMatch(/policy "read-only".*header X-HTTP-Method-Override asks for POST/);
      expect(proxied()).toEqual([]);
      for (const method of ["conversations.list", "conversations.history", "users.lookupByEmail", "search.messages"]) {
        const r = await call(c, "api_proxy", { method: "GET", url: `https://slack.com/api/${method}`, query: { channel: "C1" }, app: "slack" });
        expect(r.isError, method).toBe(false);
      }
      expect(proxied()).toHaveLength(4);
    });
  });

  it("list_actions under read-only offers only actions the key may run, and says why", async () => {
    await as("readOnly", async (c) => {
      const r = await call(c, "list_actions", { app: "slack" });
      expect(r.isError, r.text).toBe(false);
      const actions = r.structured!.actions as Array<{ key: string; read_only: boolean }>;
      expect(actions.map((a) => a.key).sort()).toEqual(["slack-find-user", "slack-list-channels"]);
      expect(r.structured!.note).toMatch(/Only read-only actions are listed: policy "read-only" \(API key "ro"\)/);
      const search = await call(c, "list_actions", { query: "send a message on slack" });
      expect((search.structured!.actions as Array<{ read_only: boolean }>).every((a) => a.read_only)).toBe(true);
    });
    await as("plain", async (c) => {
      const r = await call(c, "list_actions", { app: "slack" });
      expect((r.structured!.actions as Array<{ key: string }>).map((a) => a.key)).toContain("slack-send-message");
      expect(r.structured!.note).toBeUndefined();
    });
  });

  it("refuses actions not annotated read-only, before anything runs, and runs read-only ones", async () => {
    await as("readOnly", async (c) => {
      const w = await call(c, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "no" } });
      expect(w.isError).toBe(true);
      expect(w.text).toMatch(/Refused by policy "read-only" \(API key "ro"\): only actions annotated read-only may run, and slack-send-message is not/);
      const dyn = await call(c, "run_action", { action: "google_sheets-add-single-row", configured_props: { sheetId: "s", worksheetId: "0", hasHeaders: false } });
      expect(dyn.text).toMatch(/policy "read-only"/);
      expect(runs()).toEqual([]);
      expect(emu.requests().filter((r) => r.path.endsWith("/actions/props"))).toEqual([]); // no dynamic-props reload either
      const ok = await call(c, "run_action", { action: "slack-list-channels", configured_props: {} });
      expect(ok.isError).toBe(false);
      expect(runs()).toHaveLength(1);
    });
  });

  it("applies only to its key: another key of the same user may write", async () => {
    await as("plain", async (c) => {
      const r = await call(c, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "yes" } });
      expect(r.isError).toBe(false);
    });
  });
});

describe("app allow and deny lists", () => {
  it("a key's allowlist refuses other apps, naming the rule, and trims lists to allowed apps", async () => {
    await as("slackOnly", async (c) => {
      const proxy = await call(c, "api_proxy", { method: "GET", url: "https://api.github.com/user", app: "github" });
      expect(proxy.text).toMatch(/Refused by policy "allow-apps" \(API key "slack-only"\): app "github" is not one of the allowed apps \(slack\)/);
      const byAccount = await call(c, "api_proxy", { method: "GET", url: "https://api.github.com/user", account_id: "apn_github_work" });
      expect(byAccount.text).toMatch(/policy "allow-apps"/);
      const run = await call(c, "run_action", { action: "github-get-repository", configured_props: { repo: "octo/repo" } });
      expect(run.text).toMatch(/policy "allow-apps"/);
      expect(proxied()).toEqual([]);
      expect(runs()).toEqual([]);
      const accounts = await call(c, "list_accounts");
      expect((accounts.structured!.accounts as Array<{ app: string }>).map((a) => a.app)).toEqual(["slack"]);
      const actions = await call(c, "list_actions", { query: "create" });
      expect((actions.structured!.actions as Array<{ app: string }>).every((a) => a.app === "slack")).toBe(true);
    });
  });

  it("the deployment's denylist applies to keys that do not override it", async () => {
    await as("readOnly", async (c) => {
      const r = await call(c, "list_accounts", { app: "gmail" });
      expect(r.text).toMatch(/Refused by policy "deny-apps" \(API key "ro"\): app "gmail" may not be used here/);
    });
  });
});

describe("confirm-writes", () => {
  const send = { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "confirmed hello" } };

  it("run_action: preview → confirm → run; the token is single-use", async () => {
    await as("confirm", async (c) => {
      const preview = await call(c, "run_action", send);
      expect(preview.isError).toBe(false);
      expect(preview.structured).toMatchObject({
        outcome: "needs_input",
        needs: "confirmation",
        preview: { tool: "run_action", action: "slack-send-message", app: "slack", account_ids: ["apn_slack_demo"], configured_props: send.configured_props },
        confirmation_token: expect.stringMatching(/^cfm_/),
      });
      expect(preview.text).toMatch(/Confirmation needed \(policy "confirm-writes", API key "confirm"\): this would run slack-send-message as account apn_slack_demo\. Nothing was sent/);
      expect(runs()).toEqual([]);
      const token = preview.structured!.confirmation_token as string;

      const done = await call(c, "run_action", { ...send, confirmation_token: token });
      expect(done.isError).toBe(false);
      expect(done.structured).toMatchObject({ outcome: "ok", summary: "Sent message to C01GENERAL" });
      expect(runs()).toHaveLength(1);

      const replay = await call(c, "run_action", { ...send, confirmation_token: token });
      expect(replay.isError).toBe(true);
      expect(replay.text).toMatch(/confirmation_token refused: it was already used/);
      expect(runs()).toHaveLength(1);
    });
  });

  it("a token confirms only the exact call it previewed", async () => {
    await as("confirm", async (c) => {
      const token = (await call(c, "run_action", send)).structured!.confirmation_token as string;
      const altered = await call(c, "run_action", { ...send, configured_props: { ...send.configured_props, text: "something else" }, confirmation_token: token });
      expect(altered.isError).toBe(true);
      expect(altered.text).toMatch(/confirmation_token refused: it was issued for a different call/);
      const otherTool = await call(c, "api_proxy", { method: "POST", url: "https://slack.com/api/chat.postMessage", app: "slack", body: { text: "x" }, confirmation_token: token });
      expect(otherTool.text).toMatch(/confirmation_token refused: it was issued for a different call/);
      const forged = await call(c, "run_action", { ...send, confirmation_token: "cfm_forged-token-000000000000000000000000" });
      expect(forged.text).toMatch(/confirmation_token refused: it is not valid \(unknown, or not issued to this user\)/);
      expect(runs()).toEqual([]);
      expect(proxied()).toEqual([]);
    });
  });

  it("another user's token is refused like an unknown one", async () => {
    const token = await as("confirm", async (c) => (await call(c, "run_action", send)).structured!.confirmation_token as string);
    await as("confirmOther", async (c) => {
      const r = await call(c, "run_action", { ...send, confirmation_token: token });
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/confirmation_token refused: it is not valid \(unknown, or not issued to this user\)/);
      expect(r.text).not.toMatch(/demo-user|apn_slack_demo/);
    });
    expect(runs()).toEqual([]);
    // …and it stays unspent for its owner
    await as("confirm", async (c) => expect((await call(c, "run_action", { ...send, confirmation_token: token })).isError).toBe(false));
    expect(runs()).toHaveLength(1);
  });

  it("api_proxy: a write is previewed with method, URL, account and body; reads go straight through", async () => {
    await as("confirm", async (c) => {
      const args = { method: "POST", url: "https://slack.com/api/chat.postMessage", app: "slack", query: { pretty: 1 }, body: { channel: "C1", text: "hi" } };
      const preview = await call(c, "api_proxy", args);
      expect(preview.structured).toMatchObject({
        outcome: "needs_input",
        preview: { tool: "api_proxy", method: "POST", url: "https://slack.com/api/chat.postMessage?pretty=1", account_id: "apn_slack_demo", body: { channel: "C1", text: "hi" } },
      });
      expect(proxied()).toEqual([]);
      const done = await call(c, "api_proxy", { ...args, confirmation_token: preview.structured!.confirmation_token });
      expect(done.structured).toMatchObject({ outcome: "ok", status: 200, body: { method: "POST", body: { channel: "C1", text: "hi" } } });
      expect(proxied()).toHaveLength(1);
      const read = await call(c, "api_proxy", { method: "GET", url: "https://slack.com/api/conversations.list", app: "slack" });
      expect(read.structured).toMatchObject({ outcome: "ok", status: 200 });
      expect(proxied()).toHaveLength(2);
    });
  });
});

describe("confirm-writes: writes hidden in GETs", () => {
  it("api_proxy previews a GET that writes (Slack chat.postMessage) and sends it only once confirmed", async () => {
    await as("confirm", async (c) => {
      const args = { method: "GET", url: "https://slack.com/api/chat.postMessage", query: { channel: "C1", text: "hi" }, app: "slack" };
      const preview = await call(c, "api_proxy", args);
      expect(preview.isError).toBe(false);
      expect(preview.structured).toMatchObject({
        outcome: "needs_input",
        needs: "confirmation",
        preview: { tool: "api_proxy", method: "GET", url: "https://slack.com/api/chat.postMessage?channel=C1&text=hi", account_id: "apn_slack_demo" },
      });
      expect(preview.text).toMatch(/this would GET https:\/\/slack\.com\/api\/chat\.postMessage\?channel=C1&text=hi as slack account apn_slack_demo\. Nothing was sent/);
      expect(proxied()).toEqual([]);
      const done = await call(c, "api_proxy", { ...args, confirmation_token: preview.structured!.confirmation_token });
      expect(done.structured).toMatchObject({ outcome: "ok", status: 200, body: { method: "GET" } });
      expect(proxied()).toHaveLength(1);
    });
  });
});

describe("fair use", () => {
  it("a user's token bucket refuses with retry-after once spent; other users are unaffected", async () => {
    await as("limited", async (c) => {
      for (let i = 0; i < 3; i++) expect((await call(c, "list_actions", { app: "slack", limit: 1 })).isError).toBe(false);
      const r = await call(c, "list_actions", { app: "slack", limit: 1 });
      expect(r.isError).toBe(true);
      const m = /Rate limit \(policy "rate-limit", API key "limited"\): this user may make 6 tool calls per minute \(bursts of 3\); retry after (\d+) s\./.exec(r.text);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(1);
      expect(Number(m![1])).toBeLessThanOrEqual(10);
    });
    await as("plain", async (c) => expect((await call(c, "list_actions", { app: "slack", limit: 1 })).isError).toBe(false));
  });

  it("upstream 429s are passed on with retry-after", async () => {
    await as("plain", async (c) => {
      const app429 = await call(c, "api_proxy", { method: "POST", url: "https://slack.com/__emulator/status/429", app: "slack", body: {} }); // a write: never retried
      expect(app429.isError).toBe(true);
      expect(app429.text).toMatch(/The slack API answered HTTP 429; rate limited upstream, retry after 7 s/);
      await fault(emu, { path_contains: "/actions/run", status: 429 });
      const connect429 = await call(c, "run_action", { action: "slack-list-channels", configured_props: {} });
      expect(connect429.isError).toBe(true);
      expect(connect429.text).toMatch(/rate limit was hit .*; retry after \d+ s/);
    });
  });
});

describe("audit log", () => {
  it("records who did what, with outcome and rule, never bodies or props; `connect-mcp audit` reads it", async () => {
    await as("plain", async (c) => {
      await call(c, "api_proxy", { method: "POST", url: "https://slack.com/api/chat.postMessage", app: "slack", body: { text: "audit-body-secret" }, headers: { "x-custom": "audit-header-secret" } });
    });
    const r = await runCli(["audit", "--db", db, "--json", "--user", "demo-user", "--limit", "1000"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((row) => row.user === "demo-user")).toBe(true);
    expect(rows[0]).toMatchObject({ credential: "api-key:plain", tool: "api_proxy", app: "slack", method: "POST", host: "slack.com", account_id: "apn_slack_demo", outcome: "ok", upstream_status: 200, user_hash: expect.stringMatching(/^u_/) });
    expect(rows).toContainEqual(expect.objectContaining({ credential: "api-key:ro", tool: "run_action", action: "slack-send-message", outcome: "refused", rule: "read-only" }));
    expect(rows).toContainEqual(expect.objectContaining({ credential: "api-key:confirm", tool: "run_action", outcome: "needs_input", rule: "confirm-writes" }));
    expect(rows).toContainEqual(expect.objectContaining({ credential: "api-key:confirm", tool: "run_action", outcome: "ok", rule: "confirmed" }));
    expect(rows).toContainEqual(expect.objectContaining({ credential: "api-key:slack-only", outcome: "refused", rule: "allow-apps", app: "github" }));
    expect(rows).toContainEqual(expect.objectContaining({ tool: "run_action", outcome: "error", rule: "rate_limited" })); // Connect's 429
    expect(r.stdout).not.toMatch(/audit-body-secret|audit-header-secret|confirmed hello|cfm_/);

    const limited = JSON.parse((await runCli(["audit", "--db", db, "--json", "--user", "rate-user"])).stdout) as Array<Record<string, unknown>>;
    expect(limited.map((x) => x.outcome)).toEqual(["rate_limited", "ok", "ok", "ok"]);

    const table = await runCli(["audit", "--db", db, "--user", "other-user", "--since", "1h"]);
    expect(table.stdout).toMatch(/^at\s+user\s+user_hash\s+credential\s+tool/);
    expect(table.stdout).toMatch(/other-user .*api-key:confirm-other\s+run_action\s+slack slack-send-message apn_slack_other\s+refused\s+confirm-writes/);
    expect(table.stdout).not.toMatch(/demo-user/);
    const future = await runCli(["audit", "--db", db, "--since", "2999-01-01"]);
    expect(future.stdout.trim()).toBe("no audit rows match");
    const bad = await runCli(["audit", "--db", db, "--since", "yesterday-ish"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since must be an ISO time/);
  });
});
