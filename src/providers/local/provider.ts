/**
 * Local connectors as a provider: each connector of the config file is an app whose actions are
 * its OpenAPI operations and declared resources, run by this process over plain HTTP with the
 * credential stored for the end user (or the connector's default), encrypted, in the database.
 *
 * What it answers for (the registry asks `ownerOf`): account ids `loc_<connector>`, action keys
 * `<connector>-…` and the app slugs of its connectors. A connector whose slug is also a hosted
 * app's wins that slug: its actions, accounts and links are the connector's.
 *
 * "Accounts" are connectors the user can call: one with a credential (theirs or the default),
 * one whose auth is "none", and every connector in mock mode. Without one, calls answer
 * connect_required naming `connect-mcp credentials set` (core/connect.ts): secrets never travel
 * through a chat.
 */
import type { ConnectorConfig } from "../../config.js";
import type { CredentialStore } from "../../store/credentials.js";
import {
  ProviderError,
  type AccountFilter,
  type ActionDefinition,
  type ActionPage,
  type AppInfo,
  type AppPage,
  type CallOptions,
  type ConfigurePropOutput,
  type ConnectedAccount,
  type ConnectLink,
  type ConnectProvider,
  type ExternalUserId,
  type ProviderName,
  type ProviderRef,
  type ProxyRequest,
  type ProxyResponse,
  type ReloadPropsOutput,
  type RunActionInput,
  type RunActionOutput,
} from "../provider.js";
import { applyAuth, OAuthTokens } from "./auth.js";
import { confineToBase } from "./confine.js";
import { bodyValue, excerpt, send } from "./http.js";
import { loadConnector, type LoadedConnector } from "./load.js";
import type { LocalOperation } from "./operations.js";

export const LOCAL_ACCOUNT_PREFIX = "loc_";
const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface LocalProviderOptions {
  connectors: ConnectorConfig[];
  /** CONNECT_MCP_MOCK: every connector answers from its mocks. */
  mockAll: boolean;
  /** Where credentials are kept; without it only mock and auth-"none" connectors can be called. */
  credentials?: CredentialStore;
  timeoutMs: number;
}

/** The command an operator runs to give `user` (or everyone) a credential for `connector`. */
export function credentialCommand(connector: string, user?: string): string {
  return `connect-mcp credentials set ${connector}${user ? ` --user ${/^[\w.@+-]+$/.test(user) ? user : JSON.stringify(user)}` : ""}`;
}

export function localOwnerOf(slugs: ReadonlySet<string>): (ref: ProviderRef) => ProviderName | undefined {
  return (ref) => {
    let slug: string | undefined;
    if ("accountId" in ref) slug = ref.accountId.startsWith(LOCAL_ACCOUNT_PREFIX) ? ref.accountId.slice(LOCAL_ACCOUNT_PREFIX.length) : undefined;
    else if ("actionKey" in ref) slug = /^([a-z][a-z0-9_]*)-[a-z0-9_-]+$/.exec(ref.actionKey)?.[1];
    else slug = ref.app;
    return slug !== undefined && slugs.has(slug) ? "local" : undefined;
  };
}

export class LocalProvider implements ConnectProvider {
  private readonly configs = new Map<string, ConnectorConfig>();
  private readonly loaded = new Map<string, Promise<LoadedConnector>>();
  private readonly tokens: OAuthTokens | undefined;
  readonly ownerOf: (ref: ProviderRef) => ProviderName | undefined;

  constructor(private readonly options: LocalProviderOptions) {
    for (const c of options.connectors) this.configs.set(c.slug, c);
    this.ownerOf = localOwnerOf(new Set(this.configs.keys()));
    this.tokens = options.credentials ? new OAuthTokens(options.credentials) : undefined;
  }

  /* ---------------- connectors ---------------- */

  private connector(slug: string): Promise<LoadedConnector> {
    const config = this.configs.get(slug);
    if (!config) return Promise.reject(new ProviderError("not_found", `There is no local connector "${slug.slice(0, 100)}".`, { operation: "find the connector", notSent: true }));
    let p = this.loaded.get(slug);
    if (!p) {
      p = loadConnector(config);
      this.loaded.set(slug, p);
    }
    return p;
  }

  private async all(): Promise<LoadedConnector[]> {
    return Promise.all([...this.configs.keys()].map((slug) => this.connector(slug)));
  }

  private isMock(c: ConnectorConfig): boolean {
    return this.options.mockAll || c.mock === true;
  }

  private needsCredential(c: ConnectorConfig): boolean {
    return !this.isMock(c) && c.auth.type !== "none";
  }

