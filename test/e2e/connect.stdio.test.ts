/**
 * Connecting apps in-band, account health and choice, misspelled apps: official MCP client →
 * built CLI over stdio → @pipedream/sdk → emulator. The emulator's token endpoint issues the
 * Connect Link; POST /__emulator/connect plays the user finishing it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EMULATOR_DEFAULTS, type RunningEmulator } from "../../src/emulator/index.js";
import { call, connectStdio, emulator, emulatorEnv, type StdioSession } from "../helpers.js";

let emu: RunningEmulator;
let s: StdioSession;
beforeAll(async () => {
  emu = await emulator();
  s = await connectStdio(emulatorEnv(emu));
});
afterAll(async () => {
  await s?.close();
  await emu?.close();
});
beforeEach(() => {
  emu.reset();
});

// The emulator mints links to its own Connect Link page (Pipedream's hosted page has the same path).
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
let LINK: RegExp;
beforeAll(() => {
  LINK = new RegExp(`^${escaped(emu.url)}/_static/connect\\.html\\?token=(ctok_[0-9a-f]+)&connectLink=true&app=([a-z_]+)$`);
});

/** The user opens the link and connects the app. */
async function completeConnect(url: string, name?: string): Promise<{ id: string }> {
  const token = new URL(url).searchParams.get("token");
  const app = new URL(url).searchParams.get("app");
  const res = await fetch(`${emu.url}/__emulator/connect`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, app, ...(name ? { name } : {}) }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string };
}

function tokenRequests(): number {
  return emu.requests().filter((r) => r.method === "POST" && r.path.endsWith("/tokens")).length;
}

interface Connect {
  app: string;
  url: string;
  expires_at: string;
}

describe("an app the user has not connected", () => {
  it("run_action and api_proxy answer connect_required with one cached link; after connecting, the same calls succeed", async () => {
    const run = { action: "notion-create-page", configured_props: { parent: "page_team_wiki", title: "Plan" } };
    const first = await call(s.client, "run_action", run);
    expect(first.isError, first.text).toBe(false);
    expect(first.structured).toMatchObject({ outcome: "connect_required", connect: { app: "notion" } });
    const connect = first.structured!.connect as Connect;
    expect(connect.url).toMatch(LINK);
    expect(LINK.exec(connect.url)![2]).toBe("notion");
    const expires = Date.parse(connect.expires_at);
    expect(expires - Date.now()).toBeGreaterThan(3.5 * 3600_000); // Connect tokens live 4 h
    expect(first.structured!.message).toContain(connect.url);
    expect(first.structured!.message).toMatch(/^To continue, connect your Notion account/);
    expect(JSON.parse(first.text)).toEqual(first.structured);
    expect(emu.requests().some((r) => r.path.endsWith("/actions/run"))).toBe(false);

    // Asked again (another tool, same app): the same link, no second token.
    const proxy = { method: "GET", url: "https://api.notion.com/v1/users/me", app: "notion" };
    const again = await call(s.client, "api_proxy", proxy);
    expect(again.structured).toMatchObject({ outcome: "connect_required", connect: { url: connect.url } });
    const listed = await call(s.client, "list_accounts", { app: "notion" });
    expect(listed.structured).toMatchObject({ outcome: "connect_required", accounts: [], connect: { url: connect.url } });
    expect(tokenRequests()).toBe(1);
    expect(emu.requests().some((r) => r.path.includes("/proxy/"))).toBe(false);

    const account = await completeConnect(connect.url, "Team Notion");

    const ran = await call(s.client, "run_action", run);
    expect(ran.isError, ran.text).toBe(false);
    expect(ran.structured).toMatchObject({ outcome: "ok", summary: 'Successfully created page "Plan"' });
    const proxied = await call(s.client, "api_proxy", proxy);
    expect(proxied.structured).toMatchObject({ outcome: "ok", status: 200, account_id: account.id });
    const accounts = await call(s.client, "list_accounts", { app: "notion" });
    expect(accounts.structured).toMatchObject({ outcome: "ok", accounts: [{ id: account.id, name: "Team Notion", healthy: true, dead: false }] });
    expect(accounts.structured!.connect).toBeUndefined();
  });

  it("the link is per user and per app: another app gets its own token", async () => {
    const airtable = await call(s.client, "list_accounts", { app: "airtable" });
    const linear = await call(s.client, "list_accounts", { app: "linear" });
    const a = (airtable.structured!.connect as Connect).url;
    const l = (linear.structured!.connect as Connect).url;
    expect(LINK.exec(a)![2]).toBe("airtable");
    expect(LINK.exec(l)![2]).toBe("linear");
    expect(LINK.exec(a)![1]).not.toBe(LINK.exec(l)![1]);
  });

  it("a spent link is not handed out again once the app was connected and then disconnected", async () => {
    const before = await call(s.client, "list_accounts", { app: "hubspot" });
    const spent = (before.structured!.connect as Connect).url;
    const account = await completeConnect(spent);
    expect((await call(s.client, "list_accounts", { app: "hubspot" })).structured!.outcome).toBe("ok");
    await deleteAccount(account.id);
    const after = await call(s.client, "list_accounts", { app: "hubspot" });
    expect(after.structured!.outcome).toBe("connect_required");
    expect((after.structured!.connect as Connect).url).not.toBe(spent);
  });
});

