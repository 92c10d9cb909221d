/**
 * The seam every credentials backend implements. Core and tools talk only to this interface;
 * `src/providers/pipedream/` (the only code importing `@pipedream/sdk`) and
 * `src/providers/composio/` (the only code importing `@composio/client`) implement it, and
 * `src/providers/registry.ts` puts several behind one instance: it decides which provider answers
 * for an account id, an action key or an app, so nothing above `src/providers/` has to.
 *
 * Shapes here are provider-neutral and already normalised (snake_case wire quirks, Date objects,
 * odd SDK response wrappers are the implementation's problem, not the caller's).
 */

/** The end user on whose behalf a call is made (Pipedream's `external_user_id`, Composio's `user_id`). */
export type ExternalUserId = string;

/** Which backend holds an account or defines an action; results carry it as `provider`. */
export type ProviderName = "pipedream" | "composio" | "local";

/**
 * An account id, an action key or an app slug, for asking which provider answers for it. Only
 * a provider that owns an app outright (a local connector) claims an app slug; hosted apps are
 * not claimed, so any provider offering them may answer.
 */
export type ProviderRef = { accountId: string } | { actionKey: string } | { app: string };

export interface AppInfo {
  slug: string;
  name: string;
  id?: string;
  description?: string;
  /** Names of the per-account fields the user fills when connecting (e.g. `subdomain`). */
  customFieldNames: string[];
  categories?: string[];
  /** Connect's popularity weight (higher is more used); a tie-breaker in app search. */
  featuredWeight?: number;
  /** The providers that offer this app (set by the registry; an app may be offered by several). */
  providers?: ProviderName[];
}

export interface AppPage {
  apps: AppInfo[];
  /** Upstream cursor for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface ConnectedAccount {
  id: string;
  /** The provider holding the account's credentials. */
  provider: ProviderName;
  name: string;
  app: AppInfo;
  healthy: boolean;
  dead: boolean;
  /** Being connected right now (a link was opened, not finished): not usable, not dead either. */
  pending?: boolean;
  error?: string;
  createdAt?: string;
  updatedAt?: string;
  /** The provider resolves a proxy URL given as a /path against this account's own API base. */
  proxyRelativeUrls?: boolean;
  /**
   * Requests with this account reach only URLs under this base, which the operator chose (a local
   * connector's base_url, possibly an internal host): api_proxy checks the URL against it instead
   * of refusing non-public hosts.
   */
  proxyBaseUrl?: string;
}

/** One configurable prop exactly as Connect describes it (camelCase keys on the wire). */
export interface ActionProp {
  name: string;
  type: string;
  label?: string;
  description?: string;
  optional?: boolean;
  hidden?: boolean;
  disabled?: boolean;
  readOnly?: boolean;
  remoteOptions?: boolean;
  useQuery?: boolean;
  reloadProps?: boolean;
  withLabel?: boolean;
  secret?: boolean;
  default?: unknown;
  options?: unknown[];
  min?: number;
  max?: number;
  app?: string;
  alertType?: string;
  content?: string;
  /**
   * The value's own JSON Schema, when the provider describes inputs in JSON Schema (Composio):
   * used as the prop's schema and to validate values locally. `$ref`s are already resolved.
   */
  schema?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface ActionAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ActionDefinition {
  key: string;
  /** The provider that defines (and runs) the action. */
  provider?: ProviderName;
  name: string;
  version: string;
  description?: string;
  annotations?: ActionAnnotations;
  props: ActionProp[];
}

export interface ActionPage {
  actions: ActionDefinition[];
  /** Upstream cursor for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface Observation {
  ts?: number;
  k: string;
  msg?: string;
  err?: { name?: string; message?: string };
}

export interface RunActionInput {
  key: string;
  version?: string;
  configuredProps: Record<string, unknown>;
  dynamicPropsId?: string;
}

export interface RunActionOutput {
  exports: Record<string, unknown>;
  ret: unknown;
  observations: Observation[];
}

export interface ConfigurePropInput {
  key: string;
  version?: string;
  propName: string;
  configuredProps: Record<string, unknown>;
  dynamicPropsId?: string;
  query?: string;
  page?: number;
  prevContext?: Record<string, unknown>;
}

export interface ConfigurePropOutput {
  options: Array<{ label: string; value: unknown }>;
  context?: Record<string, unknown>;
  errors: string[];
  observations: Observation[];
}

export interface ReloadPropsInput {
  key: string;
  version?: string;
  configuredProps: Record<string, unknown>;
  dynamicPropsId?: string;
}

export interface ReloadPropsOutput {
  dynamicPropsId?: string;
  props: ActionProp[];
  errors: string[];
  observations: Observation[];
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface ProxyRequest {
  accountId: string;
  method: HttpMethod;
  /** Absolute URL, or a path for apps whose domain is per account. Query already merged in. */
  url: string;
  headers: Record<string, string>;
  /** JSON object body (Connect's proxy accepts only objects). */
  body?: Record<string, unknown>;
  /** Read at most this many bytes of the upstream body; the rest is never downloaded (default 8 MiB). */
  maxBodyBytes?: number;
}

/**
 * The upstream's answer. A 401 here is always the upstream app's own rejection of the account's
 * credentials: Connect refusing our own credentials is a ProviderError("unauthorized") instead.
 */
export interface ProxyResponse {
  status: number;
  /** Set when a read was tried more than once before this answer (core/retries.ts). */
  retried?: { attempts: number; reasons: string[] };
  headers: Record<string, string>;
  contentType?: string;
  /** Parsed JSON when the upstream sent JSON (and all of it was read), otherwise the raw bytes. */
  body: { kind: "json"; value: unknown } | { kind: "bytes"; value: Uint8Array } | { kind: "empty" };
  /**
   * Set when the body was longer than `maxBodyBytes`: `body` holds its first bytes only (at most
   * 1 MiB, never parsed), `bytesSeen` were received before the rest was cancelled, `bytesTotal`
   * is the upstream's Content-Length when it sent one.
   */
  truncated?: { bytesSeen: number; bytesTotal?: number };
  /** Answered from a mock (a local connector in mock mode): nothing was sent. */
  mock?: boolean;
}

/** A link the end user opens to connect (or reconnect) an app. */
export interface ConnectLink {
  url: string;
  /** ISO time after which the link no longer works. */
  expiresAt: string;
  provider: ProviderName;
  /**
   * The account the link will complete, when the provider creates it up front (Composio: an
   * INITIATED account exists as soon as the link does). It is not evidence the link was used.
   */
  accountId?: string;
}

export interface ConnectLinkOptions {
  successRedirectUri?: string;
  errorRedirectUri?: string;
  webhookUri?: string;
  /** Providers that offer the app, best first (from the catalog); the registry picks one of them. */
  providers?: ProviderName[];
  /** The user's existing (unusable) accounts of the app: reconnecting goes to their provider. */
  accounts?: ConnectedAccount[];
}

/** Per-call options: the MCP request's abort signal, so a cancelled tool call stops its Connect request. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Epoch ms by which the call must be over: each request's timeout is cut to fit (retries share one budget). */
  deadline?: number;
}

