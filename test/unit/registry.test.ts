/** The provider registry: routing by id/key format, listings across providers, cursors, app merging, link placement. */
import { describe, expect, it } from "vitest";
import { composioOwnerOf, ourAccountId, theirAccountId } from "../../src/providers/composio/owner.js";
import { pipedreamOwnerOf } from "../../src/providers/pipedream/owner.js";
import { ProviderError, type ActionDefinition, type AppInfo, type ConnectedAccount, type ConnectProvider, type ProviderName } from "../../src/providers/provider.js";
import { ProviderRegistry } from "../../src/providers/registry.js";

function fake(name: ProviderName, data: { accounts?: string[]; actions?: string[]; apps?: string[]; pageSize?: number }) {
  const calls: string[] = [];
  const owner = name === "pipedream" ? pipedreamOwnerOf : composioOwnerOf;
  const notFound = (what: string) => new ProviderError("not_found", `${name}: no ${what}`);
  const page = <T>(all: T[], after: string | undefined, limit: number) => {
    const start = after ? Number(after) : 0;
    const size = Math.min(limit, data.pageSize ?? 2);
    return { items: all.slice(start, start + size), next: start + size < all.length ? String(start + size) : undefined };
  };
  const account = (id: string): ConnectedAccount => ({ id, provider: name, name: id, app: { slug: id.split("_")[1]!, name: "x", customFieldNames: [] }, healthy: true, dead: false });
  const action = (key: string): ActionDefinition => ({ key, name: key, version: "1", props: [] });
  const provider: ConnectProvider = {
    checkCredentials: async () => undefined,
    ownerOf: owner,
    listAccounts: async (_u, filter) => {
      calls.push(`listAccounts ${JSON.stringify(filter ?? {})}`);
      return (data.accounts ?? []).map(account).filter((a) => !filter?.app || a.app.slug === filter.app);
    },
    getAccount: async (_u, id) => (data.accounts ?? []).includes(id) ? account(id) : undefined,
    deleteAccount: async (_u, id) => void calls.push(`delete ${id}`),
    getApp: async (slug) => {
      calls.push(`getApp ${slug}`);
      if (!(data.apps ?? []).includes(slug)) throw notFound(`app ${slug}`);
      return { slug, name: `${slug} at ${name}`, customFieldNames: [] };
    },
    listApps: async ({ query, after, limit }) => {
      calls.push(`listApps ${query ?? ""} ${after ?? ""}`);
      const p = page((data.apps ?? []).filter((a) => !query || a.includes(query)), after, limit);
      return { apps: p.items.map((slug): AppInfo => ({ slug, name: slug, customFieldNames: [] })), ...(p.next ? { nextCursor: p.next } : {}) };
    },
    listActions: async ({ app, query, after, limit }) => {
      calls.push(`listActions ${app ?? ""} ${query ?? ""} ${after ?? ""}`);
      const p = page((data.actions ?? []).filter((k) => (!app || k.toLowerCase().startsWith(app)) && (!query || k.toLowerCase().includes(query))), after, limit);
      return { actions: p.items.map(action), ...(p.next ? { nextCursor: p.next } : {}) };
    },
    getAction: async (key) => {
      calls.push(`getAction ${key}`);
      return action(key);
    },
    configureProp: async () => ({ options: [], errors: [], observations: [] }),
    reloadProps: async () => ({ props: [], errors: [], observations: [] }),
    runAction: async (_u, input) => {
      calls.push(`run ${input.key}`);
      return { exports: {}, ret: name, observations: [] };
    },
    proxy: async (_u, req) => {
      calls.push(`proxy ${req.accountId}`);
      return { status: 200, headers: {}, body: { kind: "json", value: name } };
    },
    createConnectLink: async (_u, app) => {
      calls.push(`link ${app}`);
      return { url: `https://${name}.example/link/${app}`, expiresAt: "2030-01-01T00:00:00Z", provider: name };
    },
  };
  return { provider, calls };
}