  private appInfo(c: ConnectorConfig): AppInfo {
    return { slug: c.slug, name: c.name, description: `Local connector for ${new URL(c.base_url).host}${this.isMock(c) ? " (mock mode)" : ""}`, customFieldNames: [], providers: ["local"] };
  }

  private async operation(key: string): Promise<{ c: LoadedConnector; op: LocalOperation }> {
    const slug = /^([a-z][a-z0-9_]*)-/.exec(key)?.[1] ?? "";
    const c = await this.connector(slug);
    const op = c.operations.get(key);
    if (!op) throw new ProviderError("not_found", `The local connector "${slug}" has no action "${key.slice(0, 100)}".`, { operation: `retrieve action "${key.slice(0, 100)}"`, notSent: true });
    return { c, op };
  }

  async checkCredentials(): Promise<void> {
    // Loading every connector surfaces a broken OpenAPI document or declaration.
    await this.all();
  }

  /* ---------------- accounts ---------------- */

  private account(c: ConnectorConfig): ConnectedAccount {
    return {
      id: `${LOCAL_ACCOUNT_PREFIX}${c.slug}`,
      provider: "local",
      name: `${c.name}${this.isMock(c) ? " (mock)" : ""}`,
      app: this.appInfo(c),
      healthy: true,
      dead: false,
      proxyRelativeUrls: true,
      proxyBaseUrl: c.base_url,
    };
  }

  async listAccounts(user: ExternalUserId, filter: AccountFilter = {}): Promise<ConnectedAccount[]> {
    let configs = [...this.configs.values()];
    if (filter.app) configs = configs.filter((c) => c.slug === filter.app);
    if (filter.accountId) configs = configs.filter((c) => `${LOCAL_ACCOUNT_PREFIX}${c.slug}` === filter.accountId);
    const needing = configs.filter((c) => this.needsCredential(c)).map((c) => c.slug);
    const held = this.options.credentials ? await this.options.credentials.available(needing, user) : new Set<string>();
    return configs.filter((c) => !this.needsCredential(c) || held.has(c.slug)).map((c) => this.account(c));
  }

  async getAccount(user: ExternalUserId, accountId: string): Promise<ConnectedAccount | undefined> {
    return (await this.listAccounts(user, { accountId })).find((a) => a.id === accountId);
  }

  async deleteAccount(_user: ExternalUserId, accountId: string): Promise<void> {
    const slug = accountId.slice(LOCAL_ACCOUNT_PREFIX.length);
    throw new ProviderError("bad_request", `A local connector's credential is removed with: connect-mcp credentials delete ${slug} [--user U].`, { operation: "delete an account", notSent: true });
  }

  /* ---------------- apps and actions ---------------- */

  async getApp(slug: string): Promise<AppInfo> {
    const c = this.configs.get(slug);
    if (!c) throw new ProviderError("not_found", `There is no local connector "${slug.slice(0, 100)}".`, { operation: `look up app "${slug.slice(0, 100)}"`, notSent: true });
    return this.appInfo(c);
  }

  async listApps(query: { query?: string; limit: number; after?: string }): Promise<AppPage> {
    const q = query.query?.trim().toLowerCase();
    const apps = [...this.configs.values()].filter((c) => !q || c.slug.includes(q) || c.name.toLowerCase().includes(q)).map((c) => this.appInfo(c));
    return page(apps, query.limit, query.after, (apps, nextCursor) => ({ apps, ...(nextCursor ? { nextCursor } : {}) }));
  }

  async listActions(query: { app?: string; query?: string; limit: number; after?: string }): Promise<ActionPage> {
    if (query.app && !this.configs.has(query.app)) throw new ProviderError("not_found", `There is no local connector "${query.app.slice(0, 100)}".`, { operation: "list actions", notSent: true });
    const connectors = query.app ? [await this.connector(query.app)] : await this.all();
    const words = (query.query ?? "").toLowerCase().split(/\W+/).filter((w) => w.length > 1);
    const actions = connectors
      .flatMap((c) => [...c.operations.values()].map((o) => o.definition))
      // A rough pre-filter only: the catalog ranks what comes back.
      .filter((d) => !words.length || words.some((w) => `${d.key} ${d.name} ${d.description ?? ""}`.toLowerCase().includes(w)));
    return page(actions, query.limit, query.after, (actions, nextCursor) => ({ actions, ...(nextCursor ? { nextCursor } : {}) }));
  }

  async getAction(key: string): Promise<ActionDefinition> {
    return (await this.operation(key)).op.definition;
  }

  async configureProp(): Promise<ConfigurePropOutput> {
    throw new ProviderError("bad_request", "Local connector actions have no remote options; the prop's schema lists any allowed values.", { operation: "list options", notSent: true });
  }

  async reloadProps(): Promise<ReloadPropsOutput> {
    return { props: [], errors: [], observations: [] };
  }

