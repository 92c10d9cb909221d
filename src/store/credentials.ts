/**
 * Local connectors' credentials and OAuth2 tokens, encrypted at rest (AES-256-GCM, node:crypto).
 * Each row is one secret JSON object: a connector's default credential (`external_user_id` = '')
 * or one end user's, and the OAuth2 token cached for either. Only field *names* are stored in
 * clear (for `credentials list`); values exist in clear only in this process's memory.
 *
 * The ciphertext is bound to its row (connector, user, kind) as additional authenticated data: a
 * row copied onto another user's does not decrypt. The key is CONNECT_MCP_SECRET_KEY (base64, 32
 * bytes) or a key file beside the database (`<db>.key`, created mode 0600 when the first
 * credential is stored); an in-memory database gets a random key that lives as long as it does.
 *
 * Written over the store's Db seam, so it sits on SQLite or PostgreSQL alike (migration 7 in both).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Db } from "./db.js";

export type SecretKind = "credential" | "oauth_token";

/** The stored user id of a connector's default credential (used when an end user has none of their own). */
const DEFAULT_OWNER = "";

export interface CredentialListing {
  connector: string;
  /** Undefined: the connector's default, for every end user without their own. */
  user?: string;
  fields: string[];
  updatedAt: number;
}

export class CredentialKeyError extends Error {
  override name = "CredentialKeyError";
}

/** AES-256-GCM with a 96-bit random IV per value: `v1:` + base64(iv | tag | ciphertext). */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new CredentialKeyError("the credential key must be 32 bytes");
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(aad, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
  }

  /** The plaintext, or undefined when the value was not sealed with this key for this `aad`. */
  open(sealed: string, aad: string): string | undefined {
    if (!sealed.startsWith("v1:")) return undefined;
    const raw = Buffer.from(sealed.slice(3), "base64");
    if (raw.length < 28) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(aad, "utf8"));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    } catch {
      return undefined;
    }
  }
}

/** Where the key comes from; `key(create)` makes the key file only when asked (storing a credential). */
export interface KeySource {
  key(create: boolean): Buffer;
  /** For messages: "CONNECT_MCP_SECRET_KEY", "the key file /x/y.key" or "a key kept in memory". */
  describe: string;
}

export function keySource(options: { secretKey?: string; db: string; databaseUrl?: string }): KeySource {
  if (options.secretKey) {
    const key = Buffer.from(options.secretKey, "base64");
    return { key: () => key, describe: "CONNECT_MCP_SECRET_KEY" };
  }
  if (options.databaseUrl) {
    // Replicas share the database, so they must share the key; a key file per machine would not be.
    return {
      describe: "no key (CONNECT_MCP_SECRET_KEY is not set)",
      key() {
        throw new CredentialKeyError("credentials in a shared PostgreSQL database need CONNECT_MCP_SECRET_KEY (base64, 32 bytes), the same on every replica");
      },
    };
  }
  if (options.db === ":memory:") {
    // Credentials in an in-memory database die with the process, and so does this key.
    const key = randomBytes(32);
    return { key: () => key, describe: "a random key kept in memory (the database is :memory:)" };
  }
  const path = `${options.db}.key`;
  let cached: Buffer | undefined;
  return {
    describe: `the key file ${path}`,
    key(create) {
      if (cached) return cached;
      if (!existsSync(path)) {
        if (!create) throw new CredentialKeyError(`the credential key file ${path} does not exist (stored credentials cannot be read without it); set CONNECT_MCP_SECRET_KEY or restore the file`);
        mkdirSync(dirname(path), { recursive: true });
        try {
          // "wx": two processes storing their first credential at once keep one key, not two.
          writeFileSync(path, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        }
      }
      if (process.platform !== "win32" && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
      const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
      if (key.length !== 32) throw new CredentialKeyError(`the credential key file ${path} does not hold a base64 32-byte key`);
      cached = key;
      return key;
    },
  };
}

/** The credential store over `db`, with the key the configuration names. */
export function credentialStore(db: Db, options: { secretKey?: string | undefined; db: string; databaseUrl?: string | undefined }): CredentialStore {
  return new CredentialStore(db, keySource({ db: options.db, ...(options.secretKey ? { secretKey: options.secretKey } : {}), ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}) }));
}

const UPSERT =
  "INSERT INTO connector_credentials (connector, external_user_id, kind, fields, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) " +
  "ON CONFLICT (connector, external_user_id, kind) DO UPDATE SET fields = excluded.fields, secret = excluded.secret, updated_at = excluded.updated_at";
const DELETE_TOKEN = "DELETE FROM connector_credentials WHERE connector = ? AND external_user_id = ? AND kind = 'oauth_token'";

interface Row {
  connector: string;
  external_user_id: string;
  fields: string;
  secret: string;
  updated_at: number;
}

export class CredentialStore {
  constructor(
    private readonly db: Db,
    private readonly keys: KeySource,
    private readonly now: () => number = Date.now,
  ) {}

  private box(create: boolean): SecretBox {
    return new SecretBox(this.keys.key(create));
  }

  private static aad(kind: SecretKind, connector: string, owner: string): string {
    return `connect-mcp/${kind}/${connector}/${owner}`;
  }

