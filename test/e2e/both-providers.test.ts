/**
 * Pipedream and Composio side by side: one end user with accounts at both, one server, the same
 * five tools. Each account and action names its provider; ids and keys keep their own formats; a
 * call goes to the provider that owns the account or action; search ranks across both; an app
 * offered by both uses the user's healthy account (an explicit account_id wins); an action runs
 * only with an account of its own provider.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningComposioEmulator } from "../../src/emulator/composio/index.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { bothEnv, call, composioEmulator, connectStdio, emulator, type StdioSession } from "../helpers.js";
import { startScriptedModel, type ScriptedModel } from "../support/scripted-model.js";

let pd: RunningEmulator;
let cx: RunningComposioEmulator;
let model: ScriptedModel;
beforeAll(async () => {
  [pd, cx, model] = await Promise.all([emulator(), composioEmulator(), startScriptedModel()]);
});
afterAll(async () => {
  await Promise.all([model?.close(), pd?.close(), cx?.close()]);
});
beforeEach(() => {
  pd.reset();
  cx.reset();
});

const PIPEDREAM_IDS = ["apn_github_personal", "apn_github_work", "apn_gmail_dead", "apn_gsheets_demo", "apn_slack_demo", "apn_zendesk_demo"];
const COMPOSIO_IDS = ["ca_github_demo", "ca_gmail_expired", "ca_notion_demo"];
const pdProxied = () => pd.requests().filter((r) => r.path.includes("/proxy/"));
const cxProxied = () => cx.requests().filter((r) => r.path.endsWith("/tools/execute/proxy"));
const pdRuns = () => pd.requests().filter((r) => r.path.endsWith("/actions/run"));
const cxRuns = () => cx.requests().filter((r) => r.path.includes("/tools/execute/") && !r.path.endsWith("/proxy"));

type Mode = "tools-only" | "full-config" | "sub-agent";

describe.each<Mode>(["tools-only", "full-config", "sub-agent"])("both providers at once (%s)", (mode) => {
  let s: StdioSession;
  beforeAll(async () => {
    s = await connectStdio(
      bothEnv(pd, cx, {
        CONNECT_MCP_TOOL_MODE: mode,
        ...(mode === "sub-agent" ? { CONNECT_MCP_LLM_BASE_URL: model.baseUrl, CONNECT_MCP_LLM_MODEL: "scripted-1", CONNECT_MCP_LLM_API_KEY: "sk-test-0123456789" } : {}),
      }),
    );
  });
  afterAll(async () => {
    await s?.close();
  });

  it("list_accounts: every account of the user at both, each with its provider", async () => {
    const r = await call(s.client, "list_accounts");
    expect(r.isError, r.text).toBe(false);
    const accounts = r.structured!.accounts as Array<{ id: string; provider: string }>;
    expect(accounts.map((a) => a.id).sort()).toEqual([...PIPEDREAM_IDS, ...COMPOSIO_IDS].sort());
    for (const a of accounts) expect(a.provider, a.id).toBe(a.id.startsWith("apn_") ? "pipedream" : "composio");
  });

  it("api_proxy: an app only connected at Composio uses that account; several healthy accounts need account_id, which wins", async () => {
    const notion = await call(s.client, "api_proxy", { method: "GET", url: "/search", app: "notion" });
    expect(notion.isError, notion.text).toBe(false);
    expect(notion.structured).toMatchObject({ status: 200, account_id: "ca_notion_demo", body: { url: "https://api.notion.com/v1/search" } });
    const ambiguous = await call(s.client, "api_proxy", { method: "GET", url: "https://api.github.com/user", app: "github" });
    expect(ambiguous.isError).toBe(true);
    expect(ambiguous.text).toMatch(/3 healthy github accounts/);
    expect(ambiguous.text).toMatch(/ca_github_demo \("octo-composio", at composio\)/);
    const viaComposio = await call(s.client, "api_proxy", { method: "GET", url: "https://api.github.com/user", app: "github", account_id: "ca_github_demo" });
    expect(viaComposio.structured).toMatchObject({ status: 200, account_id: "ca_github_demo", body: { user_id: "demo-user" } });
    const viaPipedream = await call(s.client, "api_proxy", { method: "GET", url: "https://api.github.com/user", account_id: "apn_github_work" });
    expect(viaPipedream.structured).toMatchObject({ status: 200, account_id: "apn_github_work", body: { external_user_id: "demo-user" } });
    expect(cxProxied()).toHaveLength(2);
    expect(pdProxied()).toHaveLength(1);
  });

  it("list_actions ranks both catalogs together; keys keep their formats and name their provider", async () => {
    const r = await call(s.client, "list_actions", { query: "send a slack message", limit: 10 });
    expect(r.isError, r.text).toBe(false);
    const actions = r.structured!.actions as Array<{ key: string; provider: string }>;
    const keys = actions.map((a) => a.key);
    expect(keys).toContain("slack-send-message");
    expect(keys).toContain("SLACK_SEND_MESSAGE");
    for (const a of actions) expect(a.provider, a.key).toBe(/-/.test(a.key) ? "pipedream" : "composio");
    const github = await call(s.client, "list_actions", { app: "github", limit: 50 });
    const providers = new Set((github.structured!.actions as Array<{ provider: string }>).map((a) => a.provider));
    expect([...providers].sort()).toEqual(["composio", "pipedream"]);
  });

  it("describe_action answers for either provider's key", async () => {
    const a = await call(s.client, "describe_action", { action: "GITHUB_LIST_REPOSITORY_ISSUES" });
    expect(a.structured!.action).toMatchObject({ provider: "composio", annotations: { readOnlyHint: true } });
    const b = await call(s.client, "describe_action", { action: "slack-send-message" });
    expect(b.structured!.action).toMatchObject({ provider: "pipedream" });
  });

  it("run_action runs each action at its own provider with an account held there", async () => {
    if (mode === "sub-agent") {
      model.script([
        { tool: "configure_action", arguments: { action: "GITHUB_GET_THE_AUTHENTICATED_USER" } },
        { tool: "run_action" },
      ]);
      const r = await call(s.client, "run_action", { instruction: "Who am I on GitHub?" });
      expect(r.isError, r.text).toBe(false);
      expect(r.structured).toMatchObject({ outcome: "ok", result: { login: "octo-composio" } });
    } else {
      // Pipedream has two github accounts, Composio one: a Composio tool uses Composio's.
      const r = await call(s.client, "run_action", { action: "GITHUB_GET_THE_AUTHENTICATED_USER", configured_props: {} });
      expect(r.isError, r.text).toBe(false);
      expect(r.structured).toMatchObject({ outcome: "ok", result: { login: "octo-composio" } });
      const p = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "hi" } });
      expect(p.structured, p.text).toMatchObject({ outcome: "ok" });
      expect(pdRuns()).toHaveLength(1);
      expect(pd.requests().find((q) => q.path.endsWith("/actions/run"))).toMatchObject({ accountId: "apn_slack_demo" });
    }
    expect(cxRuns()).toHaveLength(1);
    expect(cxRuns()[0]).toMatchObject({ accountId: "ca_github_demo", userId: "demo-user" });
  });
});

describe("both providers: choosing where to connect and which account an action may use", () => {
  let s: StdioSession;
  beforeAll(async () => {
    s = await connectStdio(bothEnv(pd, cx, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("an action needs an account at its own provider: a Composio Slack tool asks to connect Slack at Composio though Pipedream's is healthy", async () => {
    const r = await call(s.client, "run_action", { action: "SLACK_SEND_MESSAGE", configured_props: { channel: "C01GENERAL", text: "hi" } });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "connect_required", connect: { app: "slack", url: expect.stringMatching(/^https:\/\/connect\.composio\.dev\/link\//) } });
    // …and a Pipedream Notion action asks at Pipedream though Composio's Notion is healthy.
    const n = await call(s.client, "run_action", { action: "notion-create-page", configured_props: { parent: "page_team_wiki", title: "Plan" } });
    expect(n.structured).toMatchObject({ outcome: "connect_required", connect: { app: "notion", url: expect.stringMatching(new RegExp(`^${pd.url}/_static/connect\\.html`)) } });
    expect(cxRuns()).toHaveLength(0);
    expect(pdRuns()).toHaveLength(0);
  });

  it("an explicit account of the wrong provider is refused before anything runs", async () => {
    const r = await call(s.client, "run_action", { action: "GITHUB_GET_THE_AUTHENTICATED_USER", configured_props: {}, account_id: "apn_github_work" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/held at pipedream, but this action runs at composio/);
    expect(cxRuns()).toHaveLength(0);
  });

  it("connect links: a dead account is reconnected where it lives; a new app goes to the first provider that offers it", async () => {
    // gmail: dead at Pipedream (older) and expired at Composio (newer) → Composio's.
    const gmail = await call(s.client, "list_accounts", { app: "gmail" });
    expect(gmail.structured).toMatchObject({ outcome: "connect_required", connect: { app: "gmail" } });
    expect((gmail.structured!.connect as { url: string }).url).toMatch(/^https:\/\/connect\.composio\.dev\//);
    // linear: offered by both, connected at neither → Pipedream (first configured).
    const linear = await call(s.client, "list_accounts", { app: "linear" });
    expect((linear.structured!.connect as { url: string }).url.startsWith(`${pd.url}/`)).toBe(true);
    // weathermap: only Composio offers it.
    const weather = await call(s.client, "list_actions", { app: "weathermap" });
    expect((weather.structured!.actions as Array<{ key: string }>).map((a) => a.key)).toEqual(["WEATHERMAP_WEATHER"]);
  });
});
