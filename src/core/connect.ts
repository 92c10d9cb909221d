/**
 * In-band connection: when a call needs an app account the end user has not connected (or whose
 * accounts are all dead or unhealthy), the answer is not a dead end but a `connect_required`
 * result carrying a Connect Link for that app. The user opens it, connects, and the same call then
 * succeeds.
 *
 * Links are cached per (user, app) in SQLite and reused while they have at least
 * REUSE_MARGIN_MS (or, for short-lived links, half their life) left, so asking again does not
 * mint a new link each time (Connect allows 100 tokens per minute per user; each Composio link
 * creates a pending account). A link is single-use: once an account for the app appears that was
 * not there when the link was made (other than the one the link itself created), or a usable one
 * is seen at all, the link counts as used and the next answer carries a new one.
 */
import type { ConnectedAccount, ConnectProvider, ProviderName } from "../providers/provider.js";
import type { ConnectLinkStore } from "../store/connect-links.js";
import { ProviderError } from "../providers/provider.js";
import { credentialCommand } from "../providers/local/index.js";
import { describeFailure, ToolError } from "./errors.js";
import { requireEndUser } from "./identity.js";
import { failure, success, type ToolResult } from "./results.js";
import type { Services, ToolContext } from "./services.js";

/** A cached link is handed out again only while it has at least this long to live. */
export const REUSE_MARGIN_MS = 15 * 60_000;
/** Separates a cached link's settings from the provider it was made at. */
const MADE_AT = "\u0000made-at:";

/**
 * Thrown where an account is chosen (core/accounts.ts); the server turns it into a
 * connect_required result. A ToolError, so code that falls back when an account is unusable (a
 * remembered account that died) keeps working.
 */
export class ConnectRequiredError extends ToolError {
  override name = "ConnectRequiredError";
  constructor(
    /** App slug as the caller named it (validated before a link is made). */
    readonly app: string,
    /** The user's accounts for the app (dead or unhealthy ones), possibly none. */
    readonly accounts: ConnectedAccount[],
    /** The provider that must hold the account (an action's), when it matters. */
    readonly provider?: ProviderName,
  ) {
    super(accounts.length ? `This user's ${app} accounts are not usable; the user must reconnect ${app}.` : `This user has no connected ${app} account.`);
  }
}

export interface ConnectLinkSettings {
  successRedirectUri?: string;
  errorRedirectUri?: string;
  webhookUri?: string;
}

export interface ConnectLinkView {
  app: string;
  url: string;
  expires_at: string;
}

export class ConnectLinks {
  private readonly inflight = new Map<string, Promise<ConnectLinkView>>();
  private readonly settingsKey: string;

  constructor(
    private readonly provider: ConnectProvider,
    private readonly store: ConnectLinkStore,
    private readonly settings: ConnectLinkSettings = {},
    private readonly now: () => number = Date.now,
  ) {
    const defined = Object.entries(settings).filter(([, v]) => v !== undefined);
    this.settingsKey = JSON.stringify(Object.fromEntries(defined.sort(([a], [b]) => (a < b ? -1 : 1))));
  }

