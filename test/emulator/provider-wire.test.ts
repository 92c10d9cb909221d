// The Pipedream provider (src/providers/pipedream) against the offline Connect emulator: the
// proxy's own wire requests, byte cap, 401 attribution and cancellation, and the provider's refusal
// to read an unreadable answer as an empty success.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EMULATOR_DEFAULTS, startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { PipedreamProvider } from "../../src/providers/pipedream/sdk-provider.js";
import { ProviderError, type ProxyRequest } from "../../src/providers/provider.js";

let emu: RunningEmulator;
let provider: PipedreamProvider;
let rejected = 0;

const USER = EMULATOR_DEFAULTS.externalUserId; // "demo-user"
const slackRun = { key: "slack-send-message", configuredProps: { slack: { authProvisionId: "apn_slack_demo" }, channel: "C01GENERAL", text: "hi" } };

function newProvider(): PipedreamProvider {
  return new PipedreamProvider({
    clientId: EMULATOR_DEFAULTS.clientId,
    clientSecret: EMULATOR_DEFAULTS.clientSecret,
    projectId: EMULATOR_DEFAULTS.projectId,
    environment: "development",
    baseUrl: emu.url,
    timeoutMs: 10_000,
    onTokenRejected: () => rejected++,
  });
}

async function fault(spec: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${emu.url}/__emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) });
  expect(res.status).toBe(201);
}

async function providerError(fn: () => Promise<unknown>): Promise<ProviderError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error("expected the call to fail");
}

const proxied = () => emu.requests().filter((r) => r.path.includes("/proxy/"));
const tokenFetches = () => emu.requests().filter((r) => r.path === "/v1/oauth/token");

function get(url: string, extra: Partial<ProxyRequest> = {}): ProxyRequest {
  return { accountId: "apn_slack_demo", method: "GET", url, headers: {}, ...extra };
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.reset();
  rejected = 0;
  provider = newProvider();
});

