/**
 * Isolation with Composio on (next to Pipedream): on one HTTP server with an API key per end user,
 * every tool aimed at the other user's Composio accounts — by account_id, by app prop values, by a
 * configuration started on their account — is refused clearly, and neither emulator's log shows
 * any request for the other user, naming their account ids, or any execute/proxy call at all.
 */
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningComposioEmulator } from "../../src/emulator/composio/index.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { apiKey, tempConfig } from "../auth-helpers.js";
import { bothEnv, call, composioEmulator, connectHttp, emulator, startHttp, type HttpServerProcess } from "../helpers.js";

const USERS = {
  "demo-user": { accounts: { ca_github_demo: "github", ca_notion_demo: "notion", ca_gmail_expired: "gmail" }, names: ["octo-composio", "Team Wiki", "demo@gmail.com"] },
  "other-user": { accounts: { ca_github_other: "github", ca_notion_other: "notion" }, names: ["other-octo", "Other Wiki"] },
} as const;
type User = keyof typeof USERS;
const victimOf = (u: User): User => (u === "demo-user" ? "other-user" : "demo-user");

/** A Composio tool per toolkit, with valid arguments (so only the account can be what is refused). */
const TOOLS: Record<string, { key: string; props: Record<string, unknown> }> = {
  github: { key: "GITHUB_CREATE_AN_ISSUE", props: { owner: "o", repo: "r", title: "t" } },
  notion: { key: "NOTION_CREATE_NOTION_PAGE", props: { parent_id: "p", title: "t" } },
  gmail: { key: "GMAIL_SEND_EMAIL", props: { recipient_email: "x@example.com", body: "b" } },
};

const KEYS = { "demo-user": apiKey("demo-key", "demo-user"), "other-user": apiKey("other-key", "other-user") };

let pd: RunningEmulator;
let cx: RunningComposioEmulator;
let server: HttpServerProcess;
let cfg: ReturnType<typeof tempConfig>;

beforeAll(async () => {
  [pd, cx] = await Promise.all([emulator(), composioEmulator()]);
  cfg = tempConfig({ apiKeys: Object.values(KEYS).map((k) => k.entry) });
  server = await startHttp(
    bothEnv(pd, cx, {
      CONNECT_MCP_CONFIG: cfg.path,
      CONNECT_MCP_EXTERNAL_USER_ID: "",
      CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "0",
      CONNECT_MCP_RATE_LIMIT_PROJECT_PER_MINUTE: "0",
    }),
  );
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([pd?.close(), cx?.close()]);
  cfg?.cleanup();
});

describe("isolation with Composio accounts", () => {
  let attempts = 0;

  async function refused(client: Client, user: User, tool: string, args: Record<string, unknown>): Promise<void> {
    attempts++;
    const victim = victimOf(user);
    const what = `${user} → ${tool} ${JSON.stringify(args)}`;
    const r = await call(client, tool, args);
    expect(r.isError, what).toBe(true);
    expect(r.text, what).toMatch(/is not one of this user's connected|is not a configuration of this user|may not carry an app account/);
    expect(r.text, what).not.toContain(victim);
    for (const name of USERS[victim].names) expect(r.text, what).not.toContain(name);
  }

  function nothingReachedUpstream(label: string, victim: User): void {
    const ids = new Set(Object.keys(USERS[victim].accounts));
    const log = cx.requests();
    expect(log.filter((r) => r.userId === victim), `${label}: Composio requests for ${victim}`).toEqual([]);
    expect(log.filter((r) => r.accountId && ids.has(r.accountId)), `${label}: Composio requests naming ${victim}'s accounts`).toEqual([]);
    expect(log.filter((r) => [...ids].some((id) => `${r.path}?${JSON.stringify(r.query)}`.includes(id))), `${label}: ids in paths or queries`).toEqual([]);
    expect(log.filter((r) => r.path.includes("/tools/execute/")), `${label}: executes or proxy calls`).toEqual([]);
    expect(pd.requests().filter((r) => r.externalUserId === victim || r.path.includes("/proxy/") || r.path.endsWith("/actions/run")), `${label}: Pipedream`).toEqual([]);
  }

  it("each user sees only their own Composio accounts", async () => {
    for (const user of Object.keys(USERS) as User[]) {
      const client = await connectHttp(server.url, "modern", KEYS[user].header);
      try {
        const r = await call(client, "list_accounts");
        const ids = (r.structured!.accounts as Array<{ id: string }>).map((a) => a.id).filter((id) => id.startsWith("ca_"));
        expect(ids.sort()).toEqual(Object.keys(USERS[user].accounts).sort());
      } finally {
        await client.close();
      }
    }
  });

  it("api_proxy, run_action and describe_action on the other user's Composio accounts are refused; nothing is sent for them", async () => {
    for (const user of Object.keys(USERS) as User[]) {
      const victim = victimOf(user);
      cx.reset();
      pd.reset();
      for (const era of ["modern", "legacy"] as const) {
        const client = await connectHttp(server.url, era, KEYS[user].header);
        try {
          for (const [accountId, app] of Object.entries(USERS[victim].accounts)) {
            const tool = TOOLS[app]!;
            await refused(client, user, "api_proxy", { method: "GET", url: "/user", account_id: accountId });
            await refused(client, user, "api_proxy", { method: "GET", url: "/user", app, account_id: accountId });
            await refused(client, user, "api_proxy", { method: "POST", url: "/repos/o/r/issues", account_id: accountId, body: { title: "x" } });
            await refused(client, user, "run_action", { action: tool.key, configured_props: tool.props, account_id: accountId });
            await refused(client, user, "run_action", { action: tool.key, configured_props: { ...tool.props, [app]: { authProvisionId: accountId } } });
            await refused(client, user, "describe_action", { action: tool.key, account_id: accountId });
            await refused(client, user, "run_action", { action: tool.key, configured_props: tool.props, account_id: `composio:${accountId}` });
          }
        } finally {
          await client.close();
        }
      }
      nothingReachedUpstream(user, victim);
    }
  });

  it("a configuration opened by one user cannot be run by the other", async () => {
    const owner = await connectHttp(server.url, "modern", KEYS["demo-user"].header);
    let id: string;
    try {
      const r = await call(owner, "describe_action", { action: "GITHUB_CREATE_AN_ISSUE", configured_props: { title: "private title of demo-user" } });
      expect(r.isError, r.text).toBe(false);
      id = r.structured!.configuration_id as string;
    } finally {
      await owner.close();
    }
    cx.reset();
    const intruder = await connectHttp(server.url, "modern", KEYS["other-user"].header);
    try {
      await refused(intruder, "other-user", "run_action", { configuration_id: id, configured_props: { owner: "o", repo: "r" } });
      await refused(intruder, "other-user", "describe_action", { configuration_id: id });
    } finally {
      await intruder.close();
    }
    expect(cx.requests().filter((r) => r.path.includes("/tools/execute/"))).toEqual([]);
  });

  afterAll(() => {
    console.log(`Composio isolation: ${attempts} cross-user attempts, all refused; nothing reached Composio or Pipedream for the other user`);
    expect(attempts).toBeGreaterThanOrEqual(60);
  });
});
