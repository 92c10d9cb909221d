/**
 * The five tools on Composio: official MCP client → built CLI over stdio → @composio/client →
 * Composio emulator, in all three tool modes; then what is particular to Composio (tool failures
 * as HTTP 200, local schema validation, pinned versions, writes once, connect links).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningComposioEmulator } from "../../src/emulator/composio/index.js";
import { call, completeComposioLink, composioEmulator, composioEnv, composioFault, connectStdio, type StdioSession } from "../helpers.js";
import { startScriptedModel, type ScriptedModel } from "../support/scripted-model.js";

let emu: RunningComposioEmulator;
let model: ScriptedModel;
beforeAll(async () => {
  emu = await composioEmulator();
  model = await startScriptedModel();
});
afterAll(async () => {
  await model?.close();
  await emu?.close();
});

const ISSUE = { owner: "octo", repo: "hello", title: "Bug report" };
const executes = () => emu.requests().filter((r) => r.path.includes("/tools/execute/") && !r.path.endsWith("/proxy"));
const proxies = () => emu.requests().filter((r) => r.path.endsWith("/tools/execute/proxy"));

type Mode = "tools-only" | "full-config" | "sub-agent";

describe.each<Mode>(["tools-only", "full-config", "sub-agent"])("the five tools on Composio (%s)", (mode) => {
  let s: StdioSession;
  beforeAll(async () => {
    s = await connectStdio(
      composioEnv(emu, {
        CONNECT_MCP_TOOL_MODE: mode,
        ...(mode === "sub-agent" ? { CONNECT_MCP_LLM_BASE_URL: model.baseUrl, CONNECT_MCP_LLM_MODEL: "scripted-1", CONNECT_MCP_LLM_API_KEY: "sk-test-0123456789" } : {}),
      }),
    );
  });
  afterAll(async () => {
    await s?.close();
  });
  beforeEach(() => emu.reset());

  it("list_accounts: the user's Composio accounts, health from status", async () => {
    const r = await call(s.client, "list_accounts");
    expect(r.isError, r.text).toBe(false);
    const accounts = r.structured!.accounts as Array<Record<string, unknown>>;
    expect(accounts.map((a) => a.id).sort()).toEqual(["ca_github_demo", "ca_gmail_expired", "ca_notion_demo"]);
    expect(accounts.every((a) => a.provider === "composio")).toBe(true);
    expect(accounts.find((a) => a.id === "ca_github_demo")).toMatchObject({ app: "github", name: "octo-composio", healthy: true, dead: false });
    expect(accounts.find((a) => a.id === "ca_gmail_expired")).toMatchObject({ app: "gmail", healthy: false, dead: true, error: expect.stringMatching(/^expired: .*reconnect/) });
    // Only this user was asked about.
    expect(emu.requests().every((q) => q.query.user_ids === "demo-user")).toBe(true);
  });

  it("api_proxy: the account is checked as this user's, then the request goes through Composio's proxy", async () => {
    const r = await call(s.client, "api_proxy", { method: "GET", url: "/user/repos", app: "github", query: { per_page: 5 }, headers: { "X-Trace": "t1" } });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok", status: 200, account_id: "ca_github_demo", body: { method: "GET", url: "https://api.github.com/user/repos?per_page=5", headers: { "x-trace": "t1" }, user_id: "demo-user" } });
    const log = emu.requests();
    const sent = log.findIndex((q) => q.path.endsWith("/tools/execute/proxy"));
    // The proxy call names no user: a listing of this user's accounts came right before it.
    expect(sent).toBeGreaterThan(0);
    expect(log[sent - 1]).toMatchObject({ method: "GET", path: "/api/v3.1/connected_accounts", query: { user_ids: "demo-user" } });
  });

  it("list_actions: Composio tools with their provider and hint flags", async () => {
    const r = await call(s.client, "list_actions", { app: "github", limit: 10 });
    expect(r.isError, r.text).toBe(false);
    const actions = r.structured!.actions as Array<Record<string, unknown>>;
    expect(actions.map((a) => a.key).sort()).toEqual(["GITHUB_CREATE_AN_ISSUE", "GITHUB_DELETE_A_REPOSITORY", "GITHUB_GET_THE_AUTHENTICATED_USER", "GITHUB_LIST_REPOSITORY_ISSUES"]);
    expect(actions.find((a) => a.key === "GITHUB_LIST_REPOSITORY_ISSUES")).toMatchObject({ provider: "composio", app: "github", read_only: true, destructive: false });
    expect(actions.find((a) => a.key === "GITHUB_DELETE_A_REPOSITORY")).toMatchObject({ read_only: false, destructive: true });
    const search = await call(s.client, "list_actions", { query: "create an issue on github" });
    expect((search.structured!.actions as Array<{ key: string }>)[0]!.key).toBe("GITHUB_CREATE_AN_ISSUE");
  });

  it("describe_action: the tool's JSON Schema as props, annotations from tags, the pinned version; cached afterwards", async () => {
    const r = await call(s.client, "describe_action", { action: "GITHUB_CREATE_AN_ISSUE" });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured!.action).toMatchObject({ key: "GITHUB_CREATE_AN_ISSUE", provider: "composio", app: "github", version: "20250909_00", annotations: { readOnlyHint: false, destructiveHint: false } });
    const props = r.structured!.props as { properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(Object.keys(props.properties)).toEqual(["owner", "repo", "title", "body", "labels", "assignees"]);
    expect(props.required).toEqual(["owner", "repo", "title"]);
    expect(props.properties.labels).toMatchObject({ type: "array", items: { type: "string" } });
    expect(props.properties.owner).toMatchObject({ type: "string", examples: ["octocat"] });
    const again = await call(s.client, "describe_action", { action: "GITHUB_CREATE_AN_ISSUE" });
    expect(again.isError).toBe(false);
    expect(emu.requests().filter((q) => q.path.endsWith("/tools/GITHUB_CREATE_AN_ISSUE")).length).toBeLessThanOrEqual(1);
  });

  it("run_action: executes once as the user's account with the described version", async () => {
    let r;
    if (mode === "sub-agent") {
      model.script([
        { tool: "configure_action", arguments: { action: "GITHUB_CREATE_AN_ISSUE" } },
        { tool: "set_props", arguments: { values: ISSUE } },
        { tool: "run_action" },
      ]);
      r = await call(s.client, "run_action", { instruction: "File a bug report issue in octo/hello" });
    } else {
      r = await call(s.client, "run_action", { action: "GITHUB_CREATE_AN_ISSUE", configured_props: ISSUE });
    }
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok", result: { number: 42, title: "Bug report" } });
    expect(executes()).toHaveLength(1);
    expect(executes()[0]).toMatchObject({ userId: "demo-user", accountId: "ca_github_demo", toolSlug: "GITHUB_CREATE_AN_ISSUE", version: "20250909_00", status: 200 });
  });
});

describe("Composio specifics", () => {
  let s: StdioSession;
  beforeAll(async () => {
    // The client would log at debug level and add headers from these if it read the environment.
    s = await connectStdio(composioEnv(emu, { CONNECT_MCP_TOOL_MODE: "full-config", COMPOSIO_LOG: "debug", COMPOSIO_CUSTOM_HEADERS: "x-leak: 1" }));
  });
  afterAll(async () => {
    await s?.close();
  });
  beforeEach(() => emu.reset());

  it("a tool failure (HTTP 200, successful: false) is a failed run, not a success; the handle stays open to fix and rerun", async () => {
    const r = await call(s.client, "run_action", { action: "GITHUB_CREATE_AN_ISSUE", configured_props: { ...ISSUE, title: "__fail__" } });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/GITHUB_CREATE_AN_ISSUE failed: ComposioToolError: Emulated tool failure/);
    expect(r.structured!.outcome).toBeUndefined();
    const id = r.structured!.configuration_id as string;
    const fixed = await call(s.client, "run_action", { configuration_id: id, configured_props: { title: "Real title" } });
    expect(fixed.structured).toMatchObject({ outcome: "ok", result: { title: "Real title" } });
    expect(executes()).toHaveLength(2);
  });

  it("props are validated against the JSON Schema locally; nothing bad is sent", async () => {
    const wrongType = await call(s.client, "run_action", { action: "GITHUB_CREATE_AN_ISSUE", configured_props: { ...ISSUE, labels: "bug" } });
    expect(wrongType.isError).toBe(true);
    expect(wrongType.text).toMatch(/"labels": expected array/);
    const tooMany = await call(s.client, "run_action", { action: "GITHUB_LIST_REPOSITORY_ISSUES", configured_props: { owner: "o", repo: "r", per_page: 500 } });
    expect(tooMany.text).toMatch(/"per_page": Too big/i);
    const badEnum = await call(s.client, "describe_action", { action: "GITHUB_LIST_REPOSITORY_ISSUES", configured_props: { state: "sideways" } });
    expect(badEnum.isError).toBe(true);
    expect(badEnum.text).toMatch(/"state"/);
    const unknown = await call(s.client, "run_action", { action: "GITHUB_CREATE_AN_ISSUE", configured_props: { ...ISSUE, milestone: 3 } });
    expect(unknown.text).toMatch(/"milestone" is not a prop of GITHUB_CREATE_AN_ISSUE/);
    // Missing required props: needs_input with their schemas, nothing run.
    const partial = await call(s.client, "run_action", { action: "GMAIL_SEND_EMAIL", configured_props: { subject: "Hi" } });
    expect(partial.isError, partial.text).toBe(false);
    expect(partial.structured).toMatchObject({ outcome: "needs_input" });
    expect((partial.structured!.missing as Array<{ name: string }>).map((m) => m.name).sort()).toEqual(["body", "recipient_email"]);
    // $ref'd props are resolved: the attachment's own schema is shown.
    const gmail = await call(s.client, "describe_action", { action: "GMAIL_SEND_EMAIL" });
    expect((gmail.structured!.props as { properties: Record<string, Record<string, unknown>> }).properties.attachment).toMatchObject({ type: "object", required: ["name", "mimetype", "s3key"] });
    expect(executes()).toHaveLength(0);
  });

  it("writes go once: a run answered 502 is outcome unknown and was sent a single time; a proxy POST too", async () => {
    await composioFault(emu, { path_contains: "/tools/execute/GITHUB_CREATE_AN_ISSUE", status: 502, times: 3 });
    const r = await call(s.client, "run_action", { action: "GITHUB_CREATE_AN_ISSUE", configured_props: ISSUE });
    expect(r.isError).toBe(true);
    expect(r.structured).toMatchObject({ outcome: "unknown" });
    expect(executes()).toHaveLength(1);
    await composioFault(emu, { path_contains: "/tools/execute/proxy", status: 502, times: 3 });
    const p = await call(s.client, "api_proxy", { method: "POST", url: "https://api.github.com/repos/o/r/issues", app: "github", body: { title: "x" } });
    expect(p.isError).toBe(true);
    expect(proxies()).toHaveLength(1);
  });

  it("reads ride out a 503: a proxy GET is tried again and says so", async () => {
    await composioFault(emu, { path_contains: "/tools/execute/proxy", status: 503, headers: { "retry-after": "1" } });
    const r = await call(s.client, "api_proxy", { method: "GET", url: "/user", app: "github" });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ status: 200, retried: { attempts: 2, reasons: ["503"] } });
    expect(proxies()).toHaveLength(2);
  });

  it("the upstream's own statuses come through: an app 401 asks to reconnect, a 404 is an upstream error", async () => {
    const notFound = await call(s.client, "api_proxy", { method: "GET", url: "/__emulator/status/404", app: "github" });
    expect(notFound.isError).toBe(true);
    expect(notFound.structured).toMatchObject({ status: 404 });
    const unauthorized = await call(s.client, "api_proxy", { method: "GET", url: "/__emulator/status/401", app: "github" });
    expect(unauthorized.isError, unauthorized.text).toBe(false);
    expect(unauthorized.structured).toMatchObject({ outcome: "connect_required", status: 401, connect: { app: "github", url: expect.stringMatching(/^https:\/\/connect\.composio\.dev\/link\//) } });
    const text = await call(s.client, "api_proxy", { method: "GET", url: "/__emulator/text", app: "github" });
    expect(text.structured).toMatchObject({ body: "hello from the emulator", body_encoding: "text" });
    const origin = await call(s.client, "api_proxy", { method: "GET", url: "https://evil.example.com/x", app: "github" });
    expect(origin.isError).toBe(true);
    expect(origin.text).toMatch(/OriginMismatch/);
  });
});

describe("connecting Composio apps", () => {
  let s: StdioSession;
  beforeAll(async () => {
    s = await connectStdio(composioEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only", CONNECT_MCP_CONNECT_SUCCESS_REDIRECT_URI: "https://app.example/connected" }));
  });
  afterAll(async () => {
    await s?.close();
  });
  beforeEach(() => emu.reset());

  const links = () => emu.requests().filter((r) => r.path.endsWith("/connected_accounts/link"));

  it("an unconnected app answers connect_required with a 10-minute link (reused), and the next call after connecting succeeds", async () => {
    const run = { action: "SLACK_SEND_MESSAGE", configured_props: { channel: "C01GENERAL", text: "hello" } };
    const first = await call(s.client, "run_action", run);
    expect(first.isError, first.text).toBe(false);
    expect(first.structured).toMatchObject({ outcome: "connect_required", connect: { app: "slack", url: expect.stringMatching(/^https:\/\/connect\.composio\.dev\/link\/lt_/) } });
    const connect = first.structured!.connect as { url: string; expires_at: string };
    const ttl = Date.parse(connect.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(8 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    expect(first.structured!.message).toMatch(/^To continue, connect your Slack account/);
    // Asked again: the same link, even though the link created a pending account.
    const again = await call(s.client, "list_accounts", { app: "slack" });
    expect(again.structured).toMatchObject({ outcome: "connect_required", connect: { url: connect.url } });
    expect((again.structured!.accounts as Array<Record<string, unknown>>)[0]).toMatchObject({ pending: true, healthy: false, dead: false });
    expect(links()).toHaveLength(1);
    // The callback travels to Composio as callback_url; the auth config was looked up, not created.
    expect(emu.requests().some((r) => r.method === "POST" && r.path.endsWith("/auth_configs"))).toBe(false);
    expect(executes()).toHaveLength(0);

    const account = await completeComposioLink(emu, connect.url, { alias: "Team Slack" });
    const ran = await call(s.client, "run_action", run);
    expect(ran.isError, ran.text).toBe(false);
    expect(ran.structured).toMatchObject({ outcome: "ok", result: { ok: true, channel: "C01GENERAL" } });
    expect(executes()[0]).toMatchObject({ accountId: account.id });
    const listed = await call(s.client, "list_accounts", { app: "slack" });
    expect(listed.structured).toMatchObject({ outcome: "ok", accounts: [{ id: account.id, name: "Team Slack", healthy: true }] });
  });

  it("an EXPIRED account answers connect_required to reconnect it; a toolkit without an auth config gets a Composio-managed one", async () => {
    const expired = await call(s.client, "run_action", { action: "GMAIL_FETCH_EMAILS", configured_props: {} });
    expect(expired.structured).toMatchObject({ outcome: "connect_required", connect: { app: "gmail" } });
    expect(expired.structured!.message).toMatch(/"demo@gmail.com" needs to be reconnected/);
    const linear = await call(s.client, "list_accounts", { app: "linear" });
    expect(linear.structured).toMatchObject({ outcome: "connect_required", connect: { app: "linear" } });
    expect(emu.requests().some((r) => r.method === "POST" && r.path.endsWith("/auth_configs"))).toBe(true);
    const impossible = await call(s.client, "list_accounts", { app: "weathermap" });
    expect(impossible.isError).toBe(true);
    expect(impossible.text).toMatch(/cannot create a Composio-managed one/);
  });
});

describe("pinned toolkit versions", () => {
  it("COMPOSIO_TOOLKIT_VERSIONS pins what is described and run", async () => {
    const s = await connectStdio(composioEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only", COMPOSIO_TOOLKIT_VERSIONS: "github=20250801_00" }));
    try {
      emu.reset();
      const d = await call(s.client, "describe_action", { action: "GITHUB_CREATE_AN_ISSUE" });
      expect(d.structured!.action).toMatchObject({ version: "20250801_00" });
      expect(Object.keys((d.structured!.props as { properties: object }).properties)).not.toContain("labels");
      const refused = await call(s.client, "run_action", { action: "GITHUB_CREATE_AN_ISSUE", configured_props: { ...ISSUE, labels: ["bug"] } });
      expect(refused.text).toMatch(/"labels" is not a prop/);
      const ran = await call(s.client, "run_action", { action: "GITHUB_CREATE_AN_ISSUE", configured_props: ISSUE });
      expect(ran.isError, ran.text).toBe(false);
      expect(executes().map((r) => r.version)).toEqual(["20250801_00"]);
    } finally {
      await s.close();
    }
  });
});

describe("governance applies to Composio as to Pipedream", () => {
  it("read-only and deny-apps refuse before anything reaches Composio; allowed reads run", async () => {
    const s = await connectStdio(composioEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only", CONNECT_MCP_READ_ONLY: "true", CONNECT_MCP_DENY_APPS: "notion" }));
    try {
      emu.reset();
      const write = await call(s.client, "run_action", { action: "GITHUB_CREATE_AN_ISSUE", configured_props: ISSUE });
      expect(write.isError).toBe(true);
      expect(write.text).toMatch(/Refused by policy "read-only"/);
      const post = await call(s.client, "api_proxy", { method: "POST", url: "/repos/o/r/issues", app: "github", body: { title: "x" } });
      expect(post.text).toMatch(/Refused by policy "read-only"/);
      const denied = await call(s.client, "run_action", { action: "NOTION_SEARCH_NOTION_PAGE", configured_props: {} });
      expect(denied.text).toMatch(/Refused by policy "deny-apps".*notion/);
      const listed = await call(s.client, "list_accounts");
      expect((listed.structured!.accounts as Array<{ app: string }>).map((a) => a.app)).not.toContain("notion");
      expect(executes()).toHaveLength(0);
      expect(proxies()).toHaveLength(0);
      const read = await call(s.client, "run_action", { action: "GITHUB_LIST_REPOSITORY_ISSUES", configured_props: { owner: "o", repo: "r" } });
      expect(read.isError, read.text).toBe(false);
      expect(executes()).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("confirm-writes holds a Composio run for confirmation; an idempotency key replays instead of running again", async () => {
    const s = await connectStdio(composioEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only", CONNECT_MCP_CONFIRM_WRITES: "true" }));
    try {
      emu.reset();
      const args = { action: "GITHUB_CREATE_AN_ISSUE", configured_props: ISSUE, idempotency_key: "issue-1" };
      const preview = await call(s.client, "run_action", args);
      expect(preview.structured).toMatchObject({ outcome: "needs_input", needs: "confirmation", preview: { action: "GITHUB_CREATE_AN_ISSUE", account_ids: ["ca_github_demo"] } });
      expect(executes()).toHaveLength(0);
      const token = preview.structured!.confirmation_token as string;
      const ran = await call(s.client, "run_action", { ...args, confirmation_token: token });
      expect(ran.structured, ran.text).toMatchObject({ outcome: "ok", result: { number: 42 } });
      const replay = await call(s.client, "run_action", { ...args, confirmation_token: token });
      expect(replay.structured).toMatchObject({ outcome: "ok", replayed: true });
      expect(executes()).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("a cancelled tool call aborts the request at Composio", async () => {
    const s = await connectStdio(composioEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }), "modern");
    try {
      emu.reset();
      const controller = new AbortController();
      const pending = s.client.callTool({ name: "api_proxy", arguments: { method: "POST", url: "/__emulator/delay/4000", app: "github", body: { a: 1 } } }, { signal: controller.signal });
      await expect.poll(() => proxies().length, { timeout: 10_000 }).toBe(1);
      const cancelledAt = Date.now();
      controller.abort("user stop");
      await expect(pending).rejects.toThrow();
      await expect.poll(() => proxies()[0]?.endedAt, { timeout: 10_000 }).toBeDefined();
      expect(proxies()[0]).toMatchObject({ aborted: true });
      expect(Date.parse(proxies()[0]!.endedAt!) - cancelledAt).toBeLessThan(2000);
    } finally {
      await s.close();
    }
  });
});
