// Shared types and defaults for the Connect API emulator.
// Defaults live here (not in index.ts) so server.ts can import them without an
// index.ts <-> server.ts import cycle.

export const EMULATOR_DEFAULTS = {
  projectId: "proj_emulator",
  clientId: "emulator-client-id",
  clientSecret: "emulator-client-secret",
  environment: "development",
  externalUserId: "demo-user",
} as const;

/**
 * The environment that points connect-mcp at an emulator at `url`, as a user sets it (`connect-mcp
 * emulator` prints it; scripts, benches and tests use it). CONNECT_MCP_DB is :memory: because
 * server state (cached Connect Links, handles) must not outlive the emulator's demo data.
 */
export function emulatorEnv(url: string): Record<string, string> {
  return {
    PIPEDREAM_BASE_URL: url,
    PIPEDREAM_CLIENT_ID: EMULATOR_DEFAULTS.clientId,
    PIPEDREAM_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret,
    PIPEDREAM_PROJECT_ID: EMULATOR_DEFAULTS.projectId,
    PIPEDREAM_PROJECT_ENVIRONMENT: EMULATOR_DEFAULTS.environment,
    PIPEDREAM_EXTERNAL_USER_ID: EMULATOR_DEFAULTS.externalUserId,
    CONNECT_MCP_DB: ":memory:",
  };
}

export interface EmulatorOptions {
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 0 (ephemeral); the CLI passes 4010. */
  port?: number;
  projectId?: string;
  clientId?: string;
  clientSecret?: string;
  /** `expires_in` of issued OAuth access tokens. Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Default page size of list endpoints when no `limit` is given. Default 5 (small on purpose). */
  pageSize?: number;
  /** Optional request log sink (one line per request). Default: silent. */
  log?: (line: string) => void;
  /**
   * Extra catalog entries served next to the seed ones (for search tests and benchmarks): apps
   * appear in the app directory, components can be listed and retrieved but not run.
   * `withoutSeedComponents` serves these components only (a search evaluation over a real
   * catalog, without the seed's made-up actions beside it).
   */
  extraCatalog?: { apps?: WireApp[]; components?: WireComponent[]; withoutSeedComponents?: boolean };
}

export interface RecordedRequest {
  method: string;
  /** Path as received (still percent-encoded), without the query string. */
  path: string;
  /** Query string of the request; repeated keys are joined with ",". */
  query: Record<string, string>;
  externalUserId?: string;
  accountId?: string;
  /** Response status; 0 while in flight, 499 if the client went away first. */
  status: number;
  /** ISO timestamp of arrival. */
  at: string;
  /**
   * Set when the exchange ended: false when the answer was sent completely, true when the
   * connection closed first (the client cancelled, or stopped reading a body it had enough of).
   */
  aborted?: boolean;
  /** ISO timestamp of the end of the exchange (answer sent, or connection closed). */
  endedAt?: string;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:41234 (no trailing slash); use as PIPEDREAM_BASE_URL. */
  url: string;
  port: number;
  /** Every request except /__emulator/* admin calls, in arrival order. */
  requests(): RecordedRequest[];
  /** Restore seed data; clear faults, the request log and issued access tokens. */
  reset(): void;
  /** Close the server and all keep-alive sockets promptly. */
  close(): Promise<void>;
}

export type Environment = "development" | "production";
export const ENVIRONMENTS: readonly Environment[] = ["development", "production"];

/** App object exactly as the wire carries it (snake_case). */
export interface WireApp {
  id: string;
  name_slug: string;
  name: string;
  auth_type: "oauth" | "keys" | "none";
  description: string;
  img_src: string;
  custom_fields_json: string;
  categories: string[];
  featured_weight: number;
  scope_profiles: { name: string; scopes: string[] }[];
}

/** Stored account; `toWireAccount` turns it into the wire shape. */
export interface StoredAccount {
  id: string;
  name: string;
  externalId: string;
  appSlug: string;
  healthy: boolean;
  dead: boolean;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  lastRefreshedAt: string | null;
  nextRefreshAt: string | null;
  authorizedScopes: string[];
  /** Values of the app's custom fields (e.g. zendesk `subdomain`). */
  customFields: Record<string, string>;
}

export interface StoredUser {
  id: string;
  externalId: string;
  createdAt: string;
  updatedAt: string;
}

/** A configurable prop; keys are camelCase on the wire, so this is also the wire shape. */
export interface ConfigurableProp {
  name: string;
  type: string;
  label?: string;
  description?: string;
  optional?: boolean;
  disabled?: boolean;
  readOnly?: boolean;
  hidden?: boolean;
  remoteOptions?: boolean;
  useQuery?: boolean;
  reloadProps?: boolean;
  withLabel?: boolean;
  default?: unknown;
  options?: unknown[];
  min?: number;
  max?: number;
  secret?: boolean;
  app?: string;
  alertType?: "info" | "neutral" | "warning" | "error";
  content?: string;
}

export interface Annotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
  title: string;
}

/** Component object on the wire. */
export interface WireComponent {
  key: string;
  name: string;
  version: string;
  component_type: "action";
  description: string;
  stash?: "optional" | "required";
  annotations: Annotations;
  configurable_props: ConfigurableProp[];
}

export interface PropOption {
  label: string;
  value: string | number | boolean;
}

export interface Observation {
  ts: number;
  k: string;
  msg?: string;
  err?: { name: string; message: string; stack?: string };
}

/** Thrown by handlers; the server turns it into `{"error": message}` with `status`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}
