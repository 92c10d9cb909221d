/**
 * The Composio emulator is faithful to the wire the official `@composio/client` speaks: every
 * endpoint the provider uses, driven by the client itself (on this Node version), including its
 * error classes, query encoding, retries, timeouts and aborts.
 */
import Composio, { AuthenticationError, BadRequestError, NotFoundError, UnprocessableEntityError, APIConnectionTimeoutError, APIUserAbortError } from "@composio/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COMPOSIO_EMULATOR_DEFAULTS, startComposioEmulator, type RunningComposioEmulator } from "../../src/emulator/composio/index.js";

let emu: RunningComposioEmulator;
let cx: Composio;

function client(extra: Record<string, unknown> = {}): Composio {
  // fromEnv({}): nothing from the developer's shell (COMPOSIO_*) leaks into the test.
  return Composio.fromEnv({}, { apiKey: COMPOSIO_EMULATOR_DEFAULTS.apiKey, baseURL: emu.url, maxRetries: 0, logLevel: "off", ...extra });
}

async function admin(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${emu.url}/__emulator/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  emu = await startComposioEmulator();
  cx = client();
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => emu.reset());

describe("connected accounts", () => {
  it("lists a user's accounts with comma-joined filters, pages by cursor, and retrieves one", async () => {
    const page = await cx.connectedAccounts.list({ user_ids: ["demo-user"], statuses: ["ACTIVE", "EXPIRED"], limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.next_cursor).toEqual(expect.any(String));
    expect(page.total_items).toBe(3);
    const rest = await cx.connectedAccounts.list({ user_ids: ["demo-user"], statuses: ["ACTIVE", "EXPIRED"], limit: 2, cursor: page.next_cursor! });
    expect(rest.next_cursor).toBeNull();
    const all = [...page.items, ...rest.items];
    expect(all.map((a) => a.id).sort()).toEqual(["ca_github_demo", "ca_gmail_expired", "ca_notion_demo"]);
    const expired = all.find((a) => a.id === "ca_gmail_expired")!;
    expect(expired).toMatchObject({ status: "EXPIRED", toolkit: { slug: "gmail" }, auth_config: { id: "ac_gmail" }, is_disabled: false });
    expect(expired.status_reason).toMatch(/reconnect/);
    expect(emu.requests()[0]!.query).toMatchObject({ user_ids: "demo-user", statuses: "ACTIVE,EXPIRED", limit: "2" });

    const only = await cx.connectedAccounts.list({ user_ids: ["demo-user"], connected_account_ids: ["ca_github_other"] });
    expect(only.items).toEqual([]); // another user's id is not listed for this user
    expect((await cx.connectedAccounts.retrieve("ca_notion_demo")).alias).toBe("Team Wiki");
    const missing = await cx.connectedAccounts.retrieve("ca_nope").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).error).toMatchObject({ error: { slug: "ConnectedAccount_NotFound", status: 404 } });
  });

  it("refuses a wrong API key with 401 and does not retry it", async () => {
    const bad = Composio.fromEnv({}, { apiKey: "wrong", baseURL: emu.url, logLevel: "off" });
    await expect(bad.connectedAccounts.list({ user_ids: ["demo-user"] })).rejects.toBeInstanceOf(AuthenticationError);
    expect(emu.requests()).toHaveLength(1);
  });
});

