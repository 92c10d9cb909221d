/**
 * The five tools end to end: official MCP client → built CLI over stdio → @pipedream/sdk →
 * Connect emulator. Happy paths run on both protocol eras; bad inputs on the legacy one.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { call, connectStdio, emulator, emulatorEnv, fault, type Era, type StdioSession } from "../helpers.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => {
  await emu?.close();
});

describe.each<Era>(["legacy", "modern"])("tools over stdio (%s protocol)", (era) => {
  let s: StdioSession;
  beforeAll(async () => {
    s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }), era);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("lists exactly the five tools with annotations and output schemas", async () => {
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["list_accounts", "api_proxy", "list_actions", "describe_action", "run_action"]);
    for (const t of tools) {
      expect(t.annotations).toMatchObject({ readOnlyHint: expect.any(Boolean), openWorldHint: expect.any(Boolean) });
      // destructiveHint and idempotentHint mean something only when readOnlyHint is false (MCP spec).
      if (!t.annotations!.readOnlyHint) expect(t.annotations).toMatchObject({ destructiveHint: expect.any(Boolean), idempotentHint: expect.any(Boolean) });
      expect(t.outputSchema?.type).toBe("object");
    }
  });

  it("list_accounts follows every page and maps the fields", async () => {
    const r = await call(s.client, "list_accounts");
    expect(r.isError).toBe(false);
    const accounts = r.structured!.accounts as Array<Record<string, unknown>>;
    // demo-user has 6 accounts and the emulator pages by 5.
    expect(accounts.map((a) => a.id).sort()).toEqual(
      ["apn_github_personal", "apn_github_work", "apn_gmail_dead", "apn_gsheets_demo", "apn_slack_demo", "apn_zendesk_demo"].sort(),
    );
    expect(accounts.find((a) => a.id === "apn_gmail_dead")).toMatchObject({ app: "gmail", app_name: "Gmail", healthy: false, dead: true });
    expect(accounts[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(JSON.parse(r.text)).toEqual(r.structured);
  });

  it("list_actions pages with an opaque cursor", async () => {
    const first = await call(s.client, "list_actions", { app: "slack", limit: 4 });
    expect(first.isError).toBe(false);
    const page1 = first.structured!.actions as Array<{ key: string; app: string; read_only: boolean }>;
    expect(page1).toHaveLength(4);
    expect(page1.every((a) => a.app === "slack")).toBe(true);
    expect(first.structured!.next_cursor).toEqual(expect.any(String));
    const second = await call(s.client, "list_actions", { app: "slack", limit: 4, cursor: first.structured!.next_cursor });
    const page2 = second.structured!.actions as Array<{ key: string }>;
    expect(page2.length).toBeGreaterThan(0);
    expect(page2.map((a) => a.key)).not.toContain(page1[0]!.key);
    expect(second.structured!.next_cursor).toBeUndefined();
  });

  it("describe_action returns a fillable JSON Schema without the app prop", async () => {
    const r = await call(s.client, "describe_action", { action: "slack-send-message" });
    expect(r.isError).toBe(false);
    const props = r.structured!.props as { properties: Record<string, { type?: string; description?: string }>; required: string[] };
    expect(Object.keys(props.properties)).toEqual(["channel", "text", "thread_ts"]);
    expect(props.required).toEqual(["channel", "text"]);
    expect(props.properties.channel!.description).toContain("[remote options");
    expect(r.structured!.accounts_needed).toEqual([{ prop: "slack", app: "slack" }]);
  });

  it("run_action fills the account, runs once and returns summary and result", async () => {
    emu.reset();
    const r = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "hello" } });
    expect(r.isError).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok", summary: "Sent message to C01GENERAL", result: { ok: true, text: "hello" } });
    expect(emu.requests().filter((q) => q.path.endsWith("/actions/run"))).toHaveLength(1);
  });

  it("api_proxy sends the query correctly and returns the upstream answer", async () => {
    const r = await call(s.client, "api_proxy", {
      method: "GET",
      url: "https://slack.com/api/conversations.list?types=public",
      app: "slack",
      query: { limit: 5, archived: false },
    });
    expect(r.isError).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok", status: 200, body_encoding: "json", account_id: "apn_slack_demo" });
    const echo = r.structured!.body as { url: string; query: Record<string, string> };
    expect(echo.url).toBe("https://slack.com/api/conversations.list?types=public&limit=5&archived=false");
    expect(echo.query).toEqual({ types: "public", limit: "5", archived: "false" });
  });
});

describe("tools over stdio: results and bad input", () => {
  let s: StdioSession;
  beforeAll(async () => {
    s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only", CONNECT_MCP_UPSTREAM_TIMEOUT_MS: "1500" }));
  });
  afterAll(async () => {
    await s?.close();
  });
  afterEach(async () => {
    await fetch(`${emu.url}/__emulator/faults`, { method: "DELETE" });
  });

  it("rejects wrong argument types and unknown arguments with a clear error", async () => {
    const wrongType = await call(s.client, "list_actions", { limit: "ten" });
    expect(wrongType.isError).toBe(true);
    expect(wrongType.text).toMatch(/limit/);
    const unknownArg = await call(s.client, "list_accounts", { external_user_id: "other-user" });
    expect(unknownArg.isError).toBe(true);
    expect(unknownArg.text).toMatch(/external_user_id/);
  });

  it("an unknown action or app is named, with the next step", async () => {
    const action = await call(s.client, "describe_action", { action: "slack-no-such-thing" });
    expect(action.isError).toBe(true);
    expect(action.text).toMatch(/Unknown action "slack-no-such-thing".*list_actions/);
    const app = await call(s.client, "list_actions", { app: "no_such_app" });
    expect(app.isError).toBe(true);
    expect(app.text).toMatch(/Unknown app "no_such_app"/);
  });

  it("another user's account id is refused without revealing it, and never reaches the proxy", async () => {
    emu.reset();
    const r = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/api/auth.test", account_id: "apn_slack_other" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/apn_slack_other is not one of this user's connected accounts/);
    expect(r.text).not.toMatch(/Other Workspace|other-user/);
    expect(emu.requests().some((q) => q.path.includes("/proxy/"))).toBe(false);
    const run = await call(s.client, "run_action", { action: "slack-send-message", account_id: "apn_slack_other", configured_props: { channel: "C1", text: "x" } });
    expect(run.isError).toBe(true);
    expect(emu.requests().some((q) => q.path.endsWith("/actions/run"))).toBe(false);
  });

  it("an ambiguous app lists the choices; account_id picks one", async () => {
    const ambiguous = await call(s.client, "run_action", { action: "github-create-issue", configured_props: { repo: "work-org/api", title: "Bug" } });
    expect(ambiguous.isError).toBe(true);
    expect(ambiguous.text).toContain("apn_github_work");
    expect(ambiguous.text).toContain("apn_github_personal");
    const chosen = await call(s.client, "run_action", {
      action: "github-create-issue",
      account_id: "apn_github_work",
      configured_props: { repo: "work-org/api", title: "Bug" },
    });
    expect(chosen.isError).toBe(false);
    expect(chosen.structured!.result).toMatchObject({ number: 42 });
  });

  it("a dead account is answered with a link to reconnect it (more in connect.stdio.test.ts)", async () => {
    const r = await call(s.client, "api_proxy", { method: "GET", url: "https://gmail.googleapis.com/gmail/v1/users/me/profile", app: "gmail" });
    expect(r.isError).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "connect_required", connect: { app: "gmail" } });
    expect(r.text).toMatch(/needs to be reconnected/);
  });

  it("run_action reports missing, unknown and mistyped props before calling Connect", async () => {
    emu.reset();
    const r = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: true, colour: "red", slack: "apn_slack_other" } });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/"colour" is not a prop/);
    expect(r.text).toMatch(/"slack" is the slack account prop/);
    expect(r.text).toMatch(/"channel" must be a string/);
    expect(r.text).toMatch(/missing required prop: text/);
    expect(emu.requests().some((q) => q.path.endsWith("/actions/run"))).toBe(false);
  });

  it("an action's os[] error is a failure, and it is not retried", async () => {
    emu.reset();
    const r = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "__fail__" } });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/Emulated component failure.*not retried/);
    expect(emu.requests().filter((q) => q.path.endsWith("/actions/run"))).toHaveLength(1);
  });

  it("an upstream 500 on run is reported once, never retried", async () => {
    emu.reset();
    await fault(emu, { path_contains: "/actions/run", status: 500, body: { error: "boom" }, times: 3 });
    const r = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "x" } });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/HTTP 500.*boom/);
    expect(emu.requests().filter((q) => q.path.endsWith("/actions/run"))).toHaveLength(1);
  });

  it("an upstream 404 and a 5xx from the app's API come back with status and body; writes are sent once", async () => {
    emu.reset();
    const notFound = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/status/404", app: "slack" });
    expect(notFound.isError).toBe(true);
    expect(notFound.structured).toMatchObject({ status: 404, body: { error: "emulated 404" } });
    // An error is never also outcome "ok".
    expect(notFound.structured!.outcome).toBeUndefined();
    const write = await call(s.client, "api_proxy", { method: "POST", url: "https://slack.com/__emulator/status/502", app: "slack", body: { text: "hi" } });
    expect(write.isError).toBe(true);
    expect(write.text).toMatch(/HTTP 502/);
    expect(emu.requests().filter((q) => q.method === "POST" && q.path.includes("/proxy/"))).toHaveLength(1);
  });

  it("a GET that keeps failing says it was tried more than once, in its text too, and is no outcome ok", async () => {
    const down = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/status/503", app: "slack" });
    expect(down.isError).toBe(true);
    expect(down.structured).toMatchObject({ status: 503, retried: { attempts: expect.any(Number), reasons: expect.arrayContaining(["503"]) } });
    expect(down.text).toMatch(/HTTP 503 \(tried \d times; the earlier attempts got 503/);
    expect(down.structured!.outcome).toBeUndefined();
  });

  it("an upstream timeout is a clear error within the configured limit", async () => {
    await fault(emu, { path_contains: "/actions/slack-list-channels", delay_ms: 5000 });
    const started = Date.now();
    const r = await call(s.client, "describe_action", { action: "slack-list-channels" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/did not answer in time/);
    expect(Date.now() - started).toBeLessThan(4500);
  });

  it("describe_action is served from the catalog cache the second time", async () => {
    emu.reset();
    const first = await call(s.client, "describe_action", { action: "gmail-send-email" });
    const second = await call(s.client, "describe_action", { action: "gmail-send-email" });
    expect(second.structured).toEqual(first.structured);
    // reset() also revoked the access token, so a 401 + retry may precede the one real fetch.
    expect(emu.requests().filter((q) => q.path.endsWith("/actions/gmail-send-email") && q.status === 200)).toHaveLength(1);
  });

  it("actions fetched by list_actions need no retrieve call to describe", async () => {
    emu.reset();
    await call(s.client, "list_actions", { app: "zendesk" });
    const r = await call(s.client, "describe_action", { action: "zendesk-create-ticket" });
    expect(r.isError).toBe(false);
    expect((r.structured!.props as { properties: Record<string, { enum?: unknown[] }> }).properties.priority!.enum).toEqual(["low", "normal", "high", "urgent"]);
    expect(emu.requests().some((q) => q.path.endsWith("/actions/zendesk-create-ticket"))).toBe(false);
  });

  it("api_proxy refuses private targets, schemes and URL tricks before forwarding", async () => {
    emu.reset();
    for (const url of [
      "http://127.0.0.1/admin",
      "http://2130706433/",
      "http://169.254.169.254/latest/meta-data",
      "https://user:pass@slack.com/api",
      "file:///etc/passwd",
      "http://[::1]/",
      "http://localhost:8080/",
      "https://10.0.0.1/",
      "//evil.example/x",
    ]) {
      const r = await call(s.client, "api_proxy", { method: "GET", url, app: "slack" });
      expect(r.isError, url).toBe(true);
      expect(r.text, url).toMatch(/url refused/);
    }
    expect(emu.requests().some((q) => q.path.includes("/proxy/"))).toBe(false);
  });

  it("relative paths work only for apps with per-account domains", async () => {
    const zendesk = await call(s.client, "api_proxy", { method: "GET", url: "/api/v2/tickets.json", app: "zendesk" });
    expect(zendesk.isError).toBe(false);
    expect((zendesk.structured!.body as { url: string }).url).toBe("https://acme.zendesk.com/api/v2/tickets.json");
    const slack = await call(s.client, "api_proxy", { method: "GET", url: "/api/auth.test", app: "slack" });
    expect(slack.isError).toBe(true);
    expect(slack.text).toMatch(/relative url is only allowed/);
  });

  it("non-JSON responses come back as text or base64", async () => {
    const text = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/text", app: "slack" });
    expect(text.structured).toMatchObject({ body: "hello from the emulator", body_encoding: "text" });
    const binary = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/binary", app: "slack" });
    expect(binary.structured!.body_encoding).toBe("base64");
    expect(Buffer.from(binary.structured!.body as string, "base64").subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const empty = await call(s.client, "api_proxy", { method: "DELETE", url: "https://slack.com/__emulator/empty", app: "slack" });
    expect(empty.structured).toMatchObject({ status: 204, body: null, body_encoding: "none" });
  });

  it("large responses are cut to the result budget, keep their shape and say so", async () => {
    const r = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/large/300000", app: "slack" });
    expect(r.isError).toBe(false);
    // {"data": "xxx…"}: still an object with its string, cut, and the whole kept for result_id.
    expect(r.structured).toMatchObject({ status: 200, body_encoding: "json", truncated: { result_id: expect.stringMatching(/^res_/), omitted: [{ path: "body.data", chars: 299_989 }] } });
    expect((r.structured!.body as { data: string }).data.length).toBeLessThan(20_000);
    expect(r.text.length).toBeLessThan(8000 * 3);
  });

  it("a revoked access token is replaced once and the call succeeds", async () => {
    emu.reset(); // invalidates every issued token, like a revocation on Connect's side
    const r = await call(s.client, "list_accounts", { app: "slack" });
    expect(r.isError).toBe(false);
    expect(emu.requests().filter((q) => q.path === "/v1/oauth/token")).toHaveLength(1);
  });

  it("dynamic props are reloaded server-side when every value is given", async () => {
    const r = await call(s.client, "run_action", {
      action: "google_sheets-add-single-row",
      configured_props: { sheetId: "sheet_budget_2026", worksheetId: "0", hasHeaders: true, col_0000: "2026-11-21", col_0001: "coffee", col_0002: "4.50" },
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured!.summary).toMatch(/Added 1 row/);
  });
});

describe("without Pipedream credentials", () => {
  it("starts, lists the tools, and every call names the variables to set", async () => {
    const s = await connectStdio({ CONNECT_MCP_DB: ":memory:" });
    try {
      const { tools } = await s.client.listTools();
      expect(tools).toHaveLength(5);
      for (const name of ["list_accounts", "list_actions"]) {
        const r = await call(s.client, name);
        expect(r.isError).toBe(true);
        expect(r.text).toMatch(/PIPEDREAM_CLIENT_ID, PIPEDREAM_CLIENT_SECRET, PIPEDREAM_PROJECT_ID/);
      }
    } finally {
      await s.close();
    }
  });

  it("with credentials but no end user, calls say to set PIPEDREAM_EXTERNAL_USER_ID", async () => {
    const env = emulatorEnv(emu);
    delete (env as Record<string, string | undefined>).PIPEDREAM_EXTERNAL_USER_ID;
    const s = await connectStdio(env);
    try {
      const r = await call(s.client, "list_accounts");
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/PIPEDREAM_EXTERNAL_USER_ID/);
    } finally {
      await s.close();
    }
  });
});