describe("list_actions' connected hint", () => {
  const accountListings = () => emu.requests().filter((r) => r.method === "GET" && /\/accounts$/.test(r.path)).length;
  const notionHint = async () => {
    const r = await call(s.client, "list_actions", { query: "create a notion page" });
    return (r.structured!.apps as Array<{ slug: string; connected?: boolean }>).find((a) => a.slug === "notion")?.connected;
  };

  it("comes from the last full account listing for a while, and is asked again once a Connect Link was handed out", async () => {
    await call(s.client, "list_accounts", {});
    const listed = accountListings();
    expect(await notionHint()).toBe(false);
    expect(await notionHint()).toBe(false);
    expect(accountListings()).toBe(listed); // no upstream listing for the flag
    const link = await call(s.client, "list_accounts", { app: "notion" });
    await completeConnect((link.structured!.connect as Connect).url);
    const before = accountListings();
    expect(await notionHint()).toBe(true);
    expect(accountListings()).toBeGreaterThan(before); // asked again (every page of it)
  });
});

/** Delete an account through the Connect API, as an app's own UI would. */
async function deleteAccount(id: string): Promise<void> {
  const tokenRes = await fetch(`${emu.url}/v1/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_type: "client_credentials", client_id: EMULATOR_DEFAULTS.clientId, client_secret: EMULATOR_DEFAULTS.clientSecret }),
  });
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  const res = await fetch(`${emu.url}/v1/connect/${EMULATOR_DEFAULTS.projectId}/accounts/${id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${access_token}`, "x-pd-environment": EMULATOR_DEFAULTS.environment },
  });
  expect(res.status).toBe(204);
}

describe("the emulator's Connect Link page", () => {
  /** What a browser does with the page's form: POST it back. */
  async function submit(url: string, name = ""): Promise<Response> {
    const u = new URL(url);
    const form = new URLSearchParams({ token: u.searchParams.get("token") ?? "", app: u.searchParams.get("app") ?? "", name });
    return fetch(`${u.origin}${u.pathname}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form, redirect: "manual" });
  }

  it("a link opens a page on the emulator itself whose form finishes the connection", async () => {
    const r = await call(s.client, "list_accounts", { app: "notion" });
    const { url } = r.structured!.connect as Connect;
    expect(url.startsWith(`${emu.url}/`)).toBe(true);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain("Connect Notion as demo-user");
    expect(html).toMatch(/<button[^>]*>Connect Notion<\/button>/);
    const done = await submit(url, "Wiki workspace");
    expect(done.status).toBe(200);
    expect(await done.text()).toMatch(/Connected Notion[\s\S]*Wiki workspace/);
    const after = await call(s.client, "list_accounts", { app: "notion" });
    expect(after.structured).toMatchObject({ outcome: "ok", accounts: [{ app: "notion", name: "Wiki workspace", healthy: true }] });
  });

  it("user input on the page is escaped, and a made-up token gets a page that says what is wrong", async () => {
    const page = await fetch(`${emu.url}/_static/connect.html?token=ctok_doesnotexist&app=notion`);
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/unknown connect token/);
    const r = await call(s.client, "list_accounts", { app: "notion" });
    const { url } = r.structured!.connect as Connect;
    const html = await (await submit(url, "<script>alert(1)</script>")).text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script&gt;");
  });

  it("a cached link does not outlive an emulator reset: the next answer carries a new link that works", async () => {
    const before = ((await call(s.client, "list_accounts", { app: "notion" })).structured!.connect as Connect).url;
    emu.reset();
    const after = await call(s.client, "list_accounts", { app: "notion" });
    const { url } = after.structured!.connect as Connect;
    expect(url).not.toBe(before);
    expect(tokenRequests()).toBe(1);
    expect((await submit(before)).status).toBe(400); // the emulator forgot that token
    expect((await submit(url)).status).toBe(200);
    expect((await call(s.client, "list_accounts", { app: "notion" })).structured).toMatchObject({ outcome: "ok", accounts: [{ app: "notion" }] });
  });

  it("a link created with a success redirect sends the browser there", async () => {
    const redirected = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_CONNECT_SUCCESS_REDIRECT_URI: "https://app.example.com/connected" }));
    try {
      const { url } = (await call(redirected.client, "list_accounts", { app: "notion" })).structured!.connect as Connect;
      const res = await submit(url);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("https://app.example.com/connected");
    } finally {
      await redirected.close();
    }
  });
});

