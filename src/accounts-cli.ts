/**
 * `connect-mcp accounts list|connect|status|revoke --user U [--app A | --account ID]`: an
 * operator's view of one end user's connections, at whichever provider holds them.
 * - list: every account (provider, id, app, name, state);
 * - connect --app A [--provider P]: a link the user opens (Pipedream Connect Link, or a Composio
 *   link valid 10 minutes), made where the registry would make it for a tool call;
 * - status --account ID | --app A: polls until the account is usable (exit 0), has failed or
 *   expired (exit 1), or --wait-seconds pass (exit 1; default 300, 0 = look once);
 * - revoke --account ID --yes: disconnects the account and revokes its credentials upstream;
 *   without --yes it only says what it would do (exit 1).
 * Output is for a person at a terminal (stdout); it never prints a secret.
 */
import { existsSync } from "node:fs";
import { ConfigError, type Config } from "./config.js";
import { describeFailure } from "./core/errors.js";
import { providerLabel, providersFromConfig } from "./providers/index.js";
import type { ConnectedAccount, ProviderName } from "./providers/provider.js";
import type { ProviderRegistry } from "./providers/registry.js";
import { credentialStore, type CredentialStore } from "./store/credentials.js";
import { openDb } from "./store/db.js";

export interface AccountsOptions {
  user?: string;
  app?: string;
  account?: string;
  provider?: string;
  "wait-seconds"?: string;
  "poll-ms"?: string;
  yes?: boolean;
}

export interface AccountsReport {
  code: number;
  lines: string[];
}

const SUBCOMMANDS = ["list", "connect", "status", "revoke"] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

function state(a: ConnectedAccount): string {
  if (a.healthy && !a.dead) return "usable";
  if (a.pending) return "being connected";
  return `${a.dead ? "needs reconnecting" : "not usable"}${a.error ? ` (${a.error})` : ""}`;
}

function line(a: ConnectedAccount): string {
  return `${a.provider.padEnd(9)} ${a.id.padEnd(22)} ${a.app.slug.padEnd(16)} ${JSON.stringify(a.name).padEnd(24)} ${state(a)}`;
}