  /**
   * A link for `app`, reusing this user's cached one while it is valid and unused. `providers`
   * (from the catalog) say who offers the app; the provider registry picks where the link is made.
   */
  async linkFor(user: string, app: string, accounts: ConnectedAccount[], providers?: ProviderName[]): Promise<ConnectLinkView> {
    // Single-flight over the store read too: a caller whose read came back after another caller's
    // link was made and stored, but had started before it, would otherwise mint a second token.
    const key = `${user}\u0000${app}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.reuseOrCreate(user, app, accounts, providers).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async reuseOrCreate(user: string, app: string, accounts: ConnectedAccount[], providers?: ProviderName[]): Promise<ConnectLinkView> {
    const ids = accounts.map((a) => a.id);
    const cached = await this.store.get(user, app);
    // The row remembers where the link was made: a call that needs another provider gets its own.
    const sep = cached?.options.lastIndexOf(MADE_AT) ?? -1;
    const cachedSettings = cached && sep >= 0 ? cached.options.slice(0, sep) : cached?.options;
    const madeAt = cached && sep >= 0 ? (cached.options.slice(sep + MADE_AT.length) as ProviderName) : undefined;
    if (
      cached &&
      cachedSettings === this.settingsKey &&
      (!providers || (madeAt !== undefined && providers.includes(madeAt))) &&
      cached.expiresAt - this.now() > Math.min(REUSE_MARGIN_MS, (cached.expiresAt - cached.createdAt) / 2) &&
      ids.every((id) => cached.knownAccounts.includes(id))
    ) {
      return { app, url: cached.url, expires_at: new Date(cached.expiresAt).toISOString() };
    }
    return this.create(user, app, accounts, providers);
  }

  private async create(user: string, app: string, accounts: ConnectedAccount[], providers?: ProviderName[]): Promise<ConnectLinkView> {
    const link = await this.provider.createConnectLink(user, app, { ...this.settings, accounts, ...(providers ? { providers } : {}) });
    if (!link.url || !/^https?:\/\//.test(link.url)) {
      throw new ProviderError("malformed", "The provider created a connect link but sent no usable URL.", { operation: "create a connect link" });
    }
    const expiresAt = Date.parse(link.expiresAt);
    // The account a link creates up front (Composio) is known: seeing it does not mean the link was used.
    const knownAccounts = [...accounts.map((a) => a.id), ...(link.accountId ? [link.accountId] : [])];
    if (Number.isFinite(expiresAt)) {
      await this.store.put(user, app, { url: link.url, expiresAt, createdAt: this.now(), options: `${this.settingsKey}${MADE_AT}${link.provider}`, knownAccounts }, this.now());
      retiredLinks(this.store).forget(user, app);
    }
    return { app, url: link.url, expires_at: Number.isFinite(expiresAt) ? new Date(expiresAt).toISOString() : link.expiresAt };
  }
}

/** How long a retired (user, app) pair is not retired again; bounds what another process sharing the store can leave behind. */
const RETIRED_MEMO_MS = 60_000;
const RETIRED_MEMO_MAX = 10_000;

/**
 * The (user, app) pairs whose stored link this process deleted, and has not stored one for since:
 * seeing the same usable accounts on every list_accounts need not write to the store every time
 * (it was one DELETE per usable app per call). A link this process stores forgets its pair at once;
 * one stored by another process sharing the database is retired at most RETIRED_MEMO_MS later.
 */
class RetiredLinks {
  private readonly at = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}
  has(user: string, app: string): boolean {
    const at = this.at.get(`${user}\u0000${app}`);
    return at !== undefined && this.now() - at < RETIRED_MEMO_MS;
  }
  add(user: string, app: string): void {
    if (this.at.size >= RETIRED_MEMO_MAX) this.at.clear();
    this.at.set(`${user}\u0000${app}`, this.now());
  }
  forget(user: string, app: string): void {
    this.at.delete(`${user}\u0000${app}`);
  }
}

const retiredByStore = new WeakMap<ConnectLinkStore, RetiredLinks>();
function retiredLinks(store: ConnectLinkStore): RetiredLinks {
  let r = retiredByStore.get(store);
  if (!r) retiredByStore.set(store, (r = new RetiredLinks()));
  return r;
}

/**
 * The provider, except that seeing a usable account for an app retires this user's cached link
 * for it: the link was most likely used (Connect tokens are single-use), and if that account is
 * later deleted, the next "connect" answer must carry a fresh token, not the spent one.
 */
export function retiringUsedLinks(provider: ConnectProvider, store: ConnectLinkStore): ConnectProvider {
  const retired = retiredLinks(store);
  const listAccounts: ConnectProvider["listAccounts"] = async (user, filter, options) => {
    const accounts = await provider.listAccounts(user, filter, options);
    const usableApps = new Set(accounts.filter((a) => a.healthy && !a.dead).map((a) => a.app.slug));
    for (const app of usableApps) {
      if (retired.has(user, app)) continue;
      await store.delete(user, app);
      retired.add(user, app);
    }
    return accounts;
  };
  return new Proxy(provider, {
    get(target, prop) {
      if (prop === "listAccounts") return listAccounts;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * The `connect_required` result for `app`: a success (not an error) with the link, its expiry and
 * one sentence the agent can show the user. Unknown apps are refused with suggestions.
 */
export async function connectRequired(
  services: Services,
  user: string,
  app: string,
  accounts: ConnectedAccount[],
  extra: Record<string, unknown> = {},
  /** The provider that must hold the account (an action's); otherwise any that offers the app. */
  provider?: ProviderName,
): Promise<ToolResult> {
  const info = await services.catalog.getApp(app);
  const providers = provider ? [provider] : info.providers;
  if (providers?.[0] === "local") {
    // A local connector has no link: its credential is set by an operator, never asked for in chat.
    const command = credentialCommand(info.slug, user);
    const message = `${info.name} (a local connector) has no credential for this user yet. Ask the server's operator to run: ${command} (the credential goes in as JSON on stdin), then try again. Do not ask the user to paste a secret into the chat.`;
    return success({ outcome: "connect_required", ...extra, connect: { app: info.slug, provider: "local", command }, message });
  }
  let link: ConnectLinkView;
  // The user may connect an account now: list_actions' `connected` hint must not keep saying no.
  services.connectedApps.forget(user);
  try {
    link = await services.connectLinks.linkFor(user, info.slug, accounts, providers);
  } catch (err) {
    const reason = err instanceof ProviderError ? err.message : "the link could not be created";
    throw new ToolError(
      `${needsWhat(info.name, accounts)} A Connect Link could not be created (${reason}); the user can connect ${info.name} from your app's own Connect flow, or try again shortly.`,
    );
  }
  const until = link.expires_at ? ` (valid until ${link.expires_at.replace(/\.\d{3}Z$/, "Z").replace("T", " ")})` : "";
  // An account still being connected (a link opened, not finished) is not one to "reconnect".
  const broken = accounts.filter((a) => !a.pending);
  const message =
    broken.length === 0
      ? `To continue, connect your ${info.name} account: open ${link.url}${until}, then ask me to try again.`
      : `Your ${info.name} account${broken.length > 1 ? "s" : ""} ${broken.map((a) => `"${a.name}"`).join(", ")} ${broken.length > 1 ? "need" : "needs"} to be reconnected: open ${link.url}${until}, then ask me to try again.`;
  return success({ outcome: "connect_required", ...extra, connect: link, message });
}

function needsWhat(appName: string, all: ConnectedAccount[]): string {
  const accounts = all.filter((a) => !a.pending);
  return accounts.length === 0 ? `This user has not connected ${appName}.` : `This user's ${appName} account${accounts.length > 1 ? "s need" : " needs"} reconnecting.`;
}

/** The server's answer to a ConnectRequiredError: the connect_required result, or a plain failure. */
export async function connectRequiredResult(ctx: Pick<ToolContext, "services" | "identity" | "logger">, err: ConnectRequiredError): Promise<ToolResult> {
  try {
    return await connectRequired(ctx.services(), requireEndUser(ctx.identity), err.app, err.accounts, {}, err.provider);
  } catch (e) {
    const view = describeFailure(e);
    if (view.internal) ctx.logger.error({ err: e }, "building a connect_required result failed");
    return failure(view.message, view.detail);
  }
}