function setup() {
  const pd = fake("pipedream", { accounts: ["apn_github_1", "apn_slack_1"], actions: ["github-create-issue", "github-list-repos", "slack-send-message"], apps: ["github", "slack", "linear"] });
  const cx = fake("composio", { accounts: ["ca_github_9", "ca_notion_9"], actions: ["GITHUB_CREATE_AN_ISSUE", "NOTION_CREATE_PAGE"], apps: ["github", "notion", "linear"] });
  const registry = new ProviderRegistry([
    { name: "pipedream", provider: pd.provider },
    { name: "composio", provider: cx.provider },
  ]);
  return { pd, cx, registry };
}

describe("ids and keys", () => {
  it("Pipedream's and Composio's formats are disjoint, so ids stay as each provider gives them", () => {
    for (const id of ["apn_kVh9AoD", "apn_slack_demo"]) expect([pipedreamOwnerOf({ accountId: id }), composioOwnerOf({ accountId: id })]).toEqual(["pipedream", undefined]);
    for (const id of ["ca_Ab12_cd-3", "composio:0f8e-uuid"]) expect([pipedreamOwnerOf({ accountId: id }), composioOwnerOf({ accountId: id })]).toEqual([undefined, "composio"]);
    for (const key of ["slack-send-message", "google_sheets-add-single-row"]) expect([pipedreamOwnerOf({ actionKey: key }), composioOwnerOf({ actionKey: key })]).toEqual(["pipedream", undefined]);
    for (const key of ["GITHUB_CREATE_AN_ISSUE", "GOOGLESHEETS_BATCH_GET"]) expect([pipedreamOwnerOf({ actionKey: key }), composioOwnerOf({ actionKey: key })]).toEqual([undefined, "composio"]);
    for (const junk of ["", "slack", "SLACK", "Github_Create", "apn_", "ca_"]) {
      expect([pipedreamOwnerOf({ actionKey: junk }), composioOwnerOf({ actionKey: junk }), pipedreamOwnerOf({ accountId: junk }), composioOwnerOf({ accountId: junk })], junk).toEqual([undefined, undefined, undefined, undefined]);
    }
    // An id Composio sends in another form is escaped, and unescaped on the way back.
    expect(ourAccountId("0f8e-uuid")).toBe("composio:0f8e-uuid");
    expect(theirAccountId(ourAccountId("0f8e-uuid"))).toBe("0f8e-uuid");
    expect(ourAccountId("ca_x")).toBe("ca_x");
  });
});