function number(value: string | undefined, flag: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new ConfigError(`--${flag} must be a number ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

export async function runAccounts(config: Config, sub: string | undefined, options: AccountsOptions, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<AccountsReport> {
  // Local connectors' "accounts" are their stored credentials: read them from the server's database.
  const db = config.connectors.length && (config.databaseUrl || config.db === ":memory:" || existsSync(config.db)) ? await openDb(config) : undefined;
  try {
    const credentials = db ? credentialStore(db, config) : undefined;
    return await accounts(config, sub, options, sleep, credentials);
  } finally {
    await db?.close();
  }
}

async function accounts(config: Config, sub: string | undefined, options: AccountsOptions, sleep: (ms: number) => Promise<unknown>, credentials: CredentialStore | undefined): Promise<AccountsReport> {
  if (!sub || !SUBCOMMANDS.includes(sub as Subcommand)) {
    throw new ConfigError(`accounts needs one of ${SUBCOMMANDS.join(", ")}: connect-mcp accounts list|connect|status|revoke --user U [--app A | --account ID]`);
  }
  const user = options.user ?? config.externalUserId;
  if (!user) throw new ConfigError("--user is required (the end user's id; or set CONNECT_MCP_EXTERNAL_USER_ID).");
  const built = providersFromConfig(config, { timeoutMs: Math.min(config.upstreamTimeoutMs, 30_000), ...(credentials ? { credentials } : {}) });
  if (!built.ok) return { code: 1, lines: [built.reason] };
  const registry = built.registry;
  const provider = options.provider as ProviderName | undefined;
  if (provider !== undefined && !registry.names.includes(provider)) {
    throw new ConfigError(`--provider must be one of the configured providers (${registry.names.join(", ")}), got ${JSON.stringify(options.provider)}`);
  }
  const lines: string[] = [];
  try {
    switch (sub as Subcommand) {
      case "list": {
        const accounts = (await registry.listAccounts(user, options.app ? { app: options.app } : {})).filter((a) => !provider || a.provider === provider);
        if (accounts.length === 0) lines.push(`"${user}" has no connected accounts${options.app ? ` for ${options.app}` : ""}.`);
        else lines.push(...accounts.map(line));
        return { code: 0, lines };
      }
      case "connect": {
        if (!options.app) throw new ConfigError("accounts connect needs --app (the app slug, e.g. slack).");
        const app = await registry.getApp(options.app);
        const offering = app.providers ?? registry.names;
        if (provider && !offering.includes(provider)) return { code: 1, lines: [`${providerLabel(provider)} does not offer ${options.app} (offered by: ${offering.join(", ")}).`] };
        const existing = (await registry.listAccounts(user, { app: app.slug })).filter((a) => !a.healthy || a.dead);
        const link = await registry.createConnectLink(user, app.slug, {
          ...(config.connectSuccessRedirectUri ? { successRedirectUri: config.connectSuccessRedirectUri } : {}),
          ...(config.connectErrorRedirectUri ? { errorRedirectUri: config.connectErrorRedirectUri } : {}),
          ...(config.connectWebhookUri ? { webhookUri: config.connectWebhookUri } : {}),
          providers: provider ? [provider] : offering,
          accounts: existing,
        });
        lines.push(
          `Open this link to connect ${app.name} for "${user}" at ${providerLabel(link.provider)} (valid until ${link.expiresAt}):`,
          `  ${link.url}`,
          `Then check: connect-mcp accounts status --user ${user} ${link.accountId ? `--account ${link.accountId}` : `--app ${app.slug}`}`,
        );
        return { code: 0, lines };
      }
      case "status":
        return await status(registry, user, options, sleep);
      case "revoke": {
        if (!options.account) throw new ConfigError("accounts revoke needs --account ID (see accounts list).");
        const account = await registry.getAccount(user, options.account);
        if (!account) return { code: 1, lines: [`${options.account} is not one of "${user}"'s connected accounts; nothing was changed.`] };
        if (!options.yes) {
          return {
            code: 1,
            lines: [
              `This would disconnect ${account.app.slug} account ${account.id} ("${account.name}") of "${user}" at ${providerLabel(account.provider)} and revoke its credentials. Nothing was changed.`,
              "Run the same command with --yes to do it.",
            ],
          };
        }
        await registry.deleteAccount(user, account.id);
        return { code: 0, lines: [`Disconnected ${account.app.slug} account ${account.id} ("${account.name}") at ${providerLabel(account.provider)}.`] };
      }
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    return { code: 1, lines: [...lines, describeFailure(err).message] };
  }
}

async function status(registry: ProviderRegistry, user: string, options: AccountsOptions, sleep: (ms: number) => Promise<unknown>): Promise<AccountsReport> {
  if (!options.account === !options.app) throw new ConfigError("accounts status needs --account ID or --app A (one of them).");
  const waitMs = number(options["wait-seconds"], "wait-seconds", 300, 0) * 1000;
  const pollMs = number(options["poll-ms"], "poll-ms", 2000, 50);
  const until = Date.now() + waitMs;
  let last: string | undefined;
  for (;;) {
    if (options.account) {
      const a = await registry.getAccount(user, options.account);
      if (!a) return { code: 1, lines: [`${options.account} is not one of "${user}"'s connected accounts.`] };
      last = line(a);
      if (a.healthy && !a.dead) return { code: 0, lines: [last] };
      // Failed, expired or revoked: waiting longer will not help; a new link is needed.
      if (a.dead) return { code: 1, lines: [last, `Create a new link: connect-mcp accounts connect --user ${user} --app ${a.app.slug}`] };
    } else {
      const accounts = await registry.listAccounts(user, { app: options.app! });
      const usable = accounts.filter((a) => a.healthy && !a.dead);
      if (usable.length) return { code: 0, lines: usable.map(line) };
      last = accounts.length ? accounts.map(line).join("\n") : `"${user}" has no ${options.app} account yet.`;
    }
    if (Date.now() + pollMs > until) {
      return { code: 1, lines: [last ?? "", `Not usable after ${Math.round(waitMs / 1000)} s${waitMs ? "" : " (looked once)"}.`].filter(Boolean) };
    }
    await sleep(pollMs);
  }
}
