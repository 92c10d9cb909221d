/**
 * Connect Links already handed out, per end user and app, so repeated "not connected" answers
 * reuse one Connect token instead of minting a new one each time (Connect allows 100 token
 * creations per minute per user, and each token is single-use). Rows are only read back while
 * they are comfortably before expiry; expired rows are swept on write.
 */
import type { Db } from "./db.js";

export interface StoredConnectLink {
  url: string;
  expiresAt: number;
  createdAt: number;
  /** The redirect/webhook settings the token was created with. */
  options: string;
  /** Ids of the app's accounts (any health) that existed when the link was made. */
  knownAccounts: string[];
}

/** PostgreSQL's TEXT holds no NUL (core separates parts of `options` with one): escape it, alike on both stores. */
function encodeOptions(options: string): string {
  return options.replace(/\\/g, "\\\\").replace(/\u0000/g, "\\0");
}

function decodeOptions(stored: string): string {
  return stored.replace(/\\(\\|0)/g, (_, c: string) => (c === "0" ? "\u0000" : "\\"));
}

export class ConnectLinkStore {
  constructor(
    private readonly db: Db,
    private readonly scope: string,
  ) {}

  async get(user: string, app: string): Promise<StoredConnectLink | undefined> {
    const row = await this.db.get<{ url: string; expires_at: number; created_at: number; options: string; known_accounts: string }>(
      "SELECT url, expires_at, created_at, options, known_accounts FROM connect_links WHERE scope = ? AND external_user_id = ? AND app = ?",
      [this.scope, user, app],
    );
    if (!row) return undefined;
    let knownAccounts: string[] = [];
    try {
      knownAccounts = JSON.parse(row.known_accounts) as string[];
    } catch {
      // unreadable: treat as "no accounts known", which only makes reuse less likely
    }
    return { url: row.url, expiresAt: row.expires_at, createdAt: row.created_at, options: decodeOptions(row.options), knownAccounts };
  }

  async put(user: string, app: string, link: StoredConnectLink, now: number): Promise<void> {
    await this.db.batch([
      ["DELETE FROM connect_links WHERE expires_at <= ?", [now]],
      [
        "INSERT INTO connect_links (scope, external_user_id, app, url, expires_at, created_at, options, known_accounts) VALUES (?, ?, ?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT (scope, external_user_id, app) DO UPDATE SET url = excluded.url, expires_at = excluded.expires_at, created_at = excluded.created_at, options = excluded.options, known_accounts = excluded.known_accounts",
        [this.scope, user, app, link.url, link.expiresAt, link.createdAt, encodeOptions(link.options), JSON.stringify(link.knownAccounts)],
      ],
    ]);
  }

  /** Forget every cached link of this scope (Connect's state may have changed under them). */
  clear(): Promise<number> {
    return this.db.run("DELETE FROM connect_links WHERE scope = ?", [this.scope]);
  }

  async delete(user: string, app: string): Promise<void> {
    await this.db.run("DELETE FROM connect_links WHERE scope = ? AND external_user_id = ? AND app = ?", [this.scope, user, app]);
  }
}