describe("ProviderRegistry", () => {
  it("routes runs, proxies and definitions to the provider owning the key or account", async () => {
    const { pd, cx, registry } = setup();
    expect(await registry.runAction("u", { key: "GITHUB_CREATE_AN_ISSUE", configuredProps: {} })).toMatchObject({ ret: "composio" });
    expect(await registry.runAction("u", { key: "github-create-issue", configuredProps: {} })).toMatchObject({ ret: "pipedream" });
    expect((await registry.proxy("u", { accountId: "ca_github_9", method: "GET", url: "https://x", headers: {} })).body).toEqual({ kind: "json", value: "composio" });
    expect(await registry.getAction("NOTION_CREATE_PAGE")).toMatchObject({ provider: "composio" });
    await expect(registry.getAction("not a key")).rejects.toMatchObject({ kind: "not_found" });
    await expect(registry.proxy("u", { accountId: "acc_unknown", method: "GET", url: "https://x", headers: {} })).rejects.toMatchObject({ kind: "not_found", details: { notSent: true } });
    expect(pd.calls.filter((c) => c.startsWith("proxy") || c.startsWith("run"))).toEqual(["run github-create-issue"]);
    expect(cx.calls.filter((c) => c.startsWith("proxy") || c.startsWith("run"))).toEqual(["run GITHUB_CREATE_AN_ISSUE", "proxy ca_github_9"]);
    expect(registry.ownerOf({ accountId: "apn_x" })).toBe("pipedream");
    expect(registry.ownerOf({ actionKey: "X_Y" })).toBe("composio");
  });

  it("lists accounts from every provider, or only the owner's when one id is wanted, or one provider's", async () => {
    const { pd, cx, registry } = setup();
    const all = await registry.listAccounts("u");
    expect(all.map((a) => `${a.provider}:${a.id}`)).toEqual(["pipedream:apn_github_1", "pipedream:apn_slack_1", "composio:ca_github_9", "composio:ca_notion_9"]);
    expect((await registry.listAccounts("u", { app: "github" })).map((a) => a.id)).toEqual(["apn_github_1", "ca_github_9"]);
    pd.calls.length = 0;
    cx.calls.length = 0;
    await registry.listAccounts("u", { accountId: "ca_github_9" });
    expect(pd.calls).toEqual([]);
    expect(cx.calls).toHaveLength(1);
    expect((await registry.listAccounts("u", { app: "github", provider: "pipedream" })).map((a) => a.id)).toEqual(["apn_github_1"]);
    expect(await registry.getAccount("u", "ca_notion_9")).toMatchObject({ provider: "composio" });
    expect(await registry.getAccount("u", "nope")).toBeUndefined();
  });

  it("pages through one provider, then the next, behind one cursor; searches ask both and interleave", async () => {
    const { registry } = setup();
    const keys: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await registry.listActions({ limit: 100, after });
      keys.push(...page.actions.map((a) => `${a.provider}:${a.key}`));
      after = page.nextCursor;
      if (!after) break;
    }
    expect(keys).toEqual(["pipedream:github-create-issue", "pipedream:github-list-repos", "pipedream:slack-send-message", "composio:GITHUB_CREATE_AN_ISSUE", "composio:NOTION_CREATE_PAGE"]);
    const found = await registry.listActions({ query: "create", limit: 10 });
    expect(found.actions.map((a) => a.key)).toEqual(["github-create-issue", "GITHUB_CREATE_AN_ISSUE", "NOTION_CREATE_PAGE"]);
    // An app only one provider offers: the other's answer is empty, not an error.
    const notion = await registry.listActions({ app: "notion", limit: 100 });
    expect(notion.actions.map((a) => a.key)).toEqual(["NOTION_CREATE_PAGE"]);
    await expect(registry.listActions({ limit: 10, after: "garbage" })).rejects.toMatchObject({ kind: "bad_request" });
  });

  it("one app offered by both is one app that knows its providers; an app nobody offers is not found", async () => {
    const { registry } = setup();
    expect(await registry.getApp("github")).toMatchObject({ slug: "github", name: "github at pipedream", providers: ["pipedream", "composio"] });
    expect(await registry.getApp("notion")).toMatchObject({ providers: ["composio"] });
    await expect(registry.getApp("nothing")).rejects.toMatchObject({ kind: "not_found" });
  });

  it("a link goes to the provider of the newest unusable account, else the first provider offering the app (within the allowed ones)", async () => {
    const { registry } = setup();
    const dead = (id: string, provider: ProviderName, updatedAt: string): ConnectedAccount => ({ id, provider, name: id, app: { slug: "github", name: "GitHub", customFieldNames: [] }, healthy: false, dead: true, updatedAt });
    expect((await registry.createConnectLink("u", "linear")).provider).toBe("pipedream");
    expect((await registry.createConnectLink("u", "notion")).provider).toBe("composio");
    expect((await registry.createConnectLink("u", "github", { accounts: [dead("apn_a", "pipedream", "2026-01-01"), dead("ca_b", "composio", "2026-02-01")] })).provider).toBe("composio");
    expect((await registry.createConnectLink("u", "github", { providers: ["pipedream"], accounts: [dead("ca_b", "composio", "2026-02-01")] })).provider).toBe("pipedream");
    await expect(registry.createConnectLink("u", "nothing")).rejects.toMatchObject({ kind: "not_found" });
  });

  it("with one provider, everything goes to it unchanged (its own cursors too)", async () => {
    const pd = fake("pipedream", { actions: ["a-1", "a-2", "a-3"] });
    const registry = new ProviderRegistry([{ name: "pipedream", provider: pd.provider }]);
    const first = await registry.listActions({ limit: 100 });
    expect(first.nextCursor).toBe("2");
    expect((await registry.proxy("u", { accountId: "whatever", method: "GET", url: "https://x", headers: {} })).status).toBe(200);
  });
});