describe("a dead account", () => {
  // One test: the emulator's reset() forgets issued Connect tokens, which real Connect never does.
  it("list_accounts shows its health and error; every tool offers one link to reconnect; afterwards they succeed", async () => {
    const listed = await call(s.client, "list_accounts", { app: "gmail" });
    expect(listed.isError).toBe(false);
    expect(listed.structured).toMatchObject({
      outcome: "connect_required",
      accounts: [{ id: "apn_gmail_dead", healthy: false, dead: true, error: "invalid_grant: token revoked" }],
      connect: { app: "gmail" },
    });
    expect(listed.structured!.message).toMatch(/Gmail account "demo@gmail.com" needs to be reconnected/);

    const proxy = { method: "GET", url: "https://gmail.googleapis.com/gmail/v1/users/me/profile", app: "gmail" };
    const r = await call(s.client, "api_proxy", proxy);
    expect(r.isError).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "connect_required", connect: { app: "gmail" } });
    const url = (r.structured!.connect as Connect).url;
    expect(url).toBe((listed.structured!.connect as Connect).url);
    expect(tokenRequests()).toBe(1);
    const byId = await call(s.client, "run_action", { action: "gmail-send-email", account_id: "apn_gmail_dead", configured_props: { to: "a@b.c", subject: "s", body: "b" } });
    expect(byId.structured).toMatchObject({ outcome: "connect_required", connect: { url } });
    expect(emu.requests().some((q) => q.path.includes("/proxy/") || q.path.endsWith("/actions/run"))).toBe(false);

    const fresh = await completeConnect(url, "demo@gmail.com");
    const ok = await call(s.client, "api_proxy", proxy);
    expect(ok.structured).toMatchObject({ outcome: "ok", status: 200, account_id: fresh.id });
    const health = await call(s.client, "list_accounts", { app: "gmail" });
    const states = (health.structured!.accounts as Array<{ id: string; healthy: boolean; dead: boolean }>).map((a) => [a.id, a.healthy, a.dead]);
    expect(states).toEqual(expect.arrayContaining([["apn_gmail_dead", false, true], [fresh.id, true, false]]));
  });
});

