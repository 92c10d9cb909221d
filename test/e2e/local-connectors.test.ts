/**
 * Local connectors end to end: the Swagger Petstore OpenAPI 3 document (test/fixtures/openapi/
 * petstore3.yaml) imported by several connectors, one per auth scheme, in front of a small Petstore
 * on loopback (test/support/petstore-server.ts). Credentials go in through `connect-mcp
 * credentials set` (stdin), the tools run over stdio and HTTP through the official MCP client,
 * and `connect-mcp call` runs from the shell. No Pipedream or Composio is configured: the local
 * provider alone serves the five tools.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKey } from "../auth-helpers.js";
import { call, CLI, connectHttp, connectStdio, emulator, emulatorEnv, startHttp, type StdioSession } from "../helpers.js";
import { startPetstore, type PetstoreServer } from "../support/petstore-server.js";

const PETSTORE_DOC = fileURLToPath(new URL("../fixtures/openapi/petstore3.yaml", import.meta.url));

const SECRETS = {
  defaultKey: "psk-default-5f1c9e0d7a",
  aliceKey: "psk-alice-7b2e41aa93",
  bobKey: "psk-bob-c3d9f08e12",
  bearer: "bearer-tok-98a7c6e5d4",
  basicPassword: "basic-pw-1a2b3c4d5e",
  ccSecret: "cc-secret-0f9e8d7c6b",
  rtSecret: "rt-secret-6a5b4c3d2e",
  refreshToken: "rt-initial-13579bdf",
};

let srv: PetstoreServer;
let dir: string;
let configPath: string;
let db: string;

function connectors(base: string) {
  const doc = "petstore3.yaml"; // relative: resolved against the config file's directory
  return [
    { slug: "petstore", name: "Petstore (API key)", base_url: `${base}/apikey/api/v3`, auth: { type: "api_key", in: "header", name: "api_key" }, openapi: doc },
    { slug: "pets_query", name: "Petstore (key in query)", base_url: `${base}/query/api/v3`, auth: { type: "api_key", in: "query", name: "api_key" }, openapi: doc },
    { slug: "pets_bearer", name: "Petstore (bearer)", base_url: `${base}/bearer/api/v3`, auth: { type: "bearer" }, openapi: doc },
    { slug: "pets_basic", name: "Petstore (basic)", base_url: `${base}/basic/api/v3`, auth: { type: "basic" }, openapi: doc },
    { slug: "pets_cc", name: "Petstore (OAuth2 client credentials)", base_url: `${base}/oauth/api/v3`, auth: { type: "oauth2", token_url: `${base}/oauth/token`, grant: "client_credentials", scopes: ["read:pets", "write:pets"] }, openapi: doc },
    { slug: "pets_rt", name: "Petstore (OAuth2 refresh token)", base_url: `${base}/oauth/api/v3`, auth: { type: "oauth2", token_url: `${base}/oauth/token`, grant: "refresh_token" }, openapi: doc },
    { slug: "pets_mock", name: "Petstore (mock)", base_url: `${base}/apikey/api/v3`, auth: { type: "api_key", in: "header", name: "api_key" }, openapi: doc, mock: true },
    {
      slug: "shelter",
      name: "Shelter (declared)",
      base_url: `${base}/bearer/api/v3`,
      auth: { type: "bearer" },
      resources: [
        { slug: "get-pet", description: "One pet by id.", method: "GET", path: "/pet/{petId}", input: { type: "object", properties: { petId: { type: "integer" } }, required: ["petId"] }, mock: { id: 7, name: "Mocky" } },
        { slug: "list-by-status", description: "Pets with a status.", method: "GET", path: "/pet/findByStatus", input: { type: "object", properties: { status: { type: "string", enum: ["available", "pending", "sold"] } }, required: ["status"] } },
        { slug: "add-pet", description: "Add a pet.", method: "POST", path: "/pet", input: { type: "object", properties: { name: { type: "string" }, photoUrls: { type: "array", items: { type: "string" } } }, required: ["name", "photoUrls"] } },
      ],
    },
  ];
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { CONNECT_MCP_CONFIG: configPath, CONNECT_MCP_DB: db, CONNECT_MCP_EXTERNAL_USER_ID: "alice", CONNECT_MCP_LOG_LEVEL: "warn", ...extra };
}

/** Run the CLI with `input` on stdin. */
function cli(args: string[], input = "", extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env(extra) }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function setCredential(connector: string, value: Record<string, string>, user?: string): Promise<void> {
  const res = await cli(["credentials", "set", connector, ...(user ? ["--user", user] : [])], JSON.stringify(value));
  expect(res.stderr, res.stderr).toBe("");
  expect(res.code).toBe(0);
  expect(res.stdout).toMatch(/^Stored the /);
}

