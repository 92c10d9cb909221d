/**
 * The Composio provider (src/providers/composio) against the Composio emulator, below the tools:
 * unreadable answers, errors without secrets, timeouts and cancellation, the capped proxy read,
 * ownership checks that send nothing for a foreign account, links and deletion.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COMPOSIO_EMULATOR_DEFAULTS, startComposioEmulator, type RunningComposioEmulator } from "../../src/emulator/composio/index.js";
import { ComposioProvider } from "../../src/providers/composio/client-provider.js";
import { ProviderError } from "../../src/providers/provider.js";

let emu: RunningComposioEmulator;
let provider: ComposioProvider;
const warnings: string[] = [];

beforeAll(async () => {
  emu = await startComposioEmulator();
  provider = new ComposioProvider({ apiKey: COMPOSIO_EMULATOR_DEFAULTS.apiKey, baseUrl: emu.url, timeoutMs: 5000, warn: (m) => warnings.push(m) });
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => emu.reset());

async function fault(spec: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${emu.url}/__emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) });
  expect(res.status).toBe(201);
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ProviderError);

describe("reading answers", () => {
  it("an unreadable answer is malformed, never an empty success", async () => {
    await fault({ path_contains: "/connected_accounts", status: 200, body: "<html>oops</html>", content_type: "text/html" });
    expect(await failure(provider.listAccounts("demo-user"))).toMatchObject({ kind: "malformed" });
    await fault({ path_contains: "/connected_accounts", status: 200, body: { items: "nope" } });
    expect(await failure(provider.listAccounts("demo-user"))).toMatchObject({ kind: "malformed", message: expect.stringMatching(/items is not a list/) });
    await fault({ path_contains: "/tools/execute/", status: 200, body: { data: {} } });
    // A run whose answer does not say whether it succeeded: malformed (its outcome is unknown).
    expect(await failure(provider.runAction("demo-user", { key: "GITHUB_GET_THE_AUTHENTICATED_USER", configuredProps: { github: { authProvisionId: "ca_github_demo" } } }))).toMatchObject({ kind: "malformed" });
    await fault({ path_contains: "/tools/execute/proxy", status: 200, body: { data: {} } });
    expect(await failure(provider.proxy("demo-user", { accountId: "ca_github_demo", method: "GET", url: "/x", headers: {} }))).toMatchObject({ kind: "malformed" });
  });

  it("errors keep Composio's words and never the key; 401 names COMPOSIO_API_KEY; 429 carries Retry-After", async () => {
    const wrong = new ComposioProvider({ apiKey: "secret-key-123", baseUrl: emu.url, timeoutMs: 5000 });
    const e = await failure(wrong.listAccounts("demo-user"));
    expect(e).toMatchObject({ kind: "unauthorized", details: { status: 401 } });
    expect(e!.message).toMatch(/COMPOSIO_API_KEY/);
    expect(e!.message).not.toContain("secret-key-123");
    await fault({ path_contains: "/tools/GITHUB", status: 429, headers: { "retry-after": "9" }, body: { message: "Rate limit exceeded." } });
    expect(await failure(provider.getAction("GITHUB_CREATE_AN_ISSUE"))).toMatchObject({ kind: "rate_limited", details: { retryAfterSeconds: 9 } });
    expect(await failure(provider.getAction("NO_SUCH_TOOL"))).toMatchObject({ kind: "not_found", message: expect.stringMatching(/Tool_NotFound/) });
  });
});

describe("timeouts and cancellation", () => {
  it("a request past the call's deadline times out; a cancelled one is aborted at Composio", async () => {
    await fault({ path_contains: "/tools/execute/", delay_ms: 3000, status: 200, times: 2 });
    const input = { key: "GITHUB_GET_THE_AUTHENTICATED_USER", configuredProps: { github: { authProvisionId: "ca_github_demo" } } };
    expect(await failure(provider.runAction("demo-user", input, { deadline: Date.now() + 200 }))).toMatchObject({ kind: "timeout" });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    expect(await failure(provider.runAction("demo-user", input, { signal: ac.signal }))).toMatchObject({ kind: "cancelled" });
    await expect.poll(() => emu.requests().filter((r) => r.path.includes("/tools/execute/") && r.aborted).length, { timeout: 5000 }).toBe(2);
    const already = new AbortController();
    already.abort();
    expect(await failure(provider.runAction("demo-user", input, { signal: already.signal }))).toMatchObject({ kind: "cancelled", details: { notSent: true } });
  });

  it("a slow proxy answer is cut by the deadline too", async () => {
    const e = await failure(provider.proxy("demo-user", { accountId: "ca_github_demo", method: "GET", url: "/__emulator/delay/3000", headers: {} }, { deadline: Date.now() + 300 }));
    expect(e).toMatchObject({ kind: "timeout" });
  });
});

describe("proxy", () => {
  it("refuses another user's account before sending anything", async () => {
    const e = await failure(provider.proxy("demo-user", { accountId: "ca_github_other", method: "POST", url: "/repos", headers: {}, body: { a: 1 } }));
    expect(e).toMatchObject({ kind: "forbidden", details: { notSent: true } });
    expect(emu.requests().filter((r) => r.path.endsWith("/proxy"))).toEqual([]);
    expect(emu.requests().every((r) => !JSON.stringify(r).includes("ca_github_other"))).toBe(true);
  });

  it("maps the envelope: JSON, text, binary links and empty bodies; headers lower-cased", async () => {
    const json = await provider.proxy("demo-user", { accountId: "ca_github_demo", method: "GET", url: "https://api.github.com/user?x=1", headers: { "X-A": "b" } });
    expect(json).toMatchObject({ status: 200, contentType: "application/json", body: { kind: "json", value: { url: "https://api.github.com/user?x=1", headers: { "x-a": "b" } } } });
    const text = await provider.proxy("demo-user", { accountId: "ca_github_demo", method: "GET", url: "/__emulator/text", headers: {} });
    expect(text.body.kind).toBe("bytes");
    expect(Buffer.from((text.body as { value: Uint8Array }).value).toString()).toBe("hello from the emulator");
    const binary = await provider.proxy("demo-user", { accountId: "ca_github_demo", method: "GET", url: "/__emulator/binary", headers: {} });
    expect(binary.body).toMatchObject({ kind: "json", value: { binary_data: { content_type: "image/png" } } });
    const empty = await provider.proxy("demo-user", { accountId: "ca_github_demo", method: "DELETE", url: "/__emulator/empty", headers: {} });
    expect(empty).toMatchObject({ status: 204, body: { kind: "empty" } });
  });

  it("an answer over the byte cap is not read into memory, and says the request was carried out", async () => {
    const e = await failure(provider.proxy("demo-user", { accountId: "ca_github_demo", method: "POST", url: "/__emulator/large/400000", headers: {}, maxBodyBytes: 100_000 }));
    expect(e).toMatchObject({ kind: "bad_request" });
    expect(e!.message).toMatch(/carried out; do not send a write again/);
    const fits = await provider.proxy("demo-user", { accountId: "ca_github_demo", method: "GET", url: "/__emulator/large/50000", headers: {}, maxBodyBytes: 100_000 });
    expect(fits.status).toBe(200);
  });
});

describe("accounts, links and deletion", () => {
  it("health from status; a link creates a pending account; deletion checks ownership and revokes", async () => {
    const accounts = await provider.listAccounts("demo-user");
    expect(accounts.find((a) => a.id === "ca_gmail_expired")).toMatchObject({ healthy: false, dead: true, proxyRelativeUrls: true });
    const link = await provider.createConnectLink("demo-user", "slack", { successRedirectUri: "https://app.example/ok" });
    expect(link).toMatchObject({ provider: "composio", url: expect.stringMatching(/^https:\/\/connect\.composio\.dev\/link\//), accountId: expect.stringMatching(/^ca_/) });
    expect(await provider.getAccount("demo-user", link.accountId!)).toMatchObject({ pending: true, healthy: false, dead: false });
    expect(await provider.getAccount("other-user", link.accountId!)).toBeUndefined();
    const linear = await provider.createConnectLink("demo-user", "linear");
    expect(linear.url).toMatch(/^https:\/\//);
    expect(emu.requests().filter((r) => r.method === "POST" && r.path.endsWith("/auth_configs"))).toHaveLength(1);
    expect(await failure(provider.createConnectLink("demo-user", "weathermap"))).toMatchObject({ kind: "bad_request", message: expect.stringMatching(/Composio dashboard/) });

    expect(await failure(provider.deleteAccount("demo-user", "ca_github_other"))).toMatchObject({ kind: "not_found", details: { notSent: true } });
    expect(emu.requests().filter((r) => r.method === "DELETE")).toEqual([]);
    await provider.deleteAccount("demo-user", "ca_notion_demo");
    expect(emu.requests().find((r) => r.method === "DELETE")).toMatchObject({ path: "/api/v3.1/connected_accounts/ca_notion_demo", query: { revoke_on_delete: "true" } });
    expect(await provider.getAccount("demo-user", "ca_notion_demo")).toBeUndefined();
  });

  it("writes are sent once even when Composio answers 502", async () => {
    await fault({ path_contains: "/connected_accounts/link", status: 502, times: 3 });
    expect(await failure(provider.createConnectLink("demo-user", "slack"))).toMatchObject({ kind: "upstream" });
    expect(emu.requests().filter((r) => r.path.endsWith("/link"))).toHaveLength(1);
    expect(warnings).toEqual([]);
  });
});
