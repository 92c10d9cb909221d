/**
 * Local connectors' pure parts: OpenAPI → actions (keys, inputs, read-only, what is left out),
 * the request an action makes, URL confinement to base_url, credential shapes, the registry's
 * ownership rule for connector slugs, and the `connectors` config key.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../../src/config.js";
import { credentialProblem } from "../../src/providers/local/auth.js";
import { confineToBase } from "../../src/providers/local/confine.js";
import { readOpenApi } from "../../src/providers/local/load.js";
import { exampleOf, kebab, openApiOperations, resourceOperation, toJsonSchema } from "../../src/providers/local/operations.js";
import { buildRequest, LocalProvider } from "../../src/providers/local/provider.js";
import { pipedreamOwnerOf } from "../../src/providers/pipedream/owner.js";
import type { ConnectProvider } from "../../src/providers/provider.js";
import { ProviderRegistry } from "../../src/providers/registry.js";

const PETSTORE = fileURLToPath(new URL("../fixtures/openapi/petstore3.yaml", import.meta.url));
const SHAPE = { slug: "petstore", name: "Petstore", needsAccount: true };

describe("OpenAPI → actions", () => {
  it("kebab-cases operationIds", () => {
    expect(kebab("getPetById")).toBe("get-pet-by-id");
    expect(kebab("createUsersWithListInput")).toBe("create-users-with-list-input");
    expect(kebab("list_Users v2")).toBe("list-users-v2");
    expect(kebab("getHTTPStatus")).toBe("get-http-status");
  });

  it("imports 18 of the Petstore's 19 operations; uploadFile (octet-stream body) is left out with its reason", async () => {
    const { operations, skipped } = openApiOperations(SHAPE, await readOpenApi(PETSTORE));
    expect(operations).toHaveLength(18);
    expect(skipped).toEqual([{ operation: "uploadFile", reason: expect.stringMatching(/application\/octet-stream, not JSON/) }]);
    const byKey = new Map(operations.map((o) => [o.key, o]));
    const get = byKey.get("petstore-get-pet-by-id")!;
    expect(get).toMatchObject({ method: "GET", path: "/pet/{petId}", pathParams: ["petId"], bodyMode: "none" });
    expect(get.definition.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(get.definition.props.map((p) => [p.name, p.type, p.optional ?? false])).toEqual([
      ["petstore", "app", false],
      ["petId", "integer", false],
    ]);
    const tags = byKey.get("petstore-find-pets-by-tags")!;
    expect(tags.queryParams).toEqual(["tags"]);
    expect(tags.definition.props.find((p) => p.name === "tags")).toMatchObject({ type: "string[]", optional: false });
    const add = byKey.get("petstore-add-pet")!;
    expect(add).toMatchObject({ method: "POST", bodyMode: "body-property" });
    expect(add.definition.annotations).toMatchObject({ readOnlyHint: false });
    const body = add.definition.props.find((p) => p.name === "body")!;
    expect(body).toMatchObject({ optional: false, type: "object" });
    // $refs resolved; OpenAPI-only keywords dropped, `example` kept as JSON Schema `examples`.
    expect(body.schema).toMatchObject({ required: ["name", "photoUrls"], properties: { category: { properties: { name: { type: "string", examples: ["Dogs"] } } } } });
    expect(JSON.stringify(body.schema)).not.toMatch(/"xml"|"\$ref"|x-swagger/);
    expect(byKey.get("petstore-delete-pet")!.definition.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    expect(byKey.get("petstore-delete-pet")!.headerParams).toEqual(["api_key"]);
    // The mock answer is the success response's example, built from the schema's property examples.
    expect(get.mock).toEqual({ status: 200, body: { id: 10, name: "doggie", category: { id: 1, name: "Dogs" }, photoUrls: ["string"], tags: [{ id: 0, name: "string" }], status: "available" } });
  });

  it("names operations without an operationId by method and path; keeps both of two colliding keys", () => {
    const doc = {
      openapi: "3.1.0",
      info: { title: "t", version: "2" },
      paths: {
        "/users/{id}/keys": { get: { responses: { "200": { description: "ok", content: { "application/json": { example: [{ k: 1 }] } } } } }, parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }] },
        "/a": { get: { operationId: "getUser", responses: {} }, post: { operationId: "get_user", responses: {} }, options: { responses: {} } },
        "/c": { get: { operationId: "withCookie", parameters: [{ name: "session", in: "cookie", required: true, schema: { type: "string" } }], responses: {} } },
      },
    };
    const { operations, skipped } = openApiOperations({ slug: "api", name: "API", needsAccount: false }, doc);
    const keys = operations.map((o) => o.key);
    expect(keys).toEqual(["api-get-users-id-keys", "api-get-user", "api-get-user-2"]);
    expect(operations[0]!.pathParams).toEqual(["id"]);
    expect(operations[0]!.mock).toEqual({ status: 200, body: [{ k: 1 }] });
    // auth "none": no account prop.
    expect(operations[0]!.definition.props.map((p) => p.name)).toEqual(["id"]);
    expect(skipped.map((s) => s.operation)).toEqual(["OPTIONS /a", "withCookie"]);
  });

  it("refuses Swagger 2.0 and non-OpenAPI documents", () => {
    expect(() => openApiOperations(SHAPE, { swagger: "2.0", paths: {} })).toThrow(/not an OpenAPI 3\.0 or 3\.1 document/);
  });

  it("converts OpenAPI schema keywords to JSON Schema and builds examples", () => {
    expect(toJsonSchema({ type: "string", nullable: true, example: "x", xml: { name: "y" }, "x-ext": 1 })).toEqual({ type: ["string", "null"], examples: ["x"] });
    expect(exampleOf({ type: "object", properties: { a: { type: "integer" }, b: { enum: ["p", "q"] }, c: { type: "array", items: { type: "boolean" } } } })).toEqual({ a: 0, b: "p", c: [false] });
  });
});

describe("requests", () => {
  it("fills path parameters (encoded), query (arrays repeated), header parameters and the JSON body", async () => {
    const { operations } = openApiOperations(SHAPE, await readOpenApi(PETSTORE));
    const op = (k: string) => operations.find((o) => o.key === k)!;
    const get = buildRequest("http://h:1/api/v3/", op("petstore-get-user-by-name"), { username: "a b/../c" });
    expect(get.url.toString()).toBe("http://h:1/api/v3/user/a%20b%2F..%2Fc");
    expect(get.body).toBeUndefined();
    const tags = buildRequest("http://h:1/api/v3", op("petstore-find-pets-by-tags"), { tags: ["x", "y"] });
    expect(tags.url.search).toBe("?tags=x&tags=y");
    const del = buildRequest("http://h:1/api/v3", op("petstore-delete-pet"), { petId: 3, api_key: "k" });
    expect(del.headers.api_key).toBe("k");
    const add = buildRequest("http://h:1/api/v3", op("petstore-add-pet"), { body: { name: "n", photoUrls: [] } });
    expect(add).toMatchObject({ body: JSON.stringify({ name: "n", photoUrls: [] }), headers: { "content-type": "application/json" } });
  });

  it("declared resources: the rest of the input is query for GET/DELETE, a JSON body otherwise", () => {
    const shape = { slug: "crm", name: "CRM", needsAccount: true };
    const get = resourceOperation(shape, { slug: "find", description: "d", method: "GET", path: "/contacts/{id}/notes", input: { type: "object", properties: { id: { type: "string" }, q: { type: "string" } } } });
    expect(get.key).toBe("crm-find");
    expect(buildRequest("https://crm.example/v1", get, { id: "7", q: "hi" }).url.toString()).toBe("https://crm.example/v1/contacts/7/notes?q=hi");
    const post = resourceOperation(shape, { slug: "add", description: "d", method: "POST", path: "/contacts/{id}/notes", mock: { ok: true } });
    const req = buildRequest("https://crm.example/v1", post, { id: "7", text: "hello" });
    expect(req.url.pathname).toBe("/v1/contacts/7/notes");
    expect(JSON.parse(req.body!)).toEqual({ text: "hello" });
    expect(post.mock).toEqual({ status: 200, body: { ok: true } });
  });

  it("confines api_proxy URLs to base_url", () => {
    const base = "http://10.0.0.5:8080/api/v3";
    expect(confineToBase(base, "/pet/1", { a: 1 })).toEqual({ ok: true, url: "http://10.0.0.5:8080/api/v3/pet/1?a=1", host: "10.0.0.5:8080" });
    expect(confineToBase(base, "pet/1")).toMatchObject({ ok: true, url: "http://10.0.0.5:8080/api/v3/pet/1" });
    expect(confineToBase(base, "http://10.0.0.5:8080/api/v3/store/inventory")).toMatchObject({ ok: true });
    expect(confineToBase(base, "http://10.0.0.5:8080/api/v3")).toMatchObject({ ok: true });
    for (const bad of ["/../admin", "/%2e%2e/admin", "http://10.0.0.5:8080/api/v30/x", "http://10.0.0.5:8080/admin", "http://10.0.0.6:8080/api/v3/x", "https://10.0.0.5:8080/api/v3/x", "//evil.example/api/v3", "\\\\evil", "/pet/..%2F..%2Fadmin", "http://u:p@10.0.0.5:8080/api/v3/x"]) {
      expect(confineToBase(base, bad).ok, bad).toBe(false);
    }
  });
});

describe("credentials and ownership", () => {
  it("checks a credential's shape for the connector's auth", () => {
    expect(credentialProblem({ type: "api_key", in: "header", name: "X-Key" }, { api_key: "k" })).toBeUndefined();
    expect(credentialProblem({ type: "api_key", in: "header", name: "X-Key" }, { key: "k" })).toMatch(/needs "api_key".*unknown|needs "api_key"/);
    expect(credentialProblem({ type: "basic" }, { username: "u" })).toMatch(/password/);
    expect(credentialProblem({ type: "oauth2", token_url: "https://t/x", grant: "refresh_token" }, { client_id: "c", refresh_token: "r" })).toBeUndefined();
    expect(credentialProblem({ type: "oauth2", token_url: "https://t/x", grant: "client_credentials" }, { client_id: "c" })).toMatch(/client_secret/);
    expect(credentialProblem({ type: "bearer" }, "tok")).toMatch(/JSON object/);
  });

  it("the registry gives a connector's slug, keys and loc_ ids to the local provider, even where a hosted app has that slug", async () => {
    const local = new LocalProvider({ connectors: [{ slug: "github", name: "Our GitHub proxy", base_url: "https://git.internal.example", auth: { type: "none" }, resources: [{ slug: "list-repos", description: "d", method: "GET", path: "/repos" }] }], mockAll: true, timeoutMs: 1000 });
    const hostedCalls: string[] = [];
    const hosted = new Proxy({} as ConnectProvider, {
      get: (_t, prop) => (prop === "ownerOf" ? pipedreamOwnerOf : async (...args: unknown[]) => (hostedCalls.push(String(prop)), prop === "listApps" ? { apps: [{ slug: "github", name: "GitHub", customFieldNames: [] }, { slug: "slack", name: "Slack", customFieldNames: [] }] } : prop === "listAccounts" ? [] : { args })),
    });
    const registry = new ProviderRegistry([{ name: "local", provider: local }, { name: "pipedream", provider: hosted }]);
    expect(registry.ownerOf({ actionKey: "github-list-repos" })).toBe("local");
    expect(registry.ownerOf({ actionKey: "github-create-issue" })).toBe("local");
    expect(registry.ownerOf({ actionKey: "slack-send-message" })).toBe("pipedream");
    expect(registry.ownerOf({ accountId: "loc_github" })).toBe("local");
    expect(registry.ownerOf({ accountId: "loc_slack" })).toBeUndefined();
    expect(registry.ownerOf({ accountId: "apn_abc" })).toBe("pipedream");
    expect(await registry.getApp("github")).toMatchObject({ name: "Our GitHub proxy", providers: ["local"] });
    expect((await registry.listActions({ app: "github", limit: 10 })).actions.map((a) => a.key)).toEqual(["github-list-repos"]);
    expect((await registry.listAccounts("u", { app: "github" })).map((a) => a.id)).toEqual(["loc_github"]);
    expect(hostedCalls).toEqual([]);
    // The hosted "github" is not listed beside the connector.
    const apps: string[] = [];
    let after: string | undefined;
    do {
      const page = await registry.listApps({ limit: 10, ...(after ? { after } : {}) });
      apps.push(...page.apps.map((a) => `${a.slug}@${a.providers?.join("")}`));
      after = page.nextCursor;
    } while (after);
    expect(apps).toEqual(["github@local", "slack@pipedream"]);
  });
});

describe("config key connectors", () => {
  const write = (content: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), "connect-mcp-cfg-"));
    const path = join(dir, "config.json");
    writeFileSync(path, JSON.stringify(content));
    return { dir, path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  };

  it("resolves a relative openapi path against the config file's directory", () => {
    const f = write({ connectors: [{ slug: "pets", name: "Pets", base_url: "http://127.0.0.1:9/api", auth: { type: "bearer" }, openapi: "specs/petstore.yaml" }] });
    try {
      const c = resolveConfig({ configFile: f.path, env: {} });
      expect(c.connectors[0]!.openapi).toBe(join(f.dir, "specs/petstore.yaml"));
    } finally {
      f.cleanup();
    }
  });

  it("names the connector and field of a bad declaration", () => {
    const f = write({
      connectors: [
        { slug: "ok_one", name: "A", base_url: "https://a.example", auth: { type: "none" }, resources: [{ slug: "x", description: "d", method: "GET", path: "/x" }] },
        { slug: "billing", name: "B", base_url: "https://b.example", auth: { type: "api_key", in: "cookie", name: "k" }, openapi: "b.yaml" },
      ],
    });
    try {
      expect(() => resolveConfig({ configFile: f.path, env: {} })).toThrow(ConfigError);
      expect(() => resolveConfig({ configFile: f.path, env: {} })).toThrow(/connectors\[1\] \("billing"\)\.auth/);
    } finally {
      f.cleanup();
    }
    expect(() => resolveConfig({ env: { CONNECT_MCP_CONNECTORS: JSON.stringify([{ slug: "Bad-Slug", name: "x", base_url: "https://x", auth: { type: "none" }, openapi: "a" }]) } })).toThrow(/connector slugs look like app slugs/);
    expect(() => resolveConfig({ env: { CONNECT_MCP_CONNECTORS: JSON.stringify([{ slug: "x", name: "x", base_url: "https://x", auth: { type: "none" } }]) } })).toThrow(/needs openapi .* or resources/);
    expect(() => resolveConfig({ env: { CONNECT_MCP_SECRET_KEY: "c2hvcnQ=" } })).toThrow(/32 bytes/);
  });
});
