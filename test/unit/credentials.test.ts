/**
 * The credential store: AES-256-GCM sealing bound to its row, the key file, per-user credentials
 * over the connector default, listing without values; and OAuth2 tokens fetched single-flight.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OAuthTokens } from "../../src/providers/local/auth.js";
import { CredentialKeyError, CredentialStore, keySource, SecretBox } from "../../src/store/credentials.js";
import { openDb } from "../../src/store/db.js";
import { BACKENDS } from "../support/backends.js";

describe("SecretBox", () => {
  it("round-trips, and refuses another key, another row's AAD or a changed byte", () => {
    const key = randomBytes(32);
    const box = new SecretBox(key);
    const sealed = box.seal('{"api_key":"s3cret"}', "row-a");
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain("s3cret");
    expect(box.open(sealed, "row-a")).toBe('{"api_key":"s3cret"}');
    expect(box.seal("same", "row-a")).not.toBe(box.seal("same", "row-a")); // a fresh IV each time
    expect(box.open(sealed, "row-b")).toBeUndefined();
    expect(new SecretBox(randomBytes(32)).open(sealed, "row-a")).toBeUndefined();
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1]! ^= 1;
    expect(box.open(`v1:${raw.toString("base64")}`, "row-a")).toBeUndefined();
    expect(() => new SecretBox(randomBytes(16))).toThrow(CredentialKeyError);
  });
});

describe.each(BACKENDS)("CredentialStore on $name", (backend) => {
  it("a user's own credential wins over the default; list shows field names only; delete", async () => {
    const db = await backend.fresh();
    const store = new CredentialStore(db, keySource({ db: ":memory:" }));
    await store.set("crm", undefined, { api_key: "default-key" });
    await store.set("crm", "alice", { api_key: "alice-key" });
    expect(await store.resolve("crm", "alice")).toEqual({ value: { api_key: "alice-key" }, owner: "alice" });
    expect(await store.resolve("crm", "bob")).toEqual({ value: { api_key: "default-key" } });
    expect(await store.resolve("other", "bob")).toBeUndefined();
    expect(await store.available(["crm", "other"], "bob")).toEqual(new Set(["crm"]));
    const listed = await store.list();
    expect(listed.map((r) => [r.connector, r.user, r.fields])).toEqual([
      ["crm", undefined, ["api_key"]],
      ["crm", "alice", ["api_key"]],
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/default-key|alice-key/);
    const rows = await db.all<{ secret: string }>("SELECT secret FROM connector_credentials");
    expect(JSON.stringify(rows)).not.toMatch(/default-key|alice-key/);
    // A row copied onto another user does not decrypt as theirs.
    await db.run("UPDATE connector_credentials SET secret = (SELECT secret FROM connector_credentials WHERE external_user_id = 'alice') WHERE external_user_id = ''");
    await expect(store.resolve("crm", "bob")).rejects.toThrow(/cannot be decrypted/);
    expect(await store.delete("crm", "alice")).toBe(true);
    expect(await store.delete("crm", "alice")).toBe(false);
  });

  it("a shared PostgreSQL database needs CONNECT_MCP_SECRET_KEY (a key file per replica would not decrypt elsewhere)", async () => {
    const db = await backend.fresh();
    const store = new CredentialStore(db, keySource({ db: "/nonexistent/state.db", databaseUrl: "postgres://x@127.0.0.1/db" }));
    await expect(store.set("crm", "u", { token: "t" })).rejects.toThrow(/CONNECT_MCP_SECRET_KEY.*every replica/);
    const keyed = new CredentialStore(db, keySource({ db: "/nonexistent/state.db", databaseUrl: "postgres://x@127.0.0.1/db", secretKey: randomBytes(32).toString("base64") }));
    await keyed.set("crm", "u", { token: "t" });
    expect(await keyed.resolve("crm", "u")).toMatchObject({ value: { token: "t" } });
  });

  it("creates the key file (mode 0600) on the first credential, reuses it, and says when it is missing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "connect-mcp-keys-"));
    try {
      const path = join(dir, "state.db");
      const db = await openDb(path);
      const store = new CredentialStore(db, keySource({ db: path }));
      expect(await store.resolve("crm", "u")).toBeUndefined();
      expect(existsSync(`${path}.key`)).toBe(false); // reading nothing creates nothing
      await store.set("crm", "u", { token: "t-1" });
      expect(existsSync(`${path}.key`)).toBe(true);
      if (process.platform !== "win32") expect(statSync(`${path}.key`).mode & 0o777).toBe(0o600);
      expect(Buffer.from(readFileSync(`${path}.key`, "utf8").trim(), "base64")).toHaveLength(32);
      const again = new CredentialStore(db, keySource({ db: path }));
      expect(await again.resolve("crm", "u")).toMatchObject({ value: { token: "t-1" } });
      const wrong = new CredentialStore(db, keySource({ db: path, secretKey: randomBytes(32).toString("base64") }));
      await expect(wrong.resolve("crm", "u")).rejects.toThrow(/CONNECT_MCP_SECRET_KEY.*credentials set crm --user/);
      rmSync(`${path}.key`);
      await expect(new CredentialStore(db, keySource({ db: path })).resolve("crm", "u")).rejects.toThrow(/key file .* does not exist/);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("OAuthTokens", () => {
  it("fetches one token for concurrent callers, caches it, and refreshes once for a rejected one", async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      // Slow enough that all concurrent callers arrive while the first request is in flight.
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ access_token: `tok-${requests}`, expires_in: 3600 }));
      }, 50);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const db = await openDb(":memory:");
      const tokens = new OAuthTokens(new CredentialStore(db, keySource({ db: ":memory:" })));
      const ctx = {
        connector: "crm",
        connectorName: "CRM",
        auth: { type: "oauth2" as const, token_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, grant: "client_credentials" as const },
        credential: { client_id: "c", client_secret: "s" },
        timeoutMs: 5000,
      };
      const got = await Promise.all(Array.from({ length: 8 }, () => tokens.token(ctx)));
      expect(new Set(got)).toEqual(new Set(["tok-1"]));
      expect(requests).toBe(1);
      expect(await tokens.token(ctx)).toBe("tok-1");
      expect(requests).toBe(1);
      // Several requests rejected the same token at once: one refresh between them.
      const refreshed = await Promise.all(Array.from({ length: 5 }, () => tokens.refresh(ctx, "tok-1")));
      expect(new Set(refreshed)).toEqual(new Set(["tok-2"]));
      expect(requests).toBe(2);
      // A late caller reporting the old token gets the new one without another request.
      expect(await tokens.refresh(ctx, "tok-1")).toBe("tok-2");
      expect(requests).toBe(2);
      await db.close();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