beforeAll(async () => {
  srv = await startPetstore({
    apiKeys: [SECRETS.defaultKey, SECRETS.aliceKey, SECRETS.bobKey],
    bearerTokens: [SECRETS.bearer],
    basicUsers: { petuser: SECRETS.basicPassword },
    clients: { "cc-client": SECRETS.ccSecret, "rt-client": SECRETS.rtSecret },
    refreshTokens: [SECRETS.refreshToken],
  });
  dir = mkdtempSync(join(tmpdir(), "connect-mcp-local-"));
  copyFileSync(PETSTORE_DOC, join(dir, "petstore3.yaml"));
  configPath = join(dir, "config.json");
  db = join(dir, "state.db");
  writeFileSync(configPath, JSON.stringify({ connectors: connectors(srv.url) }));
});

afterAll(async () => {
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("local connectors over stdio", () => {
  let s: StdioSession;
  beforeAll(async () => {
    s = await connectStdio(env());
  });
  afterAll(async () => {
    await s?.close();
  });

  it("imports the Petstore document: lists and describes its operations as actions", async () => {
    const listed = await call(s.client, "list_actions", { app: "petstore", limit: 50 });
    expect(listed.isError, listed.text).toBe(false);
    const actions = listed.structured!.actions as Array<{ key: string; read_only: boolean; provider: string }>;
    // 19 operations in the document; uploadFile (an application/octet-stream body) is not imported.
    expect(actions.map((a) => a.key).sort()).toHaveLength(18);
    expect(actions.map((a) => a.key)).not.toContain("petstore-upload-file");
    const byKey = new Map(actions.map((a) => [a.key, a]));
    expect(byKey.get("petstore-get-pet-by-id")).toMatchObject({ read_only: true, provider: "local" });
    expect(byKey.get("petstore-add-pet")).toMatchObject({ read_only: false });

    const described = await call(s.client, "describe_action", { action: "petstore-find-pets-by-status" });
    expect(described.isError, described.text).toBe(false);
    const props = described.structured!.props as { properties: Record<string, { enum?: unknown[] }>; required: string[] };
    expect(props.properties.status!.enum).toEqual(["available", "pending", "sold"]);
    // Required in the document, with a default: the caller may leave it out.
    expect(props.properties.status).toMatchObject({ default: "available" });
    const add = await call(s.client, "describe_action", { action: "petstore-add-pet" });
    const addProps = add.structured!.props as { properties: Record<string, { properties?: Record<string, unknown> }>; required: string[] };
    expect(Object.keys(addProps.properties)).toEqual(["body"]);
    expect(Object.keys(addProps.properties.body!.properties!)).toEqual(expect.arrayContaining(["name", "photoUrls", "category", "status"]));
  });

  it("without a credential: connect_required naming the CLI command, nothing sent", async () => {
    const before = srv.log.length;
    const accounts = await call(s.client, "list_accounts", {});
    expect((accounts.structured!.accounts as Array<{ app: string }>).map((a) => a.app)).toEqual(["pets_mock"]);
    const run = await call(s.client, "run_action", { action: "petstore-get-pet-by-id", configured_props: { petId: 1 } });
    expect(run.isError, run.text).toBe(false);
    expect(run.structured).toMatchObject({ outcome: "connect_required", connect: { app: "petstore", provider: "local", command: "connect-mcp credentials set petstore --user alice" } });
    expect(run.structured!.message).toMatch(/connect-mcp credentials set petstore --user alice/);
    const proxy = await call(s.client, "api_proxy", { app: "petstore", method: "GET", url: "/pet/1" });
    expect(proxy.structured).toMatchObject({ outcome: "connect_required" });
    expect(srv.log.length).toBe(before);
  });

  it("api_key (header and query): runs with path params, query and a JSON body", async () => {
    await setCredential("petstore", { api_key: SECRETS.defaultKey });
    await setCredential("pets_query", { api_key: SECRETS.defaultKey });
    const accounts = await call(s.client, "list_accounts", { app: "petstore" });
    expect(accounts.structured).toMatchObject({ outcome: "ok", accounts: [{ id: "loc_petstore", provider: "local", app: "petstore", healthy: true }] });

    const pet = await call(s.client, "run_action", { action: "petstore-get-pet-by-id", configured_props: { petId: 1 } });
    expect(pet.isError, pet.text).toBe(false);
    expect(pet.structured).toMatchObject({ outcome: "ok", result: { id: 1, name: "Rex" }, exports: { status: 200 } });
    const sent = srv.log.at(-1)!;
    expect(sent).toMatchObject({ method: "GET", path: "/apikey/api/v3/pet/1", credential: SECRETS.defaultKey });

    const sold = await call(s.client, "run_action", { action: "petstore-find-pets-by-status", configured_props: { status: "sold" } });
    expect(sold.structured!.result).toEqual([expect.objectContaining({ id: 2, name: "Tom" })]);
    expect(srv.log.at(-1)!.query).toEqual({ status: ["sold"] });

    const added = await call(s.client, "run_action", { action: "petstore-add-pet", configured_props: { body: { name: "Nova", photoUrls: ["https://example.com/nova.png"], status: "pending" } } });
    expect(added.isError, added.text).toBe(false);
    expect(added.structured!.result).toMatchObject({ name: "Nova", status: "pending" });
    expect(srv.log.at(-1)).toMatchObject({ method: "POST", path: "/apikey/api/v3/pet", body: { name: "Nova", photoUrls: ["https://example.com/nova.png"], status: "pending" } });
    expect(String(srv.log.at(-1)!.headers["content-type"])).toMatch(/application\/json/);

    const viaQuery = await call(s.client, "run_action", { action: "pets_query-get-pet-by-id", configured_props: { petId: 2 } });
    expect(viaQuery.structured!.result).toMatchObject({ name: "Tom" });
    expect(srv.log.at(-1)!.query.api_key).toEqual([SECRETS.defaultKey]);
    // The key never shows in the result.
    expect(JSON.stringify(viaQuery)).not.toContain(SECRETS.defaultKey);
  });

  it("bad input and upstream errors are clear isError results", async () => {
    await setCredential("petstore", { api_key: SECRETS.defaultKey });
    const bad = await call(s.client, "run_action", { action: "petstore-get-pet-by-id", configured_props: { petId: "one" } });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/petId/);
    const missing = await call(s.client, "run_action", { action: "petstore-get-pet-by-id", configured_props: { petId: 999 } });
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/HTTP 404.*Pet not found/);
    // A 5xx answer to a write: it may or may not have happened.
    const order = await call(s.client, "run_action", { action: "petstore-place-order", configured_props: { body: { petId: 1, quantity: 1 } } });
    expect(order.isError).toBe(true);
    expect(order.structured).toMatchObject({ outcome: "unknown", action: "petstore-place-order" });
    expect(order.text).toMatch(/HTTP 503.*may or may not have run|may or may not have run.*HTTP 503/s);
  });

  it("api_proxy reaches paths under base_url only, with auth injected", async () => {
    const rel = await call(s.client, "api_proxy", { app: "petstore", method: "GET", url: "/pet/1" });
    expect(rel.isError, rel.text).toBe(false);
    expect(rel.structured).toMatchObject({ outcome: "ok", status: 200, body: { name: "Rex" }, account_id: "loc_petstore" });
    expect(srv.log.at(-1)).toMatchObject({ path: "/apikey/api/v3/pet/1", credential: SECRETS.defaultKey });
    const abs = await call(s.client, "api_proxy", { account_id: "loc_petstore", method: "GET", url: `${srv.url}/apikey/api/v3/store/inventory` });
    expect(abs.structured).toMatchObject({ status: 200 });
    const before = srv.log.length;
    for (const url of [`${srv.url}/bearer/api/v3/pet/1`, "/../../bearer/api/v3/pet/1", "http://127.0.0.2:1/apikey/api/v3/pet/1", "https://example.com/pet/1", "//evil.example/x", "/pet/..%2f..%2fbearer"]) {
      const refused = await call(s.client, "api_proxy", { app: "petstore", method: "GET", url });
      expect(refused.isError, url).toBe(true);
      expect(refused.text, url).toMatch(/url refused/);
    }
    expect(srv.log.length).toBe(before);
  });

  it("bearer and basic", async () => {
    await setCredential("pets_bearer", { token: SECRETS.bearer });
    await setCredential("pets_basic", { username: "petuser", password: SECRETS.basicPassword });
    const bearer = await call(s.client, "run_action", { action: "pets_bearer-get-pet-by-id", configured_props: { petId: 1 } });
    expect(bearer.structured).toMatchObject({ outcome: "ok", result: { name: "Rex" } });
    expect(srv.log.at(-1)).toMatchObject({ path: "/bearer/api/v3/pet/1", credential: SECRETS.bearer });
    const basic = await call(s.client, "run_action", { action: "pets_basic-get-pet-by-id", configured_props: { petId: 2 } });
    expect(basic.structured).toMatchObject({ outcome: "ok", result: { name: "Tom" } });
    expect(srv.log.at(-1)).toMatchObject({ path: "/basic/api/v3/pet/2", credential: "petuser" });
  });

  it("declared resources: path params from input, the rest as query or JSON body", async () => {
    await setCredential("shelter", { token: SECRETS.bearer });
    const one = await call(s.client, "run_action", { action: "shelter-get-pet", configured_props: { petId: 2 } });
    expect(one.structured).toMatchObject({ outcome: "ok", result: { name: "Tom" } });
    const list = await call(s.client, "run_action", { action: "shelter-list-by-status", configured_props: { status: "available" } });
    expect(list.isError, list.text).toBe(false);
    expect(srv.log.at(-1)).toMatchObject({ path: "/bearer/api/v3/pet/findByStatus", query: { status: ["available"] } });
    const add = await call(s.client, "run_action", { action: "shelter-add-pet", configured_props: { name: "Kit", photoUrls: [] } });
    expect(add.structured!.result).toMatchObject({ name: "Kit" });
    expect(srv.log.at(-1)).toMatchObject({ method: "POST", body: { name: "Kit", photoUrls: [] } });
  });

  it("OAuth2 client credentials: one token, cached, refreshed exactly once on a 401", async () => {
    await setCredential("pets_cc", { client_id: "cc-client", client_secret: SECRETS.ccSecret });
    const grants = () => srv.tokenRequests.filter((t) => t.client === "cc-client").length;
    const first = await call(s.client, "run_action", { action: "pets_cc-get-pet-by-id", configured_props: { petId: 1 } });
    expect(first.structured, first.text).toMatchObject({ outcome: "ok", result: { name: "Rex" } });
    const second = await call(s.client, "run_action", { action: "pets_cc-find-pets-by-status", configured_props: { status: "available" } });
    expect(second.isError).toBe(false);
    expect(grants()).toBe(1);
    expect(srv.tokenRequests.at(-1)).toMatchObject({ grant: "client_credentials", client: "cc-client" });

    srv.expireTokens();
    const apiCallsBefore = srv.log.filter((r) => r.path.startsWith("/oauth/api")).length;
    const again = await call(s.client, "run_action", { action: "pets_cc-get-pet-by-id", configured_props: { petId: 2 } });
    expect(again.structured, again.text).toMatchObject({ outcome: "ok", result: { name: "Tom" } });
    expect(grants()).toBe(2);
    // The refused request and its one retry.
    expect(srv.log.filter((r) => r.path.startsWith("/oauth/api")).length - apiCallsBefore).toBe(2);
  });

  it("OAuth2 refresh token: refreshed with the rotated refresh token, once per 401", async () => {
    await setCredential("pets_rt", { client_id: "rt-client", client_secret: SECRETS.rtSecret, refresh_token: SECRETS.refreshToken });
    const rt = () => srv.tokenRequests.filter((t) => t.client === "rt-client");
    const first = await call(s.client, "run_action", { action: "pets_rt-get-pet-by-id", configured_props: { petId: 1 } });
    expect(first.structured, first.text).toMatchObject({ outcome: "ok", result: { name: "Rex" } });
    expect(rt()).toHaveLength(1);
    expect(rt()[0]).toMatchObject({ grant: "refresh_token", refreshToken: SECRETS.refreshToken });
    srv.expireTokens();
    const again = await call(s.client, "run_action", { action: "pets_rt-get-pet-by-id", configured_props: { petId: 2 } });
    expect(again.structured, again.text).toMatchObject({ outcome: "ok", result: { name: "Tom" } });
    expect(rt()).toHaveLength(2);
    // The spent refresh token was not used again: the rotated one was.
    expect(rt()[1]!.refreshToken).toMatch(/^rt-\d+-/);
  });

  it("mock mode: answers from the OpenAPI example and the declared mock, sends nothing, needs no credential", async () => {
    const before = srv.log.length;
    const pet = await call(s.client, "run_action", { action: "pets_mock-get-pet-by-id", configured_props: { petId: 1 } });
    expect(pet.isError, pet.text).toBe(false);
    expect(pet.structured).toMatchObject({ outcome: "ok", mock: true, result: { id: 10, name: "doggie", category: { name: "Dogs" } } });
    const proxy = await call(s.client, "api_proxy", { app: "pets_mock", method: "GET", url: "/store/order/3" });
    expect(proxy.structured).toMatchObject({ mock: true, status: 200, body: { id: 10, petId: 198772, status: "approved" } });
    expect(srv.log.length).toBe(before);
  });

  it("the database holds no credential in clear (file, WAL and shared memory)", async () => {
    const files = [db, `${db}-wal`, `${db}-shm`].filter((f) => existsSync(f));
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(bytes.length).toBeGreaterThan(0);
    // Every secret stored, and the OAuth access tokens the server issued (cached encrypted).
    const issued = srv.log.filter((r) => r.path.startsWith("/oauth/api")).map((r) => r.credential!).filter(Boolean);
    expect(issued.length).toBeGreaterThan(0);
    for (const secret of [...Object.values(SECRETS), ...issued]) {
      expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
      expect(bytes.includes(Buffer.from(secret, "utf16le")), secret).toBe(false);
    }
    // The rows are in the bytes searched (their field names are stored in clear), only their values are not.
    expect(bytes.includes(Buffer.from("client_id,client_secret,refresh_token"))).toBe(true);
    // The key file beside the database is the owner's alone.
    if (process.platform !== "win32") expect(statSync(`${db}.key`).mode & 0o777).toBe(0o600);
  });

  it("credentials list shows what is set, never the values; delete removes it", async () => {
    const list = await cli(["credentials", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/petstore\s+\(default\)\s+api_key/);
    expect(list.stdout).toMatch(/pets_rt\s+\(default\)\s+client_id,client_secret,refresh_token/);
    for (const secret of Object.values(SECRETS)) expect(list.stdout).not.toContain(secret);
    const bad = await cli(["credentials", "set", "petstore"], JSON.stringify({ token: "x" }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/needs "api_key"/);
    const unknown = await cli(["credentials", "set", "nope"], "{}");
    expect(unknown.stderr).toMatch(/no connector "nope".*petstore/);
    expect((await cli(["credentials", "delete", "pets_basic"])).code).toBe(0);
    const gone = await call(s.client, "run_action", { action: "pets_basic-get-pet-by-id", configured_props: { petId: 1 } });
    expect(gone.structured).toMatchObject({ outcome: "connect_required" });
    expect((await cli(["credentials", "delete", "pets_basic"])).code).toBe(1);
  });
});

describe("connect-mcp call from the shell", () => {
  it("accounts list and doctor see stored credentials as accounts, and what each connector imports", async () => {
    await setCredential("petstore", { api_key: SECRETS.defaultKey });
    const accounts = await cli(["accounts", "list"]);
    expect(accounts.stdout).toMatch(/local\s+loc_petstore\s+petstore/);
    const doctor = await cli(["doctor"]);
    expect(doctor.stdout).toMatch(/connector petstore: 18 action\(s\); not imported: uploadFile/);
    expect(doctor.stdout).toMatch(/end user "alice" has \d+ connected account/);
  });

  it("prints the result's JSON, exits 0; exits 1 on an error result", async () => {
    await setCredential("petstore", { api_key: SECRETS.defaultKey });
    const ok = await cli(["call", "run_action", JSON.stringify({ action: "petstore-get-pet-by-id", configured_props: { petId: 1 } }), "--user", "alice"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ outcome: "ok", result: { id: 1, name: "Rex" } });
    const field = await cli(["call", "list_accounts", "{}", "--field", "accounts.0.provider"]);
    expect(field.stdout.trim()).toBe("local");
    const failed = await cli(["call", "run_action", JSON.stringify({ action: "petstore-get-pet-by-id", configured_props: { petId: 404404 } })]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/HTTP 404/);
    const mocked = await cli(["call", "run_action", JSON.stringify({ action: "petstore-get-pet-by-id", configured_props: { petId: 1 } }), "--mock"]);
    expect(mocked.code, mocked.stderr).toBe(0);
    expect(JSON.parse(mocked.stdout)).toMatchObject({ mock: true, result: { name: "doggie" } });
    // tools-only mode, one shot.
    const oneShot = await cli(["call", "run_action", JSON.stringify({ action: "petstore-find-pets-by-status", configured_props: { status: "sold" } }), "--tool-mode", "tools-only"]);
    expect(oneShot.code, oneShot.stderr).toBe(0);
    expect(JSON.parse(oneShot.stdout).result).toEqual([expect.objectContaining({ name: "Tom" })]);
    // Governance applies as to any app: read-only refuses a write, a denied app is refused, both before anything is sent.
    const sentBefore = srv.log.length;
    const readOnly = await cli(["call", "run_action", JSON.stringify({ action: "petstore-add-pet", configured_props: { body: { name: "X", photoUrls: [] } } }), "--read-only"]);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toMatch(/read-only/i);
    const denied = await cli(["call", "api_proxy", JSON.stringify({ app: "petstore", method: "GET", url: "/pet/1" }), "--deny-apps", "petstore"]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/petstore/);
    expect(srv.log.length).toBe(sentBefore);
    const audit = await cli(["audit", "--json", "--limit", "5"]);
    const rows = JSON.parse(audit.stdout) as Array<{ tool: string; app?: string; outcome: string }>;
    expect(rows.some((r) => r.app === "petstore" && r.outcome === "refused")).toBe(true);
    // CONNECT_MCP_MOCK=1: a declared resource answers with its own mock, without its credential being needed.
    const before = srv.log.length;
    const declared = await cli(["call", "run_action", JSON.stringify({ action: "shelter-get-pet", configured_props: { petId: 1 } }), "--user", "nobody"], "", { CONNECT_MCP_MOCK: "1" });
    expect(declared.code, declared.stderr).toBe(0);
    expect(JSON.parse(declared.stdout)).toMatchObject({ mock: true, result: { id: 7, name: "Mocky" } });
    expect(srv.log.length).toBe(before);
  }, 120_000);
});

describe("per-user credentials over HTTP", () => {
  const keys = { alice: apiKey("alice-key", "alice"), bob: apiKey("bob-key", "bob"), carol: apiKey("carol-key", "carol") };
  let server: Awaited<ReturnType<typeof startHttp>>;
  let cfg: string;
  beforeAll(async () => {
    cfg = join(dir, "multi.json");
    const only = connectors(srv.url).filter((c) => c.slug === "petstore");
    writeFileSync(cfg, JSON.stringify({ connectors: [{ ...only[0], slug: "pets_users" }], apiKeys: Object.values(keys).map((k) => k.entry) }));
    const multi = { CONNECT_MCP_CONFIG: cfg, CONNECT_MCP_DB: join(dir, "multi.db"), CONNECT_MCP_SECRET_KEY: Buffer.alloc(32, 7).toString("base64") };
    for (const [user, key] of [["alice", SECRETS.aliceKey], ["bob", SECRETS.bobKey]] as const) {
      const res = await cli(["credentials", "set", "pets_users", "--user", user], JSON.stringify({ api_key: key }), multi);
      expect(res.code, res.stderr).toBe(0);
    }
    server = await startHttp({ ...multi, CONNECT_MCP_LOG_LEVEL: "info", CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "0", CONNECT_MCP_RATE_LIMIT_PROJECT_PER_MINUTE: "0" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("each user's calls carry their own credential; a user without one gets connect_required", async () => {
    for (const [user, secret] of [["alice", SECRETS.aliceKey], ["bob", SECRETS.bobKey]] as const) {
      const client = await connectHttp(server.url, "modern", keys[user].header);
      const accounts = await call(client, "list_accounts", {});
      expect(accounts.structured!.accounts).toEqual([expect.objectContaining({ id: "loc_pets_users", provider: "local" })]);
      const run = await call(client, "run_action", { action: "pets_users-get-pet-by-id", configured_props: { petId: 1 } });
      expect(run.structured, run.text).toMatchObject({ outcome: "ok", result: { name: "Rex" } });
      expect(srv.log.at(-1)!.credential).toBe(secret);
      const proxy = await call(client, "api_proxy", { app: "pets_users", method: "GET", url: "/store/inventory" });
      expect(proxy.structured).toMatchObject({ status: 200 });
      expect(srv.log.at(-1)!.credential).toBe(secret);
      await client.close();
    }
    const carol = await connectHttp(server.url, "modern", keys.carol.header);
    const before = srv.log.length;
    expect((await call(carol, "list_accounts", {})).structured!.accounts).toEqual([]);
    const run = await call(carol, "run_action", { action: "pets_users-get-pet-by-id", configured_props: { petId: 1 } });
    expect(run.structured).toMatchObject({ outcome: "connect_required", connect: { command: "connect-mcp credentials set pets_users --user carol" } });
    const proxy = await call(carol, "api_proxy", { account_id: "loc_pets_users", method: "GET", url: "/pet/1" });
    expect(proxy.isError).toBe(true);
    expect(srv.log.length).toBe(before);
    await carol.close();
  });
});

describe("next to Pipedream Connect (the emulator)", () => {
  it("both providers serve the tools; a connector whose slug is a hosted app's owns that slug", async () => {
    await setCredential("petstore", { api_key: SECRETS.defaultKey });
    const emu = await emulator();
    const cfg = join(dir, "with-pipedream.json");
    const petstore = connectors(srv.url).find((c) => c.slug === "petstore")!;
    // "github" is a hosted app at the emulator too: the connector wins it.
    const github = { slug: "github", name: "Our GitHub gateway", base_url: `${srv.url}/open/api/v3`, auth: { type: "none" }, resources: [{ slug: "inventory", description: "Store inventory.", method: "GET", path: "/store/inventory" }] };
    writeFileSync(cfg, JSON.stringify({ connectors: [petstore, github] }));
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_CONFIG: cfg, CONNECT_MCP_DB: db }));
    try {
      const accounts = (await call(s.client, "list_accounts", {})).structured!.accounts as Array<{ id: string; provider: string; app: string }>;
      expect(accounts.filter((a) => a.provider === "local").map((a) => a.id).sort()).toEqual(["loc_github", "loc_petstore"]);
      expect(accounts.some((a) => a.provider === "pipedream" && a.app === "slack")).toBe(true);
      // The emulator's GitHub accounts are not offered for the slug the connector owns.
      expect(accounts.filter((a) => a.app === "github").map((a) => a.provider)).toEqual(["local"]);
      expect((await call(s.client, "list_accounts", { app: "github" })).structured!.accounts).toEqual([expect.objectContaining({ id: "loc_github" })]);
      // Nor are they reachable by id.
      const byId = await call(s.client, "api_proxy", { account_id: "apn_github_work", method: "GET", url: "https://api.github.com/user" });
      expect(byId.isError).toBe(true);
      expect(byId.text).toMatch(/not one of this user's connected/);
      const gh = await call(s.client, "list_actions", { app: "github" });
      expect((gh.structured!.actions as Array<{ key: string }>).map((a) => a.key)).toEqual(["github-inventory"]);
      const hosted = await call(s.client, "describe_action", { action: "github-create-issue" });
      expect(hosted.isError).toBe(true);
      expect(hosted.text).toMatch(/no action "github-create-issue"|Unknown action/);

      const local = await call(s.client, "run_action", { action: "github-inventory", configured_props: {} });
      expect(local.structured, local.text).toMatchObject({ outcome: "ok", result: expect.objectContaining({ available: expect.any(Number) }) });
      const pet = await call(s.client, "run_action", { action: "petstore-get-pet-by-id", configured_props: { petId: 1 } });
      expect(pet.structured, pet.text).toMatchObject({ outcome: "ok", result: { name: "Rex" } });
      const slack = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "hi from both" } });
      expect(slack.structured, slack.text).toMatchObject({ outcome: "ok" });
      const search = await call(s.client, "list_actions", { query: "pet by id" });
      expect((search.structured!.actions as Array<{ key: string }>).map((a) => a.key)).toContain("petstore-get-pet-by-id");
    } finally {
      await s.close();
      await emu.close();
    }
  });
});