describe("tools", () => {
  it("lists and describes versioned tools with JSON Schema inputs and hint tags; a pinned toolkit version is served", async () => {
    const latest = await cx.tools.list({ toolkit_slug: "github", limit: 50 });
    const create = latest.items.find((t) => t.slug === "GITHUB_CREATE_AN_ISSUE")!;
    expect(create).toMatchObject({ version: "20250909_00", tags: ["createHint", "important"], toolkit: { slug: "github" } });
    expect(Object.keys((create.input_parameters as { properties: object }).properties)).toContain("labels");
    const pinned = await cx.tools.list({ toolkit_slug: "github", toolkit_versions: { github: "20250801_00" }, limit: 50 });
    const old = pinned.items.find((t) => t.slug === "GITHUB_CREATE_AN_ISSUE")!;
    expect(old.version).toBe("20250801_00");
    expect(Object.keys((old.input_parameters as { properties: object }).properties)).not.toContain("labels");
    expect(emu.requests().at(-1)!.query).toMatchObject({ "toolkit_versions[github]": "20250801_00" });

    const described = await cx.tools.retrieve("GMAIL_SEND_EMAIL", { version: "20250815_00" });
    expect(described.input_parameters).toMatchObject({ $defs: { Attachment: { file_uploadable: true } }, required: ["recipient_email", "body"] });
    await expect(cx.tools.retrieve("GITHUB_CREATE_AN_ISSUE", { version: "19990101_00" })).rejects.toBeInstanceOf(BadRequestError);
    await expect(cx.tools.retrieve("NO_SUCH_TOOL")).rejects.toBeInstanceOf(NotFoundError);
    const found = await cx.tools.list({ query: "send message", limit: 50 });
    expect(found.items.map((t) => t.slug)).toContain("SLACK_SEND_MESSAGE");
  });

  it("executes as the user's account; a tool failure is HTTP 200 with successful: false", async () => {
    const ok = await cx.tools.execute(
      "GITHUB_CREATE_AN_ISSUE",
      { user_id: "demo-user", connected_account_id: "ca_github_demo", arguments: { owner: "octo", repo: "hello", title: "Bug" }, version: "20250909_00" },
      { maxRetries: 0 },
    );
    expect(ok).toMatchObject({ successful: true, error: null, data: { number: 42, title: "Bug" } });
    const failed = await cx.tools.execute("GITHUB_CREATE_AN_ISSUE", { user_id: "demo-user", connected_account_id: "ca_github_demo", arguments: { owner: "o", repo: "r", title: "__fail__" } }, { maxRetries: 0 });
    expect(failed).toMatchObject({ successful: false, error: expect.stringMatching(/Emulated tool failure/) });
    const run = emu.requests().find((r) => r.toolSlug === "GITHUB_CREATE_AN_ISSUE")!;
    expect(run).toMatchObject({ userId: "demo-user", accountId: "ca_github_demo", version: "20250909_00", status: 200 });
  });

  it("refuses another user's account (1812), an expired account (422) and bad arguments (400)", async () => {
    const foreign = await cx.tools.execute("GITHUB_GET_THE_AUTHENTICATED_USER", { user_id: "demo-user", connected_account_id: "ca_github_other", arguments: {} }, { maxRetries: 0 }).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(BadRequestError);
    expect((foreign as BadRequestError).error).toMatchObject({ error: { code: 1812 } });
    await expect(cx.tools.execute("GMAIL_FETCH_EMAILS", { user_id: "demo-user", connected_account_id: "ca_gmail_expired", arguments: {} }, { maxRetries: 0 })).rejects.toBeInstanceOf(UnprocessableEntityError);
    await expect(cx.tools.execute("GITHUB_CREATE_AN_ISSUE", { user_id: "demo-user", connected_account_id: "ca_github_demo", arguments: { owner: "o" } }, { maxRetries: 0 })).rejects.toBeInstanceOf(BadRequestError);
    const none = await cx.tools.execute("SLACK_SEND_MESSAGE", { user_id: "demo-user", arguments: { channel: "C1", text: "t" } }, { maxRetries: 0 }).catch((e: unknown) => e);
    expect((none as BadRequestError).error).toMatchObject({ error: { code: 1803 } });
  });

  it("proxies through the account: relative endpoints on the API base, parameters, upstream status in the body", async () => {
    const echo = await cx.tools.proxy(
      { endpoint: "/chat.postMessage", method: "POST", body: { channel: "C1", text: "hi" }, connected_account_id: "ca_github_demo", parameters: [{ name: "X-Trace", value: "t1", type: "header" }, { name: "page", value: "2", type: "query" }] },
      { maxRetries: 0 },
    );
    expect(echo).toMatchObject({ status: 200, data: { method: "POST", url: "https://api.github.com/chat.postMessage?page=2", headers: { "x-trace": "t1" }, body: { channel: "C1", text: "hi" }, user_id: "demo-user" } });
    const sameDomain = await cx.tools.proxy({ endpoint: "https://uploads.github.com/repos", method: "GET", connected_account_id: "ca_github_demo" }, { maxRetries: 0 });
    expect(sameDomain.status).toBe(200);
    const mismatch = await cx.tools.proxy({ endpoint: "https://evil.example.com/x", method: "GET", connected_account_id: "ca_github_demo" }, { maxRetries: 0 }).catch((e: unknown) => e);
    expect((mismatch as BadRequestError).error).toMatchObject({ error: { slug: "OriginMismatch" } });
    const limited = await cx.tools.proxy({ endpoint: "/__emulator/status/429", method: "GET", connected_account_id: "ca_notion_demo" }, { maxRetries: 0 });
    expect(limited).toMatchObject({ status: 429, headers: { "retry-after": "7" } });
    const binary = await cx.tools.proxy({ endpoint: "/__emulator/binary", method: "GET", connected_account_id: "ca_notion_demo" }, { maxRetries: 0 });
    expect(binary.binary_data).toMatchObject({ content_type: "image/png", size: 16 });
    await expect(cx.tools.proxy({ endpoint: "/x", method: "GET", connected_account_id: "ca_gmail_expired" }, { maxRetries: 0 })).rejects.toBeInstanceOf(BadRequestError);
  });
});