  /* ---------------- calls ---------------- */

  private timeout(options?: CallOptions): number {
    return options?.deadline !== undefined ? Math.max(1, Math.min(this.options.timeoutMs, options.deadline - Date.now())) : this.options.timeoutMs;
  }

  /** The credential for `user`, or the connect_required-style refusal naming the command. */
  private async credentialFor(c: ConnectorConfig, user: string, operation: string): Promise<{ value: Record<string, unknown>; owner?: string } | undefined> {
    if (!this.needsCredential(c)) return undefined;
    const found = this.options.credentials ? await this.options.credentials.resolve(c.slug, user) : undefined;
    if (!found) {
      throw new ProviderError("unauthorized", `No credential is set for the local connector ${c.name} for this user. An operator sets one with: ${credentialCommand(c.slug, user)} (a JSON object on stdin); never paste secrets into a chat.`, { operation, notSent: true });
    }
    return found;
  }

  /** Send with auth; an OAuth2 token the API refuses (401) is refreshed once and the request sent once more. */
  private async exchange(c: ConnectorConfig, credential: { value: Record<string, unknown>; owner?: string } | undefined, req: { method: string; url: URL; headers: Record<string, string>; body?: string; maxBodyBytes: number; operation: string }, options?: CallOptions): Promise<ProxyResponse> {
    const oauth = c.auth.type === "oauth2" && credential && this.tokens ? { tokens: this.tokens, auth: c.auth, ctx: { connector: c.slug, connectorName: c.name, auth: c.auth, credential: credential.value, ...(credential.owner ? { owner: credential.owner } : {}), timeoutMs: this.timeout(options), ...(options?.signal ? { signal: options.signal } : {}) } } : undefined;
    const attempt = async (token: string | undefined) => {
      const url = new URL(req.url);
      const headers = { ...req.headers };
      applyAuth(c.auth, credential?.value, token, url, headers);
      return send({ method: req.method, url, headers, ...(req.body !== undefined ? { body: req.body } : {}), maxBodyBytes: req.maxBodyBytes, timeoutMs: this.timeout(options), ...(options?.signal ? { signal: options.signal } : {}), operation: req.operation, target: c.name });
    };
    const token = oauth ? await oauth.tokens.token(oauth.ctx) : undefined;
    const res = await attempt(token);
    if (res.status !== 401 || !oauth) return res;
    // The API refused the token (expired early, revoked): one refresh, one more try.
    const fresh = await oauth.tokens.refresh(oauth.ctx, token);
    return attempt(fresh);
  }

  async runAction(user: ExternalUserId, input: RunActionInput, options?: CallOptions): Promise<RunActionOutput> {
    const { c, op } = await this.operation(input.key);
    const operation = `run ${op.key}`;
    const args: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(input.configuredProps)) {
      if (typeof value === "object" && value !== null && "authProvisionId" in value) continue;
      args[name] = value;
    }
    if (this.isMock(c.config)) {
      return { exports: { $summary: `mock answer of ${op.method} ${op.path} (no request was sent)`, $mock: true, status: op.mock.status }, ret: op.mock.body, observations: [] };
    }
    const credential = await this.credentialFor(c.config, user, operation);
    const { url, headers, body } = buildRequest(c.config.base_url, op, args);
    const res = await this.exchange(c.config, credential, { method: op.method, url, headers, ...(body !== undefined ? { body } : {}), maxBodyBytes: DEFAULT_MAX_BODY_BYTES, operation }, options);
    const summary = `${op.method} ${url.pathname} → HTTP ${res.status}`;
    if (res.truncated) {
      throw new ProviderError("bad_request", `${c.config.name} answered, but the answer is larger than ${DEFAULT_MAX_BODY_BYTES} bytes and was not read whole${op.method === "GET" || op.method === "HEAD" ? "; ask for less (filters, pagination)" : "; the request was carried out, do not send it again"}.`, { operation, status: res.status });
    }
    if (res.status >= 200 && res.status < 400) return { exports: { $summary: summary, status: res.status }, ret: bodyValue(res), observations: [] };
    const readOnly = op.method === "GET" || op.method === "HEAD";
    if (res.status >= 500 && !readOnly) {
      throw new ProviderError("upstream", `${c.config.name} answered HTTP ${res.status}${excerpt(res) ? `: ${excerpt(res)}` : ""}.`, { operation, status: res.status });
    }
    const hint = res.status === 401 || res.status === 403 ? ` The API refused the credential; an operator can replace it with: ${credentialCommand(c.config.slug, user)}.` : "";
    return { exports: { $summary: summary, status: res.status }, ret: bodyValue(res), observations: [{ k: "error", err: { name: `HTTP ${res.status}`, message: `${excerpt(res) || "no body"}${hint}` } }] };
  }

  async proxy(user: ExternalUserId, request: ProxyRequest, options?: CallOptions): Promise<ProxyResponse> {
    const operation = `proxy ${request.method} request`;
    const account = await this.getAccount(user, request.accountId);
    if (!account) throw new ProviderError("forbidden", `Account ${request.accountId} is not one of this user's connected accounts; nothing was sent.`, { operation, notSent: true });
    const c = await this.connector(account.app.slug);
    const confined = confineToBase(c.config.base_url, request.url);
    if (!confined.ok) throw new ProviderError("bad_request", `url refused: ${confined.reason}.`, { operation, notSent: true });
    const url = new URL(confined.url);
    if (this.isMock(c.config)) return mockAnswer(c, request.method, url);
    const credential = await this.credentialFor(c.config, user, operation);
    const headers: Record<string, string> = { accept: "*/*", ...request.headers };
    const hasBody = request.method === "POST" || request.method === "PUT" || request.method === "PATCH";
    if (hasBody) headers["content-type"] = "application/json";
    return this.exchange(c.config, credential, { method: request.method, url, headers, ...(hasBody ? { body: JSON.stringify(request.body ?? {}) } : {}), maxBodyBytes: request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, operation }, options);
  }

  async createConnectLink(user: ExternalUserId, app: string): Promise<ConnectLink> {
    // Local credentials are set by an operator from the CLI; there is no link to open (core/connect.ts answers with the command).
    throw new ProviderError("bad_request", `The local connector "${app.slice(0, 100)}" has no connect link: an operator sets its credential with ${credentialCommand(app, user)}.`, { operation: "create a connect link", notSent: true });
  }
}