describe("proxy wire", () => {
  it("sends what the SDK sends: padded base64 url segment, x-pd-proxy-* headers, a JSON body, user and account in the query", async () => {
    const res = await provider.proxy(USER, {
      accountId: "apn_slack_demo",
      method: "POST",
      url: "https://slack.com/api/chat.postMessage?x=1",
      headers: { "X-Custom": "v", Accept: "application/json" },
      body: { channel: "C01GENERAL", text: "hi" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      kind: "json",
      value: expect.objectContaining({
        method: "POST",
        url: "https://slack.com/api/chat.postMessage?x=1",
        headers: { "x-custom": "v", accept: "application/json" },
        body: { channel: "C01GENERAL", text: "hi" },
        account_id: "apn_slack_demo",
        external_user_id: USER,
      }),
    });
    const [req] = proxied();
    expect(req!.path).toBe(`/v1/connect/${EMULATOR_DEFAULTS.projectId}/proxy/${encodeURIComponent(Buffer.from("https://slack.com/api/chat.postMessage?x=1").toString("base64"))}`);
    expect(req!.query).toEqual({ external_user_id: USER, account_id: "apn_slack_demo" });
  });

  it("asks the app for */* when the caller names no Accept, and decodes by content type", async () => {
    const echo = await provider.proxy(USER, get("https://slack.com/api/auth.test"));
    expect(echo.body).toMatchObject({ kind: "json", value: { headers: { accept: "*/*" } } });
    const text = await provider.proxy(USER, get("https://slack.com/__emulator/text"));
    expect(text.body.kind).toBe("bytes");
    expect(Buffer.from((text.body as { value: Uint8Array }).value).toString()).toBe("hello from the emulator");
    const empty = await provider.proxy(USER, { ...get("https://slack.com/__emulator/empty"), method: "DELETE" });
    expect(empty).toMatchObject({ status: 204, body: { kind: "empty" } });
  });

  it("reads a body up to maxBodyBytes, cancels the rest, and says how much it saw", async () => {
    const res = await provider.proxy(USER, get("https://slack.com/__emulator/large/5000000", { maxBodyBytes: 100_000 }));
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe("bytes");
    expect((res.body as { value: Uint8Array }).value.length).toBe(100_000);
    expect(res.truncated!.bytesTotal).toBe(5_000_000);
    expect(res.truncated!.bytesSeen).toBeGreaterThanOrEqual(100_000);
    expect(res.truncated!.bytesSeen).toBeLessThan(1_000_000);
    await waitFor(() => proxied()[0]?.aborted !== undefined);
    expect(proxied()[0]).toMatchObject({ status: 499, aborted: true });
  });

  it("a body exactly at the cap is whole and parsed", async () => {
    const res = await provider.proxy(USER, get("https://slack.com/__emulator/large/2000", { maxBodyBytes: 2000 }));
    expect(res.truncated).toBeUndefined();
    expect(res.body).toMatchObject({ kind: "json", value: { data: "x".repeat(1989) } });
  });

  it("an upstream error body is capped as well (the SDK would read it whole)", async () => {
    const res = await provider.proxy(USER, { ...get("https://slack.com/__emulator/large/3000000?status=502", { maxBodyBytes: 50_000 }), method: "POST", body: {} });
    expect(res.status).toBe(502);
    expect(res.truncated).toMatchObject({ bytesTotal: 3_000_000 });
    expect(proxied()).toHaveLength(1); // a write is never repeated
  });
});

describe("an app's 401 is not Connect's", () => {
  it("an upstream 401 comes back as the app's answer: the token is kept, nothing is repeated", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await provider.proxy(USER, get("https://slack.com/__emulator/status/401"));
      expect(res).toMatchObject({ status: 401, body: { kind: "json", value: { error: "emulated 401" } } });
    }
    expect(tokenFetches()).toHaveLength(1);
    expect(proxied()).toHaveLength(5);
    expect(rejected).toBe(0);
  });

  it("Connect's own 401 on a proxy write is an unauthorized error, not the app's, and the write is not repeated", async () => {
    await provider.listAccounts(USER); // a token Connect accepted
    await fetch(`${emu.url}/__emulator/revoke-tokens`, { method: "POST" });
    const err = await providerError(() => provider.proxy(USER, { ...get("https://slack.com/api/chat.postMessage"), method: "POST", body: { text: "hi" } }));
    expect(err.kind).toBe("unauthorized");
    expect(err.message).toMatch(/not carried out/);
    expect(proxied()).toHaveLength(1);
    expect(rejected).toBe(1);
    // The next call uses a new token.
    expect((await provider.proxy(USER, get("https://slack.com/api/auth.test"))).status).toBe(200);
  });

  it("tokens Connect never accepts are not refreshed again and again", async () => {
    // Every Connect call answers 401, whatever the token: a flood of 401s.
    await fault({ path_contains: "/v1/connect/", status: 401, body: { error: "Unauthorized" }, times: 100 });
    for (let i = 0; i < 5; i++) {
      const err = await providerError(() => provider.listAccounts(USER));
      expect(err.kind).toBe("unauthorized");
    }
    // The first token, then one forced refresh; the rest wait out the interval.
    expect(tokenFetches()).toHaveLength(2);
    expect(rejected).toBe(1);
  });
});

describe("cancellation", () => {
  it("an aborted signal aborts an in-flight proxy POST; the emulator sees the connection closed before the delay ends", async () => {
    await provider.listAccounts(USER); // token fetched first, so only the proxy request is in flight
    const ac = new AbortController();
    const started = Date.now();
    const pending = providerError(() => provider.proxy(USER, { ...get("https://slack.com/__emulator/delay/5000"), method: "POST", body: { text: "hi" } }, { signal: ac.signal }));
    await waitFor(() => proxied().length === 1);
    ac.abort();
    const err = await pending;
    expect(err.kind).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => proxied()[0]?.aborted !== undefined);
    const [req] = proxied();
    expect(req).toMatchObject({ method: "POST", status: 499, aborted: true });
    expect(Date.parse(req!.endedAt!) - Date.parse(req!.at)).toBeLessThan(2000);
  });

  it("an aborted signal aborts an in-flight runAction", async () => {
    await provider.listAccounts(USER);
    await fault({ path_contains: "/actions/run", delay_ms: 5000 });
    const ac = new AbortController();
    const pending = providerError(() => provider.runAction(USER, slackRun, { signal: ac.signal }));
    const runs = () => emu.requests().filter((r) => r.path.endsWith("/actions/run"));
    await waitFor(() => runs().length === 1);
    ac.abort();
    expect((await pending).kind).toBe("cancelled");
    await waitFor(() => runs()[0]?.aborted !== undefined);
    expect(runs()[0]).toMatchObject({ status: 499, aborted: true });
    expect(Date.parse(runs()[0]!.endedAt!) - Date.parse(runs()[0]!.at)).toBeLessThan(2000);
  });

  it("a completed request is logged as not aborted", async () => {
    await provider.proxy(USER, get("https://slack.com/api/auth.test"));
    await waitFor(() => proxied()[0]?.aborted !== undefined);
    expect(proxied()[0]).toMatchObject({ status: 200, aborted: false, endedAt: expect.any(String) });
  });
});

