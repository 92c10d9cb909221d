/**
 * The seam every credentials backend implements. Core and tools talk only to this interface;
 * `src/providers/pipedream/` is the one implementation and the only code that imports `@pipedream/sdk`.
 *
 * Shapes here are provider-neutral and already normalised (snake_case wire quirks, Date objects,
 * odd SDK response wrappers are the implementation's problem, not the caller's).
 */

/** The end user on whose behalf a call is made (Pipedream's `external_user_id`). */
export type ExternalUserId = string;

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
}

export interface AppPage {
  apps: AppInfo[];
  /** Upstream cursor for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface ConnectedAccount {
  id: string;
  name: string;
  app: AppInfo;
  healthy: boolean;
  dead: boolean;
  error?: string;
  createdAt?: string;
  updatedAt?: string;
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
}

export interface ConnectToken {
  token: string;
  expiresAt: string;
  connectLinkUrl: string;
}

/** Per-call options: the MCP request's abort signal, so a cancelled tool call stops its Connect request. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Epoch ms by which the call must be over: each request's timeout is cut to fit (retries share one budget). */
  deadline?: number;
}

export interface ConnectProvider {
  /** Fetch an access token (used by `doctor` to check credentials). */
  checkCredentials(): Promise<void>;
  listAccounts(user: ExternalUserId, filter?: { app?: string }, options?: CallOptions): Promise<ConnectedAccount[]>;
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
  createConnectToken(user: ExternalUserId, options?: { successRedirectUri?: string; errorRedirectUri?: string; webhookUri?: string }): Promise<ConnectToken>;
}

export type ProviderErrorKind =
  | "unauthorized" // Connect rejected our credentials (after one token refresh)
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