/** A page of `items` from an offset cursor. */
function page<T, R>(items: T[], limit: number, after: string | undefined, wrap: (items: T[], next?: string) => R): R {
  const start = after && /^\d+$/.test(after) ? Number(after) : 0;
  const end = start + Math.max(1, limit);
  return wrap(items.slice(start, end), end < items.length ? String(end) : undefined);
}

/** The request an operation makes with `args`: path parameters filled, the rest as query, headers or JSON body. */
export function buildRequest(baseUrl: string, op: LocalOperation, args: Record<string, unknown>): { url: URL; headers: Record<string, string>; body?: string } {
  const used = new Set<string>();
  const path = op.path.replace(/\{([^{}]+)\}/g, (_m, name: string) => {
    used.add(name);
    const v = args[name];
    return encodeURIComponent(v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
  });
  const url = new URL(`${baseUrl.replace(/\/+$/, "")}${path}`);
  const headers: Record<string, string> = { accept: "application/json, */*;q=0.5" };
  const toQuery = (name: string, v: unknown) => {
    if (v === undefined || v === null) return;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(name, typeof item === "object" ? JSON.stringify(item) : String(item));
  };
  let body: string | undefined;
  if (op.bodyMode === "rest") {
    const rest = Object.fromEntries(Object.entries(args).filter(([k]) => !used.has(k)));
    if (op.method === "GET" || op.method === "DELETE" || op.method === "HEAD") for (const [k, v] of Object.entries(rest)) toQuery(k, v);
    else body = JSON.stringify(rest);
  } else {
    for (const name of op.queryParams) toQuery(name, args[name]);
    for (const name of op.headerParams) if (args[name] !== undefined && args[name] !== null) headers[name] = String(args[name]);
    if (op.bodyMode === "body-property" && args.body !== undefined) body = JSON.stringify(args.body);
  }
  if (body !== undefined) headers["content-type"] = "application/json";
  return { url, headers, ...(body !== undefined ? { body } : {}) };
}

/** Mock mode through api_proxy: the example of the operation whose method and path match. */
function mockAnswer(c: LoadedConnector, method: string, url: URL): ProxyResponse {
  const basePath = new URL(c.config.base_url).pathname.replace(/\/+$/, "");
  const rel = url.pathname.slice(basePath.length) || "/";
  const op = [...c.operations.values()].find((o) => o.method === method && pathPattern(o.path).test(rel));
  const headers = { "content-type": "application/json" };
  if (!op) return { mock: true, status: 404, headers, contentType: "application/json", body: { kind: "json", value: { error: `mock mode: no operation of ${c.config.name} matches ${method} ${rel}`, mock: true } } };
  const value = op.mock.body;
  return { mock: true, status: op.mock.status, headers, contentType: "application/json", body: value === null || value === undefined ? { kind: "empty" } : { kind: "json", value } };
}

function pathPattern(template: string): RegExp {
  const source = template
    .split(/(\{[^{}]+\})/)
    .map((part) => (part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}/?$`);
}