describe("unreadable answers are malformed, never empty successes", () => {
  it("a run answered 200 with a body that is not JSON", async () => {
    await fault({ path_contains: "/actions/run", status: 200, body: "<html>upstream hiccup</html>", content_type: "text/html" });
    const err = await providerError(() => provider.runAction(USER, slackRun));
    expect(err.kind).toBe("malformed");
    expect(err.message).toMatch(/run action "slack-send-message".*not JSON/);
  });

  it("a run answered 200 with JSON that is not a run result", async () => {
    for (const body of ["[1,2]", '"done"', "{}", '{"exports":"x"}']) {
      await fault({ path_contains: "/actions/run", status: 200, body });
      expect((await providerError(() => provider.runAction(USER, slackRun))).kind, body).toBe("malformed");
    }
    // A genuine answer still reads.
    expect((await provider.runAction(USER, slackRun)).exports).toBeTypeOf("object");
  });

  it("an action list whose data is not a list, or not JSON", async () => {
    await fault({ method: "GET", path_contains: "/actions", status: 200, body: '{"data":{"oops":1},"page_info":{}}' });
    let err = await providerError(() => provider.listActions({ app: "slack", limit: 5 }));
    expect(err).toMatchObject({ kind: "malformed", message: expect.stringMatching(/list actions: data is not a list/) });
    await fault({ method: "GET", path_contains: "/actions", status: 200, body: "garbage" });
    err = await providerError(() => provider.listActions({ app: "slack", limit: 5 }));
    expect(err.kind).toBe("malformed");
  });

  it("an account list of garbage, or of entries without ids", async () => {
    await fault({ method: "GET", path_contains: "/accounts", status: 200, body: "not json at all" });
    expect((await providerError(() => provider.listAccounts(USER))).kind).toBe("malformed");
    await fault({ method: "GET", path_contains: "/accounts", status: 200, body: '{"data":[{"name":"no id"}],"page_info":{}}' });
    const err = await providerError(() => provider.listAccounts(USER));
    expect(err).toMatchObject({ kind: "malformed", message: expect.stringMatching(/an entry has no id/) });
  });

  it("configureProp and reloadProps answers that cannot be read", async () => {
    const configure = { key: "slack-send-message", propName: "channel", configuredProps: { slack: { authProvisionId: "apn_slack_demo" } } };
    await fault({ path_contains: "/actions/configure", status: 200, body: '{"unexpected":true}' });
    expect((await providerError(() => provider.configureProp(USER, configure))).kind).toBe("malformed");
    await fault({ path_contains: "/actions/configure", status: 200, body: '{"options":"a,b","errors":[]}' });
    expect((await providerError(() => provider.configureProp(USER, configure))).message).toMatch(/options is not a list/);
    expect((await provider.configureProp(USER, configure)).options.length).toBeGreaterThan(0);

    const reload = { key: "google_sheets-add-single-row", configuredProps: { googleSheets: { authProvisionId: "apn_gsheets_demo" } } };
    await fault({ path_contains: "/actions/props", status: 200, body: "[]" });
    expect((await providerError(() => provider.reloadProps(USER, reload))).kind).toBe("malformed");
    await fault({ path_contains: "/actions/props", status: 200, body: '{"dynamicProps":{"id":"dyp_1","configurableProps":{}},"errors":[]}' });
    expect((await providerError(() => provider.reloadProps(USER, reload))).message).toMatch(/configurableProps is not a list/);
  });

  it("an app or action retrieved without data", async () => {
    await fault({ path_contains: "/apps/slack", status: 200, body: '{"data":null}' });
    expect((await providerError(() => provider.getApp("slack"))).kind).toBe("malformed");
    await fault({ path_contains: "/actions/slack-send-message", status: 200, body: '{"data":{"name":"no key"}}' });
    expect((await providerError(() => provider.getAction("slack-send-message"))).kind).toBe("malformed");
  });
});

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
