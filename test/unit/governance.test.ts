/** Units behind multi-user serving: config, credentials → identity, policy, rate limits, confirmations, audit. */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OAuthError } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { parseTime } from "../../src/audit-cli.js";
import { ConfigError, httpAuthConfigured, redactedConfig, resolveConfig } from "../../src/config.js";
import { createTokenVerifier, identityFromAuth } from "../../src/core/identity.js";
import { appsNamedIn, CallPolicy, effectivePolicy, filterListedApps, PolicyError, refuseAppPropValues } from "../../src/core/policy.js";
import { projectBucket, RateLimiter } from "../../src/core/rate-limit.js";
import type { ActionDefinition } from "../../src/providers/provider.js";
import { AuditLog, userHasher } from "../../src/store/audit.js";
import { callHash, ConfirmationStore } from "../../src/store/confirmations.js";
import { BACKENDS } from "../support/backends.js";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const KEY = "cmk_unit-test-key-0000000000000000000000000";
const entry = { id: "k1", sha256: sha(KEY), user: "alice", policy: { readOnly: true } };

describe("config for multi-user serving", () => {
  it("reads API keys from the config file or as JSON from the env, hidden when printed", () => {
    const dir = mkdtempSync(join(tmpdir(), "connect-mcp-gov-"));
    try {
      const path = join(dir, "c.json");
      writeFileSync(path, JSON.stringify({ apiKeys: [entry], allowApps: ["slack"] }));
      const fromFile = resolveConfig({ configFile: path, env: {} });
      expect(fromFile.apiKeys).toEqual([entry]);
      expect(fromFile.allowApps).toEqual(["slack"]);
      expect(resolveConfig({ env: { CONNECT_MCP_API_KEYS: JSON.stringify([entry]) } }).apiKeys).toEqual([entry]);
      expect(JSON.stringify(redactedConfig(fromFile))).not.toContain(entry.sha256);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the bad field of an API key entry and refuses duplicates", () => {
    expect(() => resolveConfig({ env: { CONNECT_MCP_API_KEYS: JSON.stringify([{ ...entry, sha256: "abc" }]) } })).toThrow(/env CONNECT_MCP_API_KEYS = \(hidden\): 0\.sha256: sha256: 64 lowercase hex/);
    expect(() => resolveConfig({ env: { CONNECT_MCP_API_KEYS: JSON.stringify([entry, { ...entry, sha256: sha("other") }]) } })).toThrow(/two API keys share an id/);
    expect(() => resolveConfig({ env: { CONNECT_MCP_API_KEYS: JSON.stringify([{ ...entry, policy: { readOnly: true, typo: 1 } }]) } })).toThrow(/policy/);
  });

  it("parses switches from env text, and checks JWT settings together", () => {
    expect(resolveConfig({ env: { CONNECT_MCP_READ_ONLY: "false", CONNECT_MCP_CONFIRM_WRITES: "1" } })).toMatchObject({ readOnly: false, confirmWrites: true });
    expect(() => resolveConfig({ env: { CONNECT_MCP_READ_ONLY: "maybe" } })).toThrow(/CONNECT_MCP_READ_ONLY/);
    expect(() => resolveConfig({ env: { CONNECT_MCP_JWT_SECRET: "s".repeat(32), CONNECT_MCP_JWT_JWKS_URL: "https://x.example/jwks" } })).toThrow(/not both/);
    expect(() => resolveConfig({ env: { CONNECT_MCP_JWT_SECRET: "s".repeat(32), CONNECT_MCP_JWT_ISSUER: "i" } })).toThrow(/needs CONNECT_MCP_JWT_AUDIENCE/);
    expect(() => resolveConfig({ env: { CONNECT_MCP_JWT_SECRET: "short" } })).toThrow(/at least 32/);
    expect(() => resolveConfig({ env: { CONNECT_MCP_JWT_JWKS_URL: "http://idp.example/jwks", CONNECT_MCP_JWT_ISSUER: "i", CONNECT_MCP_JWT_AUDIENCE: "a" } })).toThrow(/must be https/);
    expect(() => resolveConfig({ env: { CONNECT_MCP_JWT_ISSUER: "i" } })).toThrow(ConfigError);
  });

  it("knows when HTTP authentication is configured", () => {
    expect(httpAuthConfigured(resolveConfig({ env: {} }))).toBe(false);
    expect(httpAuthConfigured(resolveConfig({ env: { CONNECT_MCP_API_KEYS: JSON.stringify([entry]) } }))).toBe(true);
    expect(httpAuthConfigured(resolveConfig({ env: { CONNECT_MCP_JWT_SECRET: "s".repeat(32), CONNECT_MCP_JWT_ISSUER: "i", CONNECT_MCP_JWT_AUDIENCE: "a" } }))).toBe(true);
  });
});

describe("credentials → identity", () => {
  const config = resolveConfig({ env: { CONNECT_MCP_API_KEYS: JSON.stringify([entry]), CONNECT_MCP_HTTP_TOKEN: "static-token-0123456789", PIPEDREAM_EXTERNAL_USER_ID: "single" } });
  const verifier = createTokenVerifier(config);

  it("an API key is its configured user and policy; the key is not carried on", async () => {
    const info = await verifier.verifyAccessToken(KEY);
    expect(info.token).toBe("");
    expect(identityFromAuth(config, info)).toEqual({ externalUserId: "alice", via: "api-key", keyId: "k1", policy: { readOnly: true } });
  });

  it("the static token is the configured single user; anything else is invalid_token", async () => {
    expect(identityFromAuth(config, await verifier.verifyAccessToken("static-token-0123456789"))).toEqual({ externalUserId: "single", via: "http-token" });
    await expect(verifier.verifyAccessToken("nope")).rejects.toBeInstanceOf(OAuthError);
    await expect(verifier.verifyAccessToken(KEY.slice(0, -1))).rejects.toThrow(/Unknown API key or token/);
  });

  it("fails closed: no user without a verified credential when authentication is configured", () => {
    expect(identityFromAuth(config, verifier.anonymous()).externalUserId).toBeUndefined();
    expect(identityFromAuth(config, undefined).externalUserId).toBeUndefined();
    const open = resolveConfig({ env: { PIPEDREAM_EXTERNAL_USER_ID: "single" } });
    expect(identityFromAuth(open, createTokenVerifier(open).anonymous()).externalUserId).toBe("single");
  });
});

const action = (key: string, readOnly: boolean): ActionDefinition => ({
  key,
  name: key,
  version: "1",
  annotations: { readOnlyHint: readOnly },
  props: [{ name: "slack", type: "app", app: "slack" }],
});

describe("policy", () => {
  const config = resolveConfig({ env: { CONNECT_MCP_DENY_APPS: "gmail" } });

  it("a key's policy replaces the deployment's field by field", () => {
    const p = effectivePolicy(config, { via: "api-key", keyId: "k", externalUserId: "u", policy: { readOnly: true, rateLimitBurst: 2 } });
    expect(p).toMatchObject({ readOnly: true, denyApps: ["gmail"], rateLimit: { perMinute: 0, burst: 2 }, source: 'API key "k"' });
    expect(effectivePolicy(config, { via: "jwt", externalUserId: "u" }).source).toBe("deployment");
  });

  it("a burst never exceeds the rate it goes with unless it was set", () => {
    const http = resolveConfig({ env: {}, flags: { transport: "http" } });
    const key = (policy: Record<string, number>) => effectivePolicy(http, { via: "api-key", keyId: "k", externalUserId: "u", policy });
    // The issue's case: a key limited to 30 a minute said "bursts of 60"; it now gets 30 at most.
    expect(key({ rateLimitPerMinute: 30 }).rateLimit).toEqual({ perMinute: 30, burst: 30 });
    expect(key({ rateLimitPerMinute: 10 }).rateLimit).toEqual({ perMinute: 10, burst: 10 });
    expect(key({ rateLimitPerMinute: 10, rateLimitBurst: 25 }).rateLimit).toEqual({ perMinute: 10, burst: 25 });
    expect(effectivePolicy(http, { via: "jwt", externalUserId: "u" }).rateLimit).toEqual({ perMinute: 60, burst: 30 });
    const low = resolveConfig({ env: { CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "6" } });
    expect(effectivePolicy(low, { via: "jwt", externalUserId: "u" }).rateLimit).toEqual({ perMinute: 6, burst: 6 });
    // A deployment burst set on purpose stands for the deployment's rate, but a key's own rate caps it.
    const set = resolveConfig({ env: { CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "6", CONNECT_MCP_RATE_LIMIT_BURST: "12" } });
    expect(effectivePolicy(set, { via: "jwt", externalUserId: "u" }).rateLimit).toEqual({ perMinute: 6, burst: 12 });
    expect(effectivePolicy(set, { via: "api-key", keyId: "k", externalUserId: "u", policy: { rateLimitPerMinute: 4 } }).rateLimit).toEqual({ perMinute: 4, burst: 4 });
  });

  it("names the rule that refused", async () => {
    const p = new CallPolicy({ ...effectivePolicy(config, { via: "jwt" }), readOnly: true, allowApps: ["slack", "gmail"] }, "u", "run_action", undefined, undefined, 300);
    expect(() => p.checkApp("github")).toThrow(/policy "allow-apps"/);
    expect(() => p.checkApp("gmail")).toThrow(/policy "deny-apps"/);
    expect(() => p.checkAction(action("slack-send", false))).toThrow(PolicyError);
    expect(() => p.checkAction(action("slack-list", true))).not.toThrow();
    await expect(p.proxy({ app: "slack", accountId: "a", method: "DELETE", url: "https://x", host: "x", headers: {} })).rejects.toThrow(/policy "read-only"/);
    expect(await p.proxy({ app: "slack", accountId: "a", method: "GET", url: "https://x", host: "x", headers: {} })).toBeUndefined();
  });

  it("finds apps named in arguments and refuses caller-supplied app accounts at any depth", () => {
    // Action keys are not guessed from: the governed catalog checks each definition by its app props.
    expect(appsNamedIn({ app: "slack", action: "github-create-issue" })).toEqual(["slack"]);
    expect(() => refuseAppPropValues({ configured_props: { a: [{ b: { authProvisionId: "apn_x" } }] } })).toThrow(/policy|app account/);
    expect(() => refuseAppPropValues({ configured_props: { a: "authProvisionId" } })).not.toThrow();
  });

  it("trims list results to allowed apps", () => {
    const policy = { ...effectivePolicy(config, { via: "jwt" }), allowApps: ["slack"] };
    expect(filterListedApps({ accounts: [{ app: "slack" }, { app: "github" }], apps: [{ slug: "gmail" }] }, policy)).toEqual({ accounts: [{ app: "slack" }], apps: [] });
    expect(filterListedApps({ accounts: [{ app: "slack" }] }, policy)).toBeUndefined();
  });
});

describe("rate limiter", () => {
  it("is a token bucket: burst, then one call per refill interval, with retry-after", () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const spec = { perMinute: 6, burst: 3 };
    expect([1, 2, 3].map(() => limiter.take("u", spec).ok)).toEqual([true, true, true]);
    expect(limiter.take("u", spec)).toEqual({ ok: false, retryAfterSeconds: 10 });
    expect(limiter.take("v", spec).ok).toBe(true); // per user
    now += 4_000;
    expect(limiter.take("u", spec)).toEqual({ ok: false, retryAfterSeconds: 6 });
    now += 6_000;
    expect(limiter.take("u", spec).ok).toBe(true);
    expect(limiter.take("u", { perMinute: 0, burst: 1 }).ok).toBe(true);
  });

  it("takes from several buckets all or nothing, and says which one refused", () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const project = projectBucket(4); // bursts of 2
    expect(project).toEqual({ perMinute: 4, burst: 2 });
    const take = (user: string) => limiter.takeAll([{ key: user, spec: { perMinute: 60, burst: 1 } }, { key: "project", spec: project }]);
    expect(take("a")).toEqual({ ok: true });
    expect(take("a")).toEqual({ ok: false, retryAfterSeconds: 1, refusedBy: 0 }); // a's own bucket
    expect(take("b")).toEqual({ ok: true });
    expect(take("c")).toEqual({ ok: false, retryAfterSeconds: 15, refusedBy: 1 }); // the shared bucket
    now += 1_000;
    expect(take("a")).toEqual({ ok: false, retryAfterSeconds: 14, refusedBy: 1 }); // refused: a's refilled token is not spent
    now += 14_000;
    expect(take("a")).toEqual({ ok: true });
    expect(limiter.takeAll([{ key: "a", spec: { perMinute: 0, burst: 1 } }, { key: "p", spec: projectBucket(0) }])).toEqual({ ok: true });
  });

  it("a server-wide bucket of 180 / min lets at most 990 calls through in any 5 minutes", () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    let passed = 0;
    for (let ms = 0; ms < 5 * 60_000; ms += 50) {
      now = ms;
      while (limiter.take("project", projectBucket(180)).ok) passed++;
    }
    expect(passed).toBeLessThanOrEqual(990);
    expect(passed).toBeGreaterThan(980);
  });
});

