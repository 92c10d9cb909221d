// Drives the offline Connect emulator with the official @pipedream/sdk 3.1.6
// client to prove the emulator speaks the wire format the SDK expects.

import { PipedreamClient, PipedreamError, PipedreamTimeoutError } from "@pipedream/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EMULATOR_DEFAULTS, startEmulator, type RunningEmulator } from "../../src/emulator/index.js";

let emu: RunningEmulator;
let pd: PipedreamClient;

const USER = EMULATOR_DEFAULTS.externalUserId; // "demo-user"

function client(overrides: { clientSecret?: string; projectEnvironment?: "development" | "production" } = {}): PipedreamClient {
  return new PipedreamClient({
    clientId: EMULATOR_DEFAULTS.clientId,
    clientSecret: overrides.clientSecret ?? EMULATOR_DEFAULTS.clientSecret,
    projectId: EMULATOR_DEFAULTS.projectId,
    projectEnvironment: overrides.projectEnvironment ?? "development",
    baseUrl: emu.url,
  });
}

async function admin(path: string, method = "GET", body?: unknown): Promise<Response> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  return fetch(`${emu.url}${path}`, init);
}

/** Runs `fn`, expecting it to throw; returns the error. */
async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

async function pdError(fn: () => Promise<unknown>): Promise<PipedreamError> {
  const err = await failure(fn);
  expect(err).toBeInstanceOf(PipedreamError);
  return err as PipedreamError;
}

const sheetsAuth = { googleSheets: { authProvisionId: "apn_gsheets_demo" } };

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  // reset() also forgets issued access tokens, so every test gets a fresh client.
  emu.reset();
  pd = client();
});