describe("two accounts for one app", () => {
  it("list_accounts shows both; a call without account_id is an error listing them; account_id picks one", async () => {
    const listed = await call(s.client, "list_accounts", { app: "github" });
    expect(listed.structured).toMatchObject({ outcome: "ok" });
    expect((listed.structured!.accounts as Array<{ id: string }>).map((a) => a.id).sort()).toEqual(["apn_github_personal", "apn_github_work"]);

    const proxy = { method: "GET", url: "https://api.github.com/user", app: "github" };
    const ambiguous = await call(s.client, "api_proxy", proxy);
    expect(ambiguous.isError).toBe(true);
    expect(ambiguous.text).toMatch(/2 healthy github accounts; pass account_id to choose one: apn_github_work \("work-org"\), apn_github_personal \("octo-demo"\)/);
    expect(ambiguous.text).toContain('"choices"');
    expect(emu.requests().some((q) => q.path.includes("/proxy/"))).toBe(false);

    const chosen = await call(s.client, "api_proxy", { ...proxy, account_id: "apn_github_personal" });
    expect(chosen.structured).toMatchObject({ outcome: "ok", account_id: "apn_github_personal" });
    expect(tokenRequests()).toBe(0);
  });
});

describe("a misspelled app", () => {
  it("list_actions, list_accounts and api_proxy name the closest real apps", async () => {
    const actions = await call(s.client, "list_actions", { app: "slak" });
    expect(actions.isError).toBe(true);
    expect(actions.text).toMatch(/Unknown app "slak"\. Did you mean "slack" \(Slack\)/);
    const accounts = await call(s.client, "list_accounts", { app: "gogle_sheets" });
    expect(accounts.isError).toBe(true);
    expect(accounts.text).toMatch(/Did you mean "google_sheets" \(Google Sheets\)/);
    const proxy = await call(s.client, "api_proxy", { method: "GET", url: "https://api.hubspot.com/x", app: "hub_spot" });
    expect(proxy.isError).toBe(true);
    expect(proxy.text).toMatch(/Unknown app "hub_spot"\. Did you mean "hubspot" \(HubSpot\)/);
    // No link is made for an app that does not exist.
    expect(tokenRequests()).toBe(0);
  });

  it("a slug unlike any app gets no suggestions, just the fix", async () => {
    const r = await call(s.client, "list_actions", { app: "qqqqzzzz" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/^Unknown app "qqqqzzzz"\. App slugs are lowercase/);
  });
});

describe("with an app policy", () => {
  it("no link is offered for an app the policy does not allow", async () => {
    const limited = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_ALLOW_APPS: "slack,google_sheets" }));
    try {
      const named = await call(limited.client, "run_action", { action: "notion-create-page", configured_props: { parent: "page_team_wiki", title: "x" } });
      expect(named.text).toMatch(/Refused by policy "allow-apps".*"notion"/);
      // The app is only known once the (dead) account is looked up: still refused, no link.
      const byAccount = await call(limited.client, "api_proxy", { method: "GET", url: "https://gmail.googleapis.com/gmail/v1/users/me/profile", account_id: "apn_gmail_dead" });
      expect(byAccount.isError).toBe(true);
      expect(byAccount.text).toMatch(/Refused by policy "allow-apps".*"gmail"/);
      expect(tokenRequests()).toBe(0);
    } finally {
      await limited.close();
    }
  });
});

describe("what clients accept", () => {
  it("tool names and every property name are at most 64 characters of [a-zA-Z0-9_-]", async () => {
    const { tools } = await s.client.listTools();
    const names: string[] = [];
    const walk = (schema: unknown): void => {
      if (!schema || typeof schema !== "object") return;
      const props = (schema as { properties?: Record<string, unknown> }).properties;
      for (const [k, v] of Object.entries(props ?? {})) {
        names.push(k);
        walk(v);
      }
      walk((schema as { items?: unknown }).items);
    };
    for (const t of tools) {
      names.push(t.name);
      walk(t.inputSchema);
      walk(t.outputSchema);
    }
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });
});
