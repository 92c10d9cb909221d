/**
 * `connect-mcp accounts list|connect|status|revoke` against both emulators: the built CLI as an
 * operator runs it, for either provider.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningComposioEmulator } from "../../src/emulator/composio/index.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { bothEnv, completeComposioLink, composioEmulator, emulator, runCli } from "../helpers.js";

let pd: RunningEmulator;
let cx: RunningComposioEmulator;
let env: Record<string, string>;
beforeAll(async () => {
  [pd, cx] = await Promise.all([emulator(), composioEmulator()]);
  env = bothEnv(pd, cx);
});
afterAll(async () => {
  await Promise.all([pd?.close(), cx?.close()]);
});
beforeEach(() => {
  pd.reset();
  cx.reset();
});

const accounts = (...args: string[]) => runCli(["accounts", ...args], env);

describe("connect-mcp accounts", () => {
  it("list: the user's accounts at both providers, with their state", async () => {
    const r = await accounts("list", "--user", "demo-user");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^pipedream +apn_gmail_dead +gmail .*needs reconnecting/m);
    expect(r.stdout).toMatch(/^composio +ca_gmail_expired +gmail .*needs reconnecting \(expired: /m);
    expect(r.stdout).toMatch(/^composio +ca_github_demo +github +"octo-composio" +usable$/m);
    expect(r.stdout).not.toMatch(/other-user|ca_github_other|apn_slack_other/);
    const one = await accounts("list", "--user", "other-user", "--app", "github");
    expect(one.stdout.trim().split("\n")).toEqual([expect.stringMatching(/^composio +ca_github_other /)]);
  });

  it("connect at Composio → the user finishes → status sees it usable; a failed link ends status with exit 1", async () => {
    const c = await accounts("connect", "--user", "demo-user", "--app", "slack", "--provider", "composio");
    expect(c.code, c.stdout + c.stderr).toBe(0);
    const url = /https:\/\/connect\.composio\.dev\/link\/\S+/.exec(c.stdout)![0];
    const id = /--account (ca_\S+)/.exec(c.stdout)![1]!;
    const pending = await accounts("status", "--user", "demo-user", "--account", id, "--wait-seconds", "0");
    expect(pending.code).toBe(1);
    expect(pending.stdout).toMatch(/being connected/);
    const waiting = accounts("status", "--user", "demo-user", "--account", id, "--wait-seconds", "20", "--poll-ms", "100");
    await new Promise((r) => setTimeout(r, 800));
    await completeComposioLink(cx, url, { alias: "Team Slack" });
    const done = await waiting;
    expect(done.code, done.stdout).toBe(0);
    expect(done.stdout).toMatch(/composio +ca_\S+ +slack +"Team Slack" +usable/);

    const again = await accounts("connect", "--user", "demo-user", "--app", "notion", "--provider", "composio");
    const failedUrl = /https:\/\/connect\.composio\.dev\/link\/\S+/.exec(again.stdout)![0];
    const failedId = /--account (ca_\S+)/.exec(again.stdout)![1]!;
    await completeComposioLink(cx, failedUrl, { status: "FAILED" });
    const failed = await accounts("status", "--user", "demo-user", "--account", failedId, "--wait-seconds", "10", "--poll-ms", "100");
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/needs reconnecting \(failed: .*denied/);
  });

  it("connect at Pipedream (the first provider offering the app) and wait by app", async () => {
    const c = await accounts("connect", "--user", "demo-user", "--app", "linear");
    expect(c.code, c.stdout).toBe(0);
    expect(c.stdout).toMatch(/at Pipedream Connect/);
    const url = new RegExp(`${pd.url}/\\S+`).exec(c.stdout)![0];
    expect(c.stdout).toContain("--app linear");
    const timedOut = await accounts("status", "--user", "demo-user", "--app", "linear", "--wait-seconds", "0.3", "--poll-ms", "100");
    expect(timedOut.code).toBe(1);
    expect(timedOut.stdout).toMatch(/has no linear account yet[\s\S]*Not usable after/);
    const token = new URL(url).searchParams.get("token");
    await fetch(`${pd.url}/__emulator/connect`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token, app: "linear", name: "Eng Linear" }) });
    const ok = await accounts("status", "--user", "demo-user", "--app", "linear", "--wait-seconds", "5", "--poll-ms", "100");
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/pipedream +apn_\S+ +linear +"Eng Linear" +usable/);
    const noSuchApp = await accounts("connect", "--user", "demo-user", "--app", "weathermap", "--provider", "pipedream");
    expect(noSuchApp.code).toBe(1);
    expect(noSuchApp.stdout).toMatch(/Pipedream Connect does not offer weathermap/);
  });

  it("revoke asks for --yes, refuses another user's account, and disconnects at the right provider", async () => {
    const dry = await accounts("revoke", "--user", "demo-user", "--account", "ca_notion_demo");
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/This would disconnect notion account ca_notion_demo \("Team Wiki"\).*Nothing was changed[\s\S]*--yes/);
    expect(cx.requests().some((r) => r.method === "DELETE")).toBe(false);
    const foreign = await accounts("revoke", "--user", "demo-user", "--account", "ca_notion_other", "--yes");
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toMatch(/not one of "demo-user"'s connected accounts; nothing was changed/);
    expect(cx.requests().some((r) => r.method === "DELETE")).toBe(false);
    const yes = await accounts("revoke", "--user", "demo-user", "--account", "ca_notion_demo", "--yes");
    expect(yes.code, yes.stdout).toBe(0);
    expect(cx.requests().filter((r) => r.method === "DELETE")).toEqual([expect.objectContaining({ path: "/api/v3.1/connected_accounts/ca_notion_demo", query: { revoke_on_delete: "true" } })]);
    const pdYes = await accounts("revoke", "--user", "demo-user", "--account", "apn_zendesk_demo", "--yes");
    expect(pdYes.code, pdYes.stdout).toBe(0);
    expect(pd.requests().filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual(["/v1/connect/proj_emulator/accounts/apn_zendesk_demo"]);
    const after = await accounts("list", "--user", "demo-user");
    expect(after.stdout).not.toMatch(/ca_notion_demo|apn_zendesk_demo/);
  });

  it("says what is missing", async () => {
    const noUser = await runCli(["accounts", "list"], { ...env, CONNECT_MCP_EXTERNAL_USER_ID: "" });
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toMatch(/--user is required/);
    const noSub = await accounts("--user", "demo-user");
    expect(noSub.code).toBe(2);
    expect(noSub.stderr).toMatch(/accounts needs one of list, connect, status, revoke/);
    const both = await accounts("status", "--user", "demo-user", "--app", "a", "--account", "b");
    expect(both.stderr).toMatch(/--account ID or --app A \(one of them\)/);
  });

  it("doctor checks each configured provider and counts the user's accounts at each", async () => {
    const r = await runCli(["doctor"], env);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/ok +Composio API http:\/\/127\.0\.0\.1:\d+, COMPOSIO_API_KEY is set/);
    expect(r.stdout).toMatch(/ok +Connect issued an access token/);
    expect(r.stdout).toMatch(/ok +Composio accepted the API key/);
    expect(r.stdout).toMatch(/"demo-user" has 9 connected account\(s\): 7 healthy.*; Pipedream Connect: 6, Composio: 3/);
    expect(r.stdout).toMatch(/warn +account ca_gmail_expired \(gmail\) is dead: expired: /);
    expect(r.stdout).not.toContain("emulator-composio-key");
    const wrongKey = await runCli(["doctor"], { ...env, COMPOSIO_API_KEY: "wrong-key" });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/FAIL +Composio answered HTTP 401.*COMPOSIO_API_KEY/);
    expect(wrongKey.stdout).not.toContain("wrong-key");
    const composioOnly = await runCli(["doctor"], { COMPOSIO_BASE_URL: cx.url, COMPOSIO_API_KEY: "emulator-composio-key", CONNECT_MCP_EXTERNAL_USER_ID: "demo-user", CONNECT_MCP_DB: ":memory:" });
    expect(composioOnly.code, composioOnly.stdout).toBe(0);
    expect(composioOnly.stdout).not.toMatch(/PIPEDREAM|Connect API/);
  });
});