describe("auth", () => {
  it("fetches an OAuth token and uses it on Connect calls", async () => {
    const page = await pd.accounts.list({ externalUserId: USER });
    expect(page.data.length).toBeGreaterThan(0);
    const reqs = emu.requests();
    expect(reqs[0]).toMatchObject({ method: "POST", path: "/v1/oauth/token", status: 200 });
    expect(reqs[1]).toMatchObject({ method: "GET", path: `/v1/connect/${EMULATOR_DEFAULTS.projectId}/accounts`, status: 200, externalUserId: USER });
  });

  it("rejects a wrong client secret with 401", async () => {
    const err = await pdError(() => client({ clientSecret: "nope" }).apps.list());
    expect(err.statusCode).toBe(401);
    expect(err.body).toEqual({ error: "Unauthorized" });
  });

  it("revoke-tokens makes the next SDK call fail with 401", async () => {
    await pd.apps.retrieve("slack");
    expect((await admin("/__emulator/revoke-tokens", "POST")).status).toBe(200);
    const err = await pdError(() => pd.apps.retrieve("slack"));
    expect(err.statusCode).toBe(401);
  });

  it("rejects missing bearer, bad environment and foreign project", async () => {
    const noAuth = await fetch(`${emu.url}/v1/connect/apps`, { headers: { "x-pd-environment": "development" } });
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toEqual({ error: "Unauthorized" });

    const tokRes = await fetch(`${emu.url}/v1/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_id: EMULATOR_DEFAULTS.clientId, client_secret: EMULATOR_DEFAULTS.clientSecret, grant_type: "client_credentials" }),
    });
    const tok = (await tokRes.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(tok.token_type).toBe("Bearer");
    expect(tok.expires_in).toBe(3600);
    const auth = { authorization: `Bearer ${tok.access_token}` };

    const badEnv = await fetch(`${emu.url}/v1/connect/apps`, { headers: { ...auth, "x-pd-environment": "staging" } });
    expect(badEnv.status).toBe(400);
    const wrongProject = await fetch(`${emu.url}/v1/connect/proj_other/accounts`, { headers: { ...auth, "x-pd-environment": "development" } });
    expect(wrongProject.status).toBe(404);
    expect(await wrongProject.json()).toEqual({ error: "project not found" });
    const unknownRoute = await fetch(`${emu.url}/v1/connect/${EMULATOR_DEFAULTS.projectId}/nope`, { headers: { ...auth, "x-pd-environment": "development" } });
    expect(unknownRoute.status).toBe(404);
    expect(await unknownRoute.json()).toEqual({ error: "not found" });
    const badJson = await fetch(`${emu.url}/v1/connect/${EMULATOR_DEFAULTS.projectId}/actions/run`, {
      method: "POST",
      headers: { ...auth, "x-pd-environment": "development", "content-type": "application/json" },
      body: "{nope",
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({ error: "malformed JSON body" });
  });
});

describe("accounts", () => {
  it("auto-pages through all 6 demo-user accounts and parses dates", async () => {
    const page = await pd.accounts.list({ externalUserId: USER });
    expect(page.data).toHaveLength(5);
    expect(page.hasNextPage()).toBe(true);
    const ids: string[] = [];
    for await (const acc of page) {
      ids.push(acc.id);
      expect(acc.createdAt).toBeInstanceOf(Date);
      expect(acc.app?.nameSlug).toBeTruthy();
    }
    expect(ids).toEqual(["apn_slack_demo", "apn_gsheets_demo", "apn_github_work", "apn_github_personal", "apn_gmail_dead", "apn_zendesk_demo"]);
    const listCalls = emu.requests().filter((r) => r.path.endsWith("/accounts"));
    expect(listCalls).toHaveLength(2);
    expect(listCalls[1]?.query["after"]).toBeTruthy();
  });

  it("filters by app slug or app id", async () => {
    const bySlug = await pd.accounts.list({ externalUserId: USER, app: "github" });
    expect(bySlug.data.map((a) => a.id)).toEqual(["apn_github_work", "apn_github_personal"]);
    expect(bySlug.hasNextPage()).toBe(false);
    const byId = await pd.accounts.list({ externalUserId: USER, app: "app_G1tHub" });
    expect(byId.data.map((a) => a.id)).toEqual(["apn_github_work", "apn_github_personal"]);
    const none = await pd.accounts.list({ externalUserId: USER, app: "notion" });
    expect(none.data).toEqual([]);
  });

  it("retrieves a single account (bare object) and 404s unknown ids", async () => {
    const dead = await pd.accounts.retrieve("apn_gmail_dead");
    expect(dead).toMatchObject({ id: "apn_gmail_dead", healthy: false, dead: true, error: "invalid_grant: token revoked", externalId: USER });
    expect(dead.updatedAt).toBeInstanceOf(Date);
    const withCreds = await pd.accounts.retrieve("apn_zendesk_demo", { includeCredentials: true });
    expect(withCreds.credentials).toMatchObject({ subdomain: "acme" });
    const err = await pdError(() => pd.accounts.retrieve("apn_missing"));
    expect(err.statusCode).toBe(404);
    expect(err.body).toEqual({ error: "account not found" });
  });

  it("lists a user's accounts as a bare array", async () => {
    const accounts = await pd.accounts.listByExternalUser("other-user");
    expect(accounts.map((a) => a.id)).toEqual(["apn_slack_other", "apn_gsheets_other"]);
  });
});

describe("apps", () => {
  it("searches apps case-insensitively and retrieves by slug", async () => {
    const page = await pd.apps.list({ q: "SHEET" });
    expect(page.data.map((a) => a.nameSlug)).toEqual(["google_sheets"]);
    expect(page.data[0]).toMatchObject({ id: "app_GSh33t", name: "Google Sheets", authType: "oauth" });
    const zendesk = await pd.apps.retrieve("zendesk");
    expect(zendesk.data.id).toBe("app_Z3nd3sk");
    expect(JSON.parse(zendesk.data.customFieldsJson ?? "[]")).toEqual([{ name: "subdomain", label: "Subdomain", optional: false }]);
    const err = await pdError(() => pd.apps.retrieve("nope"));
    expect(err.statusCode).toBe(404);
  });
});

describe("actions", () => {
  it("pages actions for an app", async () => {
    const page = await pd.actions.list({ app: "slack" });
    expect(page.data).toHaveLength(5);
    const keys: string[] = [];
    for await (const c of page) keys.push(c.key);
    expect(keys).toHaveLength(6);
    expect(keys.every((k) => k.startsWith("slack-"))).toBe(true);
    expect(keys).toContain("slack-send-message");
  });

  it("retrieves a component with camelCase props and annotations", async () => {
    const { data } = await pd.actions.retrieve("google_sheets-add-single-row");
    expect(data.configurableProps.map((p) => p.name)).toEqual(["googleSheets", "drive", "sheetId", "worksheetId", "hasHeaders"]);
    expect(data.configurableProps[2]).toMatchObject({ useQuery: true, remoteOptions: true, reloadProps: true });
    expect(data.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true, title: "Add Single Row" });
    expect(data.componentType).toBe("action");
    const err = await pdError(() => pd.actions.retrieve("slack-nope"));
    expect(err.statusCode).toBe(404);
    expect(err.body).toEqual({ error: "component not found" });
  });

  it("pages remote options with prev_context / page and honours query", async () => {
    const base = { id: "google_sheets-add-single-row", externalUserId: USER, propName: "sheetId", configuredProps: sheetsAuth };
    const p0 = await pd.actions.configureProp(base);
    expect(p0.options).toHaveLength(3);
    expect(p0.errors).toEqual([]);
    expect(p0.context?.["nextPageToken"]).toBeTruthy();
    const p1 = await pd.actions.configureProp({ ...base, page: 1, prevContext: p0.context });
    expect(p1.options).toHaveLength(3);
    const p2 = await pd.actions.configureProp({ ...base, page: 2, prevContext: p1.context });
    expect(p2.options).toHaveLength(1);
    expect(p2.context ?? null).toBeNull();
    const labels = [...(p0.options ?? []), ...(p1.options ?? []), ...(p2.options ?? [])].map((o) => ("label" in o ? o.label : undefined));
    expect(new Set(labels).size).toBe(7);
    expect(labels[0]).toBe("Budget 2026");

    const budget = await pd.actions.configureProp({ ...base, query: "budget" });
    expect(budget.options).toEqual([
      { label: "Budget 2026", value: "sheet_budget_2026" },
      { label: "Budget 2025", value: "sheet_budget_2025" },
    ]);
    expect(budget.context ?? null).toBeNull();

    const drive = await pd.actions.configureProp({ ...base, propName: "drive" });
    expect(drive.stringOptions).toEqual(["My Drive", "Shared: Finance"]);
  });

  it("reports option errors in errors[] with HTTP 200", async () => {
    const base = { id: "google_sheets-add-single-row", externalUserId: USER, propName: "worksheetId" };
    const noSheet = await pd.actions.configureProp({ ...base, configuredProps: sheetsAuth });
    expect(noSheet.options ?? []).toEqual([]);
    expect(JSON.parse(noSheet.errors?.[0] ?? "{}")).toEqual({ name: "Error", message: "Spreadsheet is required before choosing a worksheet" });

    const noAuth = await pd.actions.configureProp({ ...base, configuredProps: { sheetId: "sheet_budget_2026" } });
    expect(noAuth.errors?.[0]).toContain("googleSheets");
    const foreign = await pd.actions.configureProp({ ...base, configuredProps: { googleSheets: { authProvisionId: "apn_gsheets_other" }, sheetId: "sheet_budget_2026" } });
    expect(foreign.errors?.[0]).toContain("does not belong");

    const ok = await pd.actions.configureProp({ ...base, configuredProps: { ...sheetsAuth, sheetId: "sheet_budget_2026" } });
    expect(ok.options).toEqual([
      { label: "Sheet1", value: 0 },
      { label: "Archive", value: 1 },
    ]);
  });

  it("github repo options depend on the chosen account", async () => {
    const base = { id: "github-create-issue", externalUserId: USER, propName: "repo" };
    const work = await pd.actions.configureProp({ ...base, configuredProps: { github: { authProvisionId: "apn_github_work" } } });
    expect(work.options?.map((o) => ("value" in o ? o.value : undefined))).toEqual(["work-org/api", "work-org/web"]);
    const personal = await pd.actions.configureProp({ ...base, configuredProps: { github: { authProvisionId: "apn_github_personal" } } });
    expect(personal.options?.map((o) => ("value" in o ? o.value : undefined))).toEqual(["octo-demo/dotfiles"]);
  });

  it("reloads props, then runs with the dynamic_props_id", async () => {
    const configured = { ...sheetsAuth, sheetId: "sheet_budget_2026", worksheetId: 0, hasHeaders: true };
    const reload = await pd.actions.reloadProps({ id: "google_sheets-add-single-row", externalUserId: USER, configuredProps: configured });
    const dyn = reload.dynamicProps;
    expect(dyn?.id).toMatch(/^dyp_/);
    const cols = (dyn?.configurableProps ?? []).filter((p) => p.name.startsWith("col_"));
    expect(cols.map((p) => [p.name, p.label, p.optional])).toEqual([
      ["col_0000", "Date", false],
      ["col_0001", "Item", false],
      ["col_0002", "Amount", false],
    ]);
    const row = { ...configured, col_0000: "2026-03-01", col_0001: "Coffee", col_0002: "4.50" };
    const run = await pd.actions.run({ id: "google_sheets-add-single-row", externalUserId: USER, configuredProps: row, dynamicPropsId: dyn?.id }, { maxRetries: 0 });
    expect(run.exports?.["$summary"]).toBe("Added 1 row to Budget 2026");
    expect(run.ret).toEqual({ updatedRange: "Sheet1!A5:C5", values: ["2026-03-01", "Coffee", "4.50"] });
    expect(run.os).toEqual([]);
    expect(run.stashId).toBeUndefined();

    // Column props without the dynamic_props_id that produced them are rejected.
    const noDyn = await pdError(() => pd.actions.run({ id: "google_sheets-add-single-row", externalUserId: USER, configuredProps: row }, { maxRetries: 0 }));
    expect(noDyn.statusCode).toBe(400);
    expect((noDyn.body as { error: string }).error).toContain("col_0000");
    const unknownDyn = await pdError(() =>
      pd.actions.run({ id: "google_sheets-add-single-row", externalUserId: USER, configuredProps: row, dynamicPropsId: "dyp_bogus" }, { maxRetries: 0 }),
    );
    expect(unknownDyn.statusCode).toBe(400);
    expect(unknownDyn.body).toEqual({ error: "unknown dynamic_props_id" });

    const noHeaders = await pd.actions.reloadProps({ id: "google_sheets-add-single-row", externalUserId: USER, configuredProps: { ...configured, hasHeaders: false } });
    expect(noHeaders.dynamicProps?.configurableProps?.at(-1)).toMatchObject({ name: "myColumnData", type: "string[]", label: "Values" });
  });

  it("runs a simple action and returns stash_id only when requested", async () => {
    const run = await pd.actions.run(
      { id: "slack-send-message", externalUserId: USER, configuredProps: { slack: { authProvisionId: "apn_slack_demo" }, channel: { __lv: { label: "#general", value: "C01GENERAL" } }, text: "hi" }, stashId: "NEW" },
      { maxRetries: 0 },
    );
    expect(run.exports?.["$summary"]).toBe("Sent message to C01GENERAL");
    expect(run.ret).toEqual({ ok: true, channel: "C01GENERAL", ts: "1700000000.000100", text: "hi" });
    expect(run.stashId).toMatch(/^stash_/);
  });

  it("surfaces run validation errors as PipedreamError 400 naming the prop", async () => {
    const missing = await pdError(() =>
      pd.actions.run({ id: "slack-send-message", externalUserId: USER, configuredProps: { slack: { authProvisionId: "apn_slack_demo" }, channel: "C01GENERAL" } }, { maxRetries: 0 }),
    );
    expect(missing.statusCode).toBe(400);
    expect((missing.body as { error: string }).error).toContain('"text"');

    const foreign = await pdError(() =>
      pd.actions.run({ id: "slack-send-message", externalUserId: USER, configuredProps: { slack: { authProvisionId: "apn_slack_other" }, channel: "C01GENERAL", text: "x" } }, { maxRetries: 0 }),
    );
    expect(foreign.statusCode).toBe(400);
    expect((foreign.body as { error: string }).error).toMatch(/"slack".*does not belong/);

    const wrongApp = await pdError(() =>
      pd.actions.run({ id: "slack-send-message", externalUserId: USER, configuredProps: { slack: { authProvisionId: "apn_github_work" }, channel: "C01GENERAL", text: "x" } }, { maxRetries: 0 }),
    );
    expect(wrongApp.statusCode).toBe(400);
    expect((wrongApp.body as { error: string }).error).toContain("github account");
  });

  it("reports component failures (__fail__, dead account) as os errors with HTTP 200", async () => {
    const failed = await pd.actions.run(
      { id: "slack-send-message", externalUserId: USER, configuredProps: { slack: { authProvisionId: "apn_slack_demo" }, channel: "C01GENERAL", text: "__fail__" } },
      { maxRetries: 0 },
    );
    expect(failed.ret ?? null).toBeNull();
    expect(failed.os?.[0]).toMatchObject({ k: "error", err: { name: "Error", message: "Emulated component failure" } });
    expect(typeof failed.os?.[0]?.ts).toBe("number");

    const dead = await pd.actions.run(
      { id: "gmail-send-email", externalUserId: USER, configuredProps: { gmail: { authProvisionId: "apn_gmail_dead" }, to: "a@b.c", subject: "s", body: "b" } },
      { maxRetries: 0 },
    );
    expect(dead.os?.[0]?.k).toBe("error");
    expect(dead.os?.[0]?.err?.message).toContain("invalid_grant");
  });
});

describe("proxy", () => {
  it("echoes GET with params and headers; accepts padded standard base64", async () => {
    const url = "https://slack.com/api/users.list"; // base64 of the full target ends in "="
    const res = (await pd.proxy.get({ url, externalUserId: USER, accountId: "apn_slack_demo", params: { limit: "2" }, headers: { "X-Custom": "v" } })) as Record<string, unknown>;
    expect(Buffer.from(`${url}?limit=2`).toString("base64")).toMatch(/=$/);
    expect(res).toMatchObject({ method: "GET", url: `${url}?limit=2`, query: { limit: "2" }, body: null, account_id: "apn_slack_demo", external_user_id: USER });
    expect(res["headers"]).toEqual({ "x-custom": "v" });
    const rec = emu.requests().find((r) => r.path.includes("/proxy/"));
    expect(rec?.path).toContain("%3D");
    expect(rec).toMatchObject({ accountId: "apn_slack_demo", externalUserId: USER, status: 200 });
  });

  it("accepts unpadded base64url from other clients", async () => {
    const tok = await (
      await fetch(`${emu.url}/v1/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_id: EMULATOR_DEFAULTS.clientId, client_secret: EMULATOR_DEFAULTS.clientSecret, grant_type: "client_credentials" }),
      })
    ).json();
    const target = "https://slack.com/api/chat.postMessage?x=1";
    const url64 = Buffer.from(target).toString("base64url");
    expect(url64).not.toMatch(/=/);
    const res = await fetch(`${emu.url}/v1/connect/${EMULATOR_DEFAULTS.projectId}/proxy/${url64}?external_user_id=${USER}&account_id=apn_slack_demo`, {
      headers: { authorization: `Bearer ${(tok as { access_token: string }).access_token}`, "x-pd-environment": "development" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ url: target, query: { x: "1" } });
  });

  it("echoes a POST body", async () => {
    const res = await pd.proxy.post(
      { url: "https://slack.com/api/chat.postMessage", externalUserId: USER, accountId: "apn_slack_demo", body: { channel: "C01GENERAL", text: "hi" } },
      { maxRetries: 0 },
    );
    expect(res).toMatchObject({ method: "POST", body: { channel: "C01GENERAL", text: "hi" } });
  });

  it("surfaces an upstream 500 once with maxRetries 0", async () => {
    const err = await pdError(() =>
      pd.proxy.get({ url: "https://api.github.com/__emulator/status/500", externalUserId: USER, accountId: "apn_github_work" }, { maxRetries: 0 }),
    );
    expect(err.statusCode).toBe(500);
    expect(err.body).toEqual({ error: "emulated 500" });
    expect(emu.requests().filter((r) => r.path.includes("/proxy/"))).toHaveLength(1);
  });

  it("serves non-JSON and empty upstream replies", async () => {
    const text = await pd.proxy.get({ url: "https://x.test/__emulator/text", externalUserId: USER, accountId: "apn_slack_demo" });
    expect(text).toMatchObject({ ok: false, error: { reason: "non-json", statusCode: 200, rawBody: "hello from the emulator" } });
    const empty = await pd.proxy.delete({ url: "https://x.test/__emulator/empty", externalUserId: USER, accountId: "apn_slack_demo" }, { maxRetries: 0 });
    expect(empty).toBeUndefined();
  });

  it("resolves relative URLs for zendesk and refuses them for slack", async () => {
    const res = await pd.proxy.get({ url: "/api/v2/tickets.json", externalUserId: USER, accountId: "apn_zendesk_demo" });
    expect(res).toMatchObject({ url: "https://acme.zendesk.com/api/v2/tickets.json" });
    const err = await pdError(() => pd.proxy.get({ url: "/api/conversations.list", externalUserId: USER, accountId: "apn_slack_demo" }, { maxRetries: 0 }));
    expect(err.statusCode).toBe(400);
  });

  it("refuses another user's account", async () => {
    const err = await pdError(() => pd.proxy.get({ url: "https://slack.com/api/auth.test", externalUserId: USER, accountId: "apn_slack_other" }, { maxRetries: 0 }));
    expect(err.statusCode).toBe(400);
    expect((err.body as { error: string }).error).toContain("does not belong");
  });
});