export interface AccountFilter {
  app?: string;
  /** Only this account is wanted: a provider may list just it, and the registry asks only its owner. */
  accountId?: string;
  /** Only accounts held at this provider (the registry asks only it). */
  provider?: ProviderName;
}

export interface ConnectProvider {
  /** Check the provider accepts our credentials (used by `doctor`). */
  checkCredentials(): Promise<void>;
  /** Which provider answers for an account id or action key; undefined when none would. */
  ownerOf(ref: ProviderRef): ProviderName | undefined;
  listAccounts(user: ExternalUserId, filter?: AccountFilter, options?: CallOptions): Promise<ConnectedAccount[]>;
  /** One of this user's accounts, or undefined when it is not theirs (or does not exist). */
  getAccount(user: ExternalUserId, accountId: string, options?: CallOptions): Promise<ConnectedAccount | undefined>;
  /** Disconnect one of this user's accounts, revoking its credentials upstream. Never retried. */
  deleteAccount(user: ExternalUserId, accountId: string, options?: CallOptions): Promise<void>;
  getApp(slug: string, options?: CallOptions): Promise<AppInfo>;
  /** One page of Connect's app directory; `query` is Connect's own app search (`q`). */
  listApps(query: { query?: string; limit: number; after?: string }, options?: CallOptions): Promise<AppPage>;
  listActions(query: { app?: string; query?: string; limit: number; after?: string }, options?: CallOptions): Promise<ActionPage>;
  getAction(key: string, options?: CallOptions): Promise<ActionDefinition>;
  configureProp(user: ExternalUserId, input: ConfigurePropInput, options?: CallOptions): Promise<ConfigurePropOutput>;
  reloadProps(user: ExternalUserId, input: ReloadPropsInput, options?: CallOptions): Promise<ReloadPropsOutput>;
  /** Runs once: never retried (actions have side effects). Reads may be retried by core/retries.ts. */
  runAction(user: ExternalUserId, input: RunActionInput, options?: CallOptions): Promise<RunActionOutput>;
  /** Non-2xx upstream answers come back as a ProxyResponse, not an exception. Writes are never retried. */
  proxy(user: ExternalUserId, request: ProxyRequest, options?: CallOptions): Promise<ProxyResponse>;
  /** A link that connects `app` for the user (a write: never retried). */
  createConnectLink(user: ExternalUserId, app: string, options?: ConnectLinkOptions): Promise<ConnectLink>;
}

export type ProviderErrorKind =
  | "unauthorized" // the provider rejected our credentials (Connect: after one token refresh)
  | "forbidden"
  | "not_found"
  | "rate_limited"
  | "timeout"
  | "network"
  | "bad_request"
  | "upstream" // Connect answered 5xx
  | "malformed" // Connect answered something we could not read
  | "cancelled"; // the caller cancelled the tool call; the request was aborted

/** A failure talking to the provider, already stripped of secrets. `message` is safe to show a user. */
export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    /** `notSent`: the call failed before anything was sent (e.g. cancelled before it started). */
    readonly details: { status?: number; retryAfterSeconds?: number; operation?: string; notSent?: boolean } = {},
  ) {
    super(message);
  }
}