  private async put(kind: SecretKind, connector: string, owner: string, value: Record<string, unknown>): Promise<void> {
    const secret = this.box(true).seal(JSON.stringify(value), CredentialStore.aad(kind, connector, owner));
    const now = this.now();
    // A rotated refresh token cannot be had again: on disk before it is used.
    await this.db.run(UPSERT, [connector, owner, kind, Object.keys(value).sort().join(","), secret, now, now], { durable: true });
  }

  private async read(kind: SecretKind, connector: string, owner: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.db.get<Pick<Row, "secret">>("SELECT secret FROM connector_credentials WHERE connector = ? AND external_user_id = ? AND kind = ?", [connector, owner, kind]);
    if (!row) return undefined;
    const plain = this.box(false).open(row.secret, CredentialStore.aad(kind, connector, owner));
    if (plain === undefined) {
      throw new CredentialKeyError(
        `a stored ${kind === "credential" ? "credential" : "token"} of connector "${connector}" cannot be decrypted with ${this.keys.describe} (was the key changed since it was stored?); store it again with connect-mcp credentials set ${connector}${owner ? " --user <user>" : ""}`,
      );
    }
    return JSON.parse(plain) as Record<string, unknown>;
  }

  /** Store `value` as `user`'s credential for `connector` (no user: the connector's default). A cached token of that owner is dropped. */
  async set(connector: string, user: string | undefined, value: Record<string, unknown>): Promise<void> {
    const owner = user ?? DEFAULT_OWNER;
    const secret = this.box(true).seal(JSON.stringify(value), CredentialStore.aad("credential", connector, owner));
    const now = this.now();
    // One transaction: a token fetched with the old credential never outlives it.
    await this.db.batch([
      [UPSERT, [connector, owner, "credential", Object.keys(value).sort().join(","), secret, now, now]],
      [DELETE_TOKEN, [connector, owner]],
    ], { durable: true });
  }

  /**
   * The credential a call for `user` uses: their own, else the connector's default. `owner` says
   * whose it is (undefined: the default), e.g. to cache an OAuth2 token next to it.
   */
  async resolve(connector: string, user: string): Promise<{ value: Record<string, unknown>; owner?: string } | undefined> {
    if (user !== DEFAULT_OWNER) {
      const own = await this.read("credential", connector, user);
      if (own) return { value: own, owner: user };
    }
    const fallback = await this.read("credential", connector, DEFAULT_OWNER);
    return fallback ? { value: fallback } : undefined;
  }

  /** Which of `connectors` have a credential `user` would use (their own or the default); no decryption. */
  async available(connectors: string[], user: string): Promise<Set<string>> {
    if (connectors.length === 0) return new Set();
    const rows = await this.db.all<{ connector: string }>(
      `SELECT DISTINCT connector FROM connector_credentials WHERE kind = 'credential' AND external_user_id IN (?, ?) AND connector IN (${connectors.map(() => "?").join(", ")})`,
      [user, DEFAULT_OWNER, ...connectors],
    );
    return new Set(rows.map((r) => r.connector));
  }

  /** What is stored (never the values), optionally for one connector and/or one user. */
  async list(filter: { connector?: string; user?: string } = {}): Promise<CredentialListing[]> {
    const where = ["kind = 'credential'"];
    const args: string[] = [];
    if (filter.connector !== undefined) {
      where.push("connector = ?");
      args.push(filter.connector);
    }
    if (filter.user !== undefined) {
      where.push("external_user_id = ?");
      args.push(filter.user);
    }
    const rows = await this.db.all<Row>(`SELECT connector, external_user_id, fields, updated_at FROM connector_credentials WHERE ${where.join(" AND ")} ORDER BY connector, external_user_id`, args);
    return rows.map((r) => ({
      connector: r.connector,
      ...(r.external_user_id === DEFAULT_OWNER ? {} : { user: r.external_user_id }),
      fields: r.fields ? r.fields.split(",") : [],
      updatedAt: r.updated_at,
    }));
  }

  /** Forget a credential and its cached token; false when there was none. */
  async delete(connector: string, user: string | undefined): Promise<boolean> {
    const owner = user ?? DEFAULT_OWNER;
    return (await this.db.run("DELETE FROM connector_credentials WHERE connector = ? AND external_user_id = ?", [connector, owner])) > 0;
  }

  /** The OAuth2 token cached for a credential's owner (undefined owner: the default credential). */
  async getToken(connector: string, owner: string | undefined): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.read("oauth_token", connector, owner ?? DEFAULT_OWNER);
    } catch (err) {
      // A token that cannot be read is fetched again, not an error.
      if (err instanceof CredentialKeyError) return undefined;
      throw err;
    }
  }

  async putToken(connector: string, owner: string | undefined, token: Record<string, unknown>): Promise<void> {
    await this.put("oauth_token", connector, owner ?? DEFAULT_OWNER, token);
  }

  async deleteToken(connector: string, owner: string | undefined): Promise<void> {
    await this.db.run(DELETE_TOKEN, [connector, owner ?? DEFAULT_OWNER]);
  }
}