describe("connect tokens", () => {
  it("creates a token; completing Connect adds a notion account in that environment only", async () => {
    const before = Date.now();
    const tok = await pd.tokens.create({ externalUserId: USER });
    expect(tok.token).toMatch(/^ctok_[0-9a-f]{32}$/);
    // Pipedream's hosted page, as the emulator's own page (same path and query): usable offline.
    expect(tok.connectLinkUrl).toBe(`${emu.url}/_static/connect.html?token=${tok.token}&connectLink=true`);
    expect(tok.expiresAt).toBeInstanceOf(Date);
    expect(Math.abs(tok.expiresAt.getTime() - (before + 4 * 3600_000))).toBeLessThan(60_000);

    const connected = await admin("/__emulator/connect", "POST", { token: tok.token, app: "notion", name: "Demo Notion" });
    expect(connected.status).toBe(200);
    const account = (await connected.json()) as { id: string; healthy: boolean };
    expect(account.healthy).toBe(true);

    const page = await pd.accounts.list({ externalUserId: USER, app: "notion" });
    expect(page.data.map((a) => a.id)).toEqual([account.id]);
    const prod = await client({ projectEnvironment: "production" }).accounts.list({ externalUserId: USER, app: "notion" });
    expect(prod.data).toEqual([]);

    expect((await admin("/__emulator/connect", "POST", { token: "ctok_unknown", app: "notion" })).status).toBe(400);
  });
});

