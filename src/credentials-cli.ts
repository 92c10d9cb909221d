/**
 * `connect-mcp credentials set|list|delete <connector> [--user U]`: an operator stores the
 * credential of a local connector (JSON on stdin, never an argument: arguments show in `ps` and
 * shell history), sees what is stored (field names and dates, never values), or removes it.
 * Without --user the credential is the connector's default, used by every end user who has none
 * of their own. Values are encrypted (AES-256-GCM) before they reach the database.
 */
import { ConfigError, type Config } from "./config.js";
import { credentialFields, credentialProblem } from "./providers/local/index.js";
import { credentialStore } from "./store/credentials.js";
import type { Db } from "./store/db.js";

export interface CredentialsOptions {
  user?: string;
  connector?: string;
}

export interface CredentialsReport {
  code: number;
  lines: string[];
}

const SUBCOMMANDS = ["set", "list", "delete"] as const;

export async function runCredentials(config: Config, db: Db, sub: string | undefined, name: string | undefined, options: CredentialsOptions, stdin: () => Promise<string>): Promise<CredentialsReport> {
  if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new ConfigError(`credentials needs one of ${SUBCOMMANDS.join(", ")}: connect-mcp credentials set|list|delete <connector> [--user U]`);
  }
  if (config.connectors.length === 0) throw new ConfigError(`no local connectors are configured: add "connectors" to the config file (--config / CONNECT_MCP_CONFIG); see docs/local-connectors.md.`);
  const user = options.user;
  if (user !== undefined && (user.length === 0 || user.length > 250)) throw new ConfigError("--user: the end user's id, 1-250 characters.");
  const store = credentialStore(db, config);
  const connector = name ?? options.connector;
  const known = config.connectors.map((c) => c.slug);
  const find = (slug: string | undefined) => {
    if (!slug) throw new ConfigError(`name the connector: connect-mcp credentials ${sub} <connector> (configured: ${known.join(", ")}).`);
    const c = config.connectors.find((x) => x.slug === slug);
    if (!c) throw new ConfigError(`there is no connector "${slug}" (configured: ${known.join(", ")}).`);
    return c;
  };
  const whose = user === undefined ? "the default (every user without their own)" : `user "${user}"`;

  if (sub === "list") {
    if (connector) find(connector);
    const rows = await store.list({ ...(connector ? { connector } : {}), ...(user !== undefined ? { user } : {}) });
    if (rows.length === 0) return { code: 0, lines: ["No credentials are stored" + (connector ? ` for ${connector}` : "") + (user !== undefined ? ` for user "${user}"` : "") + "."] };
    return {
      code: 0,
      lines: [
        `${"connector".padEnd(20)} ${"user".padEnd(24)} ${"fields".padEnd(40)} updated`,
        ...rows.map((r) => `${r.connector.padEnd(20)} ${(r.user === undefined ? "(default)" : r.user).padEnd(24)} ${r.fields.join(",").padEnd(40)} ${new Date(r.updatedAt).toISOString()}`),
      ],
    };
  }

  const c = find(connector);
  if (sub === "delete") {
    const removed = await store.delete(c.slug, user);
    return removed ? { code: 0, lines: [`Deleted the ${c.slug} credential of ${whose} (and any cached token).`] } : { code: 1, lines: [`No ${c.slug} credential is stored for ${whose}; nothing was deleted.`] };
  }

  // set
  const fields = credentialFields(c.auth);
  const example = `{${[...fields.required, ...fields.optional].map((f) => `"${f}":"…"`).join(",")}}`;
  if (c.auth.type === "none") throw new ConfigError(`${c.slug}'s auth is "none": it needs no credential.`);
  const text = (await stdin()).trim();
  if (!text) throw new ConfigError(`give the credential as a JSON object on stdin, e.g.: echo '${example}' | connect-mcp credentials set ${c.slug}${user ? ` --user ${user}` : ""}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message may quote the input, which is a secret.
    throw new ConfigError(`stdin is not valid JSON; expected an object like ${example}.`);
  }
  const problem = credentialProblem(c.auth, value);
  if (problem) throw new ConfigError(`not stored: ${problem}. Expected ${example}.`);
  await store.set(c.slug, user, value as Record<string, unknown>);
  const keyNote = config.secretKey ? "CONNECT_MCP_SECRET_KEY" : config.db === ":memory:" ? "a throwaway in-memory key (the database is :memory:, so this is lost on exit)" : `the key file ${config.db}.key`;
  return { code: 0, lines: [`Stored the ${c.slug} credential (${Object.keys(value as object).sort().join(", ")}) of ${whose}, encrypted with ${keyNote}.`] };
}

/** All of stdin, as text (the credential JSON). */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Paste the credential JSON, then Ctrl-D:\n");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