describe.each(BACKENDS)("confirmation tokens on $name", (backend) => {
  it("are single-use, bound to the user and the exact call, and expire", async () => {
    let now = 1_000_000;
    const db = await backend.fresh();
    const store = new ConfirmationStore(db, 60_000, () => now);
    const call = callHash({ tool: "run_action", props: { a: 1, b: [1, { c: 2 }] } });
    expect(callHash({ props: { b: [1, { c: 2 }], a: 1 }, tool: "run_action" })).toBe(call); // key order does not matter
    expect(callHash({ tool: "run_action", props: { a: 2, b: [1, { c: 2 }] } })).not.toBe(call);
    const { token } = await store.issue("alice", call);
    expect(await db.get("SELECT count(*) AS n FROM confirmations WHERE token_hash = ?", [token])).toEqual({ n: 0 }); // only the hash is stored
    expect(await store.consume("bob", token, call)).toEqual({ ok: false, reason: "unknown" });
    expect(await store.consume("alice", token, callHash("other"))).toEqual({ ok: false, reason: "different_call" });
    expect(await store.consume("alice", token, call)).toEqual({ ok: true });
    expect(await store.consume("alice", token, call)).toEqual({ ok: false, reason: "used" });
    const late = await store.issue("alice", call);
    now += 60_001;
    expect(await store.consume("alice", late.token, call)).toEqual({ ok: false, reason: "expired" });
    now += 86_400_000;
    expect(await store.prune()).toBe(2);
  });

  it("are spent once when two connections race for the same token", async () => {
    const shared = await backend.shared();
    const [a, b] = [new ConfirmationStore(await shared.open(), 60_000), new ConfirmationStore(await shared.open(), 60_000)];
    const call = callHash({ tool: "api_proxy" });
    const { token } = await a.issue("alice", call);
    const spent = await Promise.all([a.consume("alice", token, call), b.consume("alice", token, call), b.consume("alice", token, call)]);
    expect(spent.filter((r) => r.ok)).toHaveLength(1);
    expect(spent.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(["used", "used"]);
  });
});

describe.each(BACKENDS)("audit log on $name", (backend) => {
  it("records, filters, prunes by retention, and can be off", async () => {
    let now = Date.parse("2026-05-01T00:00:00Z");
    const db = await backend.fresh();
    const log = new AuditLog(db, 7, () => now);
    const row = { credential: "api-key:k", tool: "list_accounts", outcome: "ok" as const, durationMs: 3 };
    await log.record({ ...row, at: now - 8 * 86_400_000, user: "alice" });
    await log.record({ ...row, at: now - 3_600_000, user: "alice", upstreamStatus: 201, host: "api.github.com" });
    await log.record({ ...row, at: now, user: "bob" });
    const all = await log.query({ limit: 10 });
    expect(all.map((r) => r.user)).toEqual(["bob", "alice", "alice"]);
    expect(all[1]).toMatchObject({ at: "2026-04-30T23:00:00.000Z", upstream_status: 201, host: "api.github.com", duration_ms: 3, request_id: null });
    expect(await log.query({ user: "alice", since: now - 86_400_000, limit: 10 })).toHaveLength(1);
    expect(await log.query({ until: now, limit: 10 })).toHaveLength(2);
    expect(await log.prune()).toBe(1);
    const off = new AuditLog(db, 0);
    await off.record({ ...row, at: now, user: "carol" });
    expect(await log.query({ user: "carol", limit: 10 })).toEqual([]);
  });

  it("keeps a row whose caller-supplied fields carry a NUL character", async () => {
    const log = new AuditLog(await backend.fresh(), 7);
    await log.record({ credential: "jwt", tool: "run_action", outcome: "error", durationMs: 1, at: Date.now(), user: "dave", action: "slack-\u0000send" });
    const [r] = await log.query({ user: "dave", limit: 1 });
    expect(r!.action).toMatch(/^slack-.send$/);
  });

  it("labels users with a salted hash that is stable per database", async () => {
    const shared = await backend.shared();
    const a = await shared.open();
    const b = await backend.fresh();
    const ha = await userHasher(a);
    expect(ha("alice")).toMatch(/^u_[0-9a-f]{16}$/);
    expect((await userHasher(a))("alice")).toBe(ha("alice"));
    expect((await userHasher(await shared.open()))("alice")).toBe(ha("alice"));
    expect((await userHasher(b))("alice")).not.toBe(ha("alice"));
    expect(ha(undefined)).toBeUndefined();
  });
});

describe("audit times", () => {
  it("parses --since/--until as ISO times or durations back from now", () => {
    const now = Date.parse("2026-05-01T00:00:00Z");
    expect(parseTime("24h", "since", now)).toBe(now - 86_400_000);
    expect(parseTime("30m", "since", now)).toBe(now - 1_800_000);
    expect(parseTime("2026-04-30", "since", now)).toBe(Date.parse("2026-04-30"));
    expect(() => parseTime("soon", "until", now)).toThrow(/--until must be/);
  });
});