describe("faults", () => {
  it("a delay longer than timeoutInSeconds surfaces as a timeout", async () => {
    expect((await admin("/__emulator/faults", "POST", { path_contains: "/v1/connect/apps", delay_ms: 2000 })).status).toBe(201);
    const started = Date.now();
    const err = await failure(() => pd.apps.list({}, { timeoutInSeconds: 0.3, maxRetries: 0 }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(err instanceof PipedreamTimeoutError || err instanceof PipedreamError).toBe(true);
    expect((err as Error).message).toMatch(/timeout/i);
    expect((err as PipedreamError).statusCode).toBeUndefined();
  });

  it("an injected status is served once, then normal service resumes", async () => {
    await admin("/__emulator/faults", "POST", { method: "GET", path_contains: "/accounts", status: 503, body: { error: "down for maintenance" } });
    const err = await pdError(() => pd.accounts.list({ externalUserId: USER }, { maxRetries: 0 }));
    expect(err.statusCode).toBe(503);
    expect(err.body).toEqual({ error: "down for maintenance" });
    const ok = await pd.accounts.list({ externalUserId: USER }, { maxRetries: 0 });
    expect(ok.data).toHaveLength(5);
  });

  it("a malformed JSON body makes the SDK fail without a status code", async () => {
    await admin("/__emulator/faults", "POST", { path_contains: "/v1/connect/apps", status: 502, body: "oops" });
    const err = await pdError(() => pd.apps.list({}, { maxRetries: 0 }));
    expect(err.statusCode).toBeUndefined();
  });
});