describe("connection lifecycle", () => {
  it("auth config lookup (or creation) → link (201, INITIATED at once) → the user finishes → ACTIVE", async () => {
    const configs = await cx.authConfigs.list({ toolkit_slug: "github", show_disabled: false });
    expect(configs.items.map((c) => c.id)).toEqual(["ac_github"]);
    expect((await cx.authConfigs.list({ toolkit_slug: "linear" })).items).toEqual([]);
    const created = await cx.authConfigs.create({ toolkit: { slug: "linear" }, auth_config: { type: "use_composio_managed_auth" } }, { maxRetries: 0 });
    expect(created.auth_config.id).toMatch(/^ac_linear_/);
    await expect(cx.authConfigs.create({ toolkit: { slug: "weathermap" }, auth_config: { type: "use_composio_managed_auth" } }, { maxRetries: 0 })).rejects.toBeInstanceOf(BadRequestError);

    const link = await cx.link.create({ auth_config_id: created.auth_config.id, user_id: "demo-user", callback_url: "https://app.example/done" }, { maxRetries: 0 });
    expect(link.redirect_url).toMatch(/^https:\/\/connect\.composio\.dev\/link\/lt_/);
    const ttl = Date.parse(link.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    expect((await cx.connectedAccounts.retrieve(link.connected_account_id)).status).toBe("INITIATED");
    await admin("connect", { link_token: link.link_token, alias: "Team Linear" });
    expect(await cx.connectedAccounts.retrieve(link.connected_account_id)).toMatchObject({ status: "ACTIVE", alias: "Team Linear", user_id: "demo-user", toolkit: { slug: "linear" } });
  });

  it("an unfinished link expires; disable, revoke and delete", async () => {
    const short = await startComposioEmulator({ linkTtlSeconds: 1 });
    try {
      const c = Composio.fromEnv({}, { apiKey: COMPOSIO_EMULATOR_DEFAULTS.apiKey, baseURL: short.url, maxRetries: 0, logLevel: "off" });
      const link = await c.link.create({ auth_config_id: "ac_slack", user_id: "demo-user" });
      await new Promise((r) => setTimeout(r, 1200));
      expect(await c.connectedAccounts.retrieve(link.connected_account_id)).toMatchObject({ status: "EXPIRED", status_reason: "Connection initiation did not complete within 10 minutes" });
    } finally {
      await short.close();
    }
    await cx.connectedAccounts.updateStatus("ca_notion_demo", { enabled: false }, { maxRetries: 0 });
    expect(await cx.connectedAccounts.retrieve("ca_notion_demo")).toMatchObject({ status: "INACTIVE", is_disabled: true });
    const revoked = await cx.connectedAccounts.revoke("ca_github_demo", { maxRetries: 0 });
    expect(revoked.connected_account).toMatchObject({ id: "ca_github_demo", status: "REVOKED" });
    expect(await cx.connectedAccounts.delete("ca_github_other", { revoke_on_delete: true }, { maxRetries: 0 })).toMatchObject({ success: true, revoke_job_id: expect.any(String) });
    await expect(cx.connectedAccounts.retrieve("ca_github_other")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("the client's retries, timeouts and aborts against the emulator", () => {
  it("retries every method by default, POSTs included (why writes pass maxRetries: 0)", async () => {
    const retrying = client({ maxRetries: 2 });
    await fetch(`${emu.url}/__emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path_contains: "/link", status: 502, times: 2, headers: { "retry-after-ms": "10" } }) });
    const link = await retrying.link.create({ auth_config_id: "ac_slack", user_id: "demo-user" });
    expect(link.connected_account_id).toMatch(/^ca_/);
    expect(emu.requests().filter((r) => r.path.endsWith("/link"))).toHaveLength(3);
    emu.reset();
    await fetch(`${emu.url}/__emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path_contains: "/link", status: 502 }) });
    await expect(retrying.link.create({ auth_config_id: "ac_slack", user_id: "demo-user" }, { maxRetries: 0 })).rejects.toMatchObject({ status: 502 });
    expect(emu.requests().filter((r) => r.path.endsWith("/link"))).toHaveLength(1);
  });

  it("a per-request timeout and an abort signal end the request; the emulator sees the client go", async () => {
    await fetch(`${emu.url}/__emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path_contains: "/tools/execute", delay_ms: 3000, status: 200, times: 2 }) });
    const args = { user_id: "demo-user", connected_account_id: "ca_github_demo", arguments: {} };
    await expect(cx.tools.execute("GITHUB_GET_THE_AUTHENTICATED_USER", args, { maxRetries: 0, timeout: 200 })).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    await expect(cx.tools.execute("GITHUB_GET_THE_AUTHENTICATED_USER", args, { maxRetries: 0, signal: ac.signal })).rejects.toBeInstanceOf(APIUserAbortError);
    await expect.poll(() => emu.requests().filter((r) => r.aborted).length, { timeout: 5000 }).toBe(2);
  });
});
