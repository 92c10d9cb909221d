/**
 * Configuration: one table of options, resolved once into a typed, validated Config.
 * Precedence: defaults ← config file ← environment ← command-line flags.
 *
 * The table is the single source for flags, env names, config-file keys and `--help`,
 * so the four can never drift apart.
 */
import { readFileSync } from "node:fs";
import { homedir, platform } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";

export const TOOL_MODES = ["tools-only", "full-config", "sub-agent"] as const;
export type ToolMode = (typeof TOOL_MODES)[number];
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const positiveInt = z.coerce.number().int().positive();
const commaList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean));

/** "true"/"false"/"1"/"0"/"yes"/"no" from env and flags, real booleans from the config file. */
const bool = z.union([z.boolean(), z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes")]);
const appList = commaList.pipe(z.array(z.string().regex(/^[a-z0-9_]+$/i, "app slugs look like google_sheets")));

/** `github=20250909_00,slack=latest` (or a JSON object in the config file): toolkit → pinned version. */
const toolkitVersions = z
  .union([z.string(), z.record(z.string(), z.string())])
  .transform((v, ctx) => {
    if (typeof v !== "string") return v;
    const out: Record<string, string> = {};
    for (const part of v.split(",").map((p) => p.trim()).filter(Boolean)) {
      const [slug, version, ...rest] = part.split("=").map((x) => x.trim());
      if (!slug || !version || rest.length) {
        ctx.addIssue({ code: "custom", message: `"${part}" is not toolkit=version` });
        return z.NEVER;
      }
      out[slug.toLowerCase()] = version;
    }
    return out;
  })
  .pipe(z.record(z.string().regex(/^[a-z0-9_]+$/, "toolkit slugs look like github"), z.string().regex(/^(latest|\d{8}_\d{2})$/, "versions look like 20250909_00 (or latest)")));

/** What an operator lets agents do; deployment-wide, and per API key (a key's fields replace the deployment's). */
export const policySchema = z.strictObject({
  readOnly: z.boolean().optional(),
  allowApps: z.array(z.string().regex(/^[a-z0-9_]+$/i)).optional(),
  denyApps: z.array(z.string().regex(/^[a-z0-9_]+$/i)).optional(),
  confirmWrites: z.boolean().optional(),
  rateLimitPerMinute: z.number().int().min(0).optional(),
  rateLimitBurst: z.number().int().min(1).optional(),
});
export type PolicyOverrides = z.infer<typeof policySchema>;

/** An API key as stored in the config: never the key itself, only its SHA-256. */
const apiKeySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "id: 1-64 letters, digits, . _ -"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "sha256: 64 lowercase hex digits (connect-mcp api-key prints it)"),
  user: z.string().min(1).max(250),
  policy: policySchema.optional(),
});
export type ApiKeyEntry = z.infer<typeof apiKeySchema>;

/** A list given as JSON text (an env variable) or as a list (the config file). */
function jsonArray<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => {
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v);
    } catch {
      return v; // reported as "expected array"
    }
  }, z.array(item));
}

const apiKeys = jsonArray(apiKeySchema)
  .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, "two API keys share an id")
  .refine((keys) => new Set(keys.map((k) => k.sha256)).size === keys.length, "two API keys share a hash");

/**
 * Local connectors (src/providers/local/): the operator's own HTTP APIs, declared here or imported
 * from an OpenAPI document. Credentials never live here (`connect-mcp credentials set`).
 */
const httpUrl = z.url({ protocol: /^https?$/ });
const connectorAuthSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("none") }),
  z.strictObject({ type: z.literal("api_key"), in: z.enum(["header", "query"]), name: z.string().min(1).max(100).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "name: an HTTP header or query parameter name") }),
  z.strictObject({ type: z.literal("bearer") }),
  z.strictObject({ type: z.literal("basic") }),
  z.strictObject({
    type: z.literal("oauth2"),
    token_url: httpUrl,
    grant: z.enum(["client_credentials", "refresh_token"]),
    scopes: z.array(z.string().min(1)).optional(),
  }),
]);
export type ConnectorAuth = z.infer<typeof connectorAuthSchema>;

const resourceSchema = z.strictObject({
  slug: z.string().regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, "resource slugs look like list-events (lowercase, digits, - or _)").max(80),
  name: z.string().min(1).max(200).optional(),
  description: z.string().min(1).max(2000),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
  path: z.string().regex(/^\/[^\s?#]*$/, "path: starts with / (path parameters in {braces}, no query string)"),
  input: z.record(z.string(), z.unknown()).optional(),
  mock: z.unknown().optional(),
});
export type ConnectorResource = z.infer<typeof resourceSchema>;

const connectorSchema = z
  .strictObject({
    slug: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "connector slugs look like app slugs: lowercase letters, digits and _, e.g. billing_api"),
    name: z.string().min(1).max(200),
    base_url: httpUrl,
    auth: connectorAuthSchema,
    openapi: z.string().min(1).optional(),
    resources: z.array(resourceSchema).optional(),
    mock: z.boolean().optional(),
  })
  .refine((c) => c.openapi !== undefined || (c.resources?.length ?? 0) > 0, "a connector needs openapi (a document path) or resources (declared actions)")
  .refine((c) => new Set((c.resources ?? []).map((r) => r.slug)).size === (c.resources ?? []).length, "two resources share a slug");
export type ConnectorConfig = z.infer<typeof connectorSchema>;

const connectors = jsonArray(connectorSchema)
  .refine((list) => new Set(list.map((c) => c.slug)).size === list.length, "two connectors share a slug");

/** One configurable option: its config-file key, CLI flag, env variable(s), schema and help text. */
interface OptionSpec {
  key: keyof ConfigShape;
  /** Absent for structured options that only the config file (or env as JSON) can carry. */
  flag?: string;
  /** A switch: `--read-only` alone means true. */
  boolean?: boolean;
  env: readonly string[];
  schema: z.ZodType;
  help: string;
  secret?: boolean;
}

const configSchema = z.object({
  transport: z.enum(["stdio", "http"]),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  toolMode: z.enum(TOOL_MODES),
  db: z.string().min(1),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  logLevel: z.enum(LOG_LEVELS),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  projectId: z
    .string()
    .regex(/^proj_[a-zA-Z0-9]+$/, "must look like proj_xxxxxxx")
    .optional(),
  environment: z.enum(["development", "production"]),
  baseUrl: z.url({ protocol: /^https?$/ }),
  externalUserId: z.string().min(1).max(250).optional(),
  composioApiKey: z.string().min(1).optional(),
  composioBaseUrl: z.url({ protocol: /^https?$/ }),
  composioToolkitVersions: toolkitVersions,
  httpToken: z.string().min(16, "must be at least 16 characters").optional(),
  upstreamTimeoutMs: positiveInt,
  maxUpstreamBytes: positiveInt,
  resultMaxTokens: z.coerce.number().int().min(1000).max(1_000_000),
  catalogTtlSeconds: z.coerce.number().int().min(0),
  connectSuccessRedirectUri: z.url({ protocol: /^https?$/ }).optional(),
  connectErrorRedirectUri: z.url({ protocol: /^https?$/ }).optional(),
  connectWebhookUri: z.url({ protocol: /^https?$/ }).optional(),
  configurationTtlSeconds: positiveInt,
  llmProvider: z.enum(["auto", "openai", "anthropic", "sampling"]),
  llmBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  llmApiKey: z.string().min(1).optional(),
  llmModel: z.string().min(1).optional(),
  embeddingsModel: z.string().min(1).optional(),
  embeddingsBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  embeddingsApiKey: z.string().min(1).optional(),
  subagentMaxSteps: z.coerce.number().int().min(1).max(100),
  subagentTimeoutMs: positiveInt,
  maxBodyBytes: positiveInt,
  allowedHosts: commaList,
  allowedOrigins: commaList,
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  corsOrigins: commaList.pipe(z.array(z.union([z.literal("*"), z.url({ protocol: /^https?$/ })]))),
  maxConnections: z.coerce.number().int().min(0),
  apiKeys,
  jwtJwksUrl: z.url({ protocol: /^https?$/ }).optional(),
  jwtSecret: z.string().min(32, "must be at least 32 characters").optional(),
  jwtIssuer: z.string().min(1).optional(),
  jwtAudience: z.string().min(1).optional(),
  jwtUserClaim: z.string().min(1),
  authorizationServers: commaList.pipe(z.array(z.url({ protocol: /^https?$/ }))),
  readOnly: bool,
  allowApps: appList,
  denyApps: appList,
  confirmWrites: bool,
  confirmationTtlSeconds: z.coerce.number().int().min(10).max(86_400),
  rateLimitPerMinute: z.coerce.number().int().min(0),
  rateLimitBurst: z.coerce.number().int().min(1).optional(),
  rateLimitProjectPerMinute: z.coerce.number().int().min(0),
  auditRetentionDays: z.coerce.number().int().min(0),
  allowHttpProxyTargets: bool,
  connectors,
  mock: bool,
  secretKey: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v.trim()), "must be 32 bytes, base64-encoded (openssl rand -base64 32)")
    .optional(),
});

type ConfigShape = z.infer<typeof configSchema>;
export type Config = ConfigShape & {
  /** The config file that was read, if any (for doctor and logs). */
  configFile?: string;
  /** `serve --demo`: the backend is the in-process emulator; results and logs say so. */
  demo?: boolean;
  /** Where a SQLite path was set that `databaseUrl` overrides (doctor says so). */
  ignoredDbSource?: string;
};

export const OPTIONS: readonly OptionSpec[] = [
  { key: "transport", flag: "transport", env: ["CONNECT_MCP_TRANSPORT"], schema: configSchema.shape.transport, help: "stdio (default) or http" },
  { key: "host", flag: "host", env: ["CONNECT_MCP_HOST"], schema: configSchema.shape.host, help: "HTTP bind address (default 127.0.0.1)" },
  { key: "port", flag: "port", env: ["CONNECT_MCP_PORT"], schema: configSchema.shape.port, help: "HTTP port (default 3333; 0 picks a free port)" },
  { key: "toolMode", flag: "tool-mode", env: ["CONNECT_MCP_TOOL_MODE"], schema: configSchema.shape.toolMode, help: "full-config (default) | tools-only | sub-agent" },
  { key: "llmProvider", flag: "llm-provider", env: ["CONNECT_MCP_LLM_PROVIDER"], schema: configSchema.shape.llmProvider, help: "sub-agent model: auto (default: openai if a model is set, else MCP sampling) | openai | anthropic | sampling" },
  { key: "llmBaseUrl", flag: "llm-base-url", env: ["CONNECT_MCP_LLM_BASE_URL"], schema: configSchema.shape.llmBaseUrl, help: "OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1 (default OpenAI's; Anthropic's for anthropic)" },
  { key: "llmApiKey", flag: "llm-api-key", env: ["CONNECT_MCP_LLM_API_KEY"], schema: configSchema.shape.llmApiKey, help: "API key of the model endpoint (prefer the env var)", secret: true },
  { key: "llmModel", flag: "llm-model", env: ["CONNECT_MCP_LLM_MODEL"], schema: configSchema.shape.llmModel, help: "model name for the sub-agent, e.g. gpt-4.1-mini or claude-sonnet-4-5" },
  { key: "embeddingsModel", flag: "embeddings-model", env: ["CONNECT_MCP_EMBEDDINGS_MODEL"], schema: configSchema.shape.embeddingsModel, help: "embeddings model for optional semantic re-ranking of list_actions, e.g. text-embedding-3-small (default: off)" },
  { key: "embeddingsBaseUrl", flag: "embeddings-base-url", env: ["CONNECT_MCP_EMBEDDINGS_BASE_URL"], schema: configSchema.shape.embeddingsBaseUrl, help: "OpenAI-compatible base URL of the embeddings endpoint (default: --llm-base-url, else OpenAI's)" },
  { key: "embeddingsApiKey", flag: "embeddings-api-key", env: ["CONNECT_MCP_EMBEDDINGS_API_KEY"], schema: configSchema.shape.embeddingsApiKey, help: "API key of the embeddings endpoint (default: --llm-api-key; prefer the env var)", secret: true },
  { key: "subagentMaxSteps", flag: "subagent-max-steps", env: ["CONNECT_MCP_SUBAGENT_MAX_STEPS"], schema: configSchema.shape.subagentMaxSteps, help: "most model calls one sub-agent run may make (default 12)" },
  { key: "subagentTimeoutMs", flag: "subagent-timeout-ms", env: ["CONNECT_MCP_SUBAGENT_TIMEOUT_MS"], schema: configSchema.shape.subagentTimeoutMs, help: "wall-time limit of one sub-agent run, ms (default 120000)" },
  { key: "configurationTtlSeconds", flag: "configuration-ttl-seconds", env: ["CONNECT_MCP_CONFIGURATION_TTL_SECONDS"], schema: configSchema.shape.configurationTtlSeconds, help: "how long an idle configuration handle stays usable (full-config; default 3600)" },
  { key: "db", flag: "db", env: ["CONNECT_MCP_DB"], schema: configSchema.shape.db, help: "SQLite file (default under the user's state directory; ':memory:' allowed)" },
  { key: "databaseUrl", flag: "database-url", env: ["CONNECT_MCP_DATABASE_URL"], schema: configSchema.shape.databaseUrl, help: "postgres://user:password@host:5432/db: keep all state in PostgreSQL so several replicas share it (wins over --db; prefer the env var)", secret: true },
  { key: "logLevel", flag: "log-level", env: ["CONNECT_MCP_LOG_LEVEL"], schema: configSchema.shape.logLevel, help: "fatal|error|warn|info|debug|trace|silent (logs go to stderr; default info)" },
  { key: "clientId", flag: "client-id", env: ["PIPEDREAM_CLIENT_ID"], schema: configSchema.shape.clientId, help: "Pipedream OAuth client id" },
  { key: "clientSecret", flag: "client-secret", env: ["PIPEDREAM_CLIENT_SECRET"], schema: configSchema.shape.clientSecret, help: "Pipedream OAuth client secret (prefer the env var)", secret: true },
  { key: "projectId", flag: "project-id", env: ["PIPEDREAM_PROJECT_ID"], schema: configSchema.shape.projectId, help: "Pipedream project id (proj_…)" },
  { key: "environment", flag: "environment", env: ["PIPEDREAM_PROJECT_ENVIRONMENT", "PIPEDREAM_ENVIRONMENT"], schema: configSchema.shape.environment, help: "development | production (default production)" },
  { key: "baseUrl", flag: "base-url", env: ["PIPEDREAM_BASE_URL"], schema: configSchema.shape.baseUrl, help: "Connect API base URL (default https://api.pipedream.com; point at the emulator locally)" },
  { key: "externalUserId", flag: "external-user-id", env: ["PIPEDREAM_EXTERNAL_USER_ID", "CONNECT_MCP_EXTERNAL_USER_ID"], schema: configSchema.shape.externalUserId, help: "the end user whose accounts are used (stdio and single-user HTTP); Composio's user_id is the same id" },
  { key: "composioApiKey", flag: "composio-api-key", env: ["COMPOSIO_API_KEY"], schema: configSchema.shape.composioApiKey, help: "Composio project API key: turns the Composio provider on (prefer the env var)", secret: true },
  { key: "composioBaseUrl", flag: "composio-base-url", env: ["COMPOSIO_BASE_URL"], schema: configSchema.shape.composioBaseUrl, help: "Composio API base URL, without /api (default https://backend.composio.dev; point at the emulator locally)" },
  { key: "composioToolkitVersions", flag: "composio-toolkit-versions", env: ["COMPOSIO_TOOLKIT_VERSIONS"], schema: configSchema.shape.composioToolkitVersions, help: "pin Composio toolkit versions, e.g. github=20250909_00,slack=20251001_00 (default: the latest when first described, then kept with the cached definition)" },
  { key: "httpToken", flag: "http-token", env: ["CONNECT_MCP_HTTP_TOKEN"], schema: configSchema.shape.httpToken, help: "bearer token required on HTTP (prefer the env var)", secret: true },
  { key: "upstreamTimeoutMs", flag: "upstream-timeout-ms", env: ["CONNECT_MCP_UPSTREAM_TIMEOUT_MS"], schema: configSchema.shape.upstreamTimeoutMs, help: "timeout for each call to Connect, ms (default 60000)" },
  { key: "resultMaxTokens", flag: "result-max-tokens", env: ["CONNECT_MCP_RESULT_MAX_TOKENS"], schema: configSchema.shape.resultMaxTokens, help: "token budget of one tool result, text and structured content together (default 8000); a larger result is cut, keeping its shape, and kept 1 h for result_id" },
  { key: "maxUpstreamBytes", flag: "max-upstream-bytes", env: ["CONNECT_MCP_MAX_UPSTREAM_BYTES"], schema: configSchema.shape.maxUpstreamBytes, help: "most bytes of an upstream (api_proxy) body read; the rest is not downloaded (default 8388608)" },
  { key: "catalogTtlSeconds", flag: "catalog-ttl-seconds", env: ["CONNECT_MCP_CATALOG_TTL_SECONDS"], schema: configSchema.shape.catalogTtlSeconds, help: "how long action definitions stay cached (default 3600; 0 disables)" },
  { key: "connectSuccessRedirectUri", flag: "connect-success-redirect-uri", env: ["CONNECT_MCP_CONNECT_SUCCESS_REDIRECT_URI"], schema: configSchema.shape.connectSuccessRedirectUri, help: "where a Connect Link sends the user after connecting an app (default: Pipedream's page)" },
  { key: "connectErrorRedirectUri", flag: "connect-error-redirect-uri", env: ["CONNECT_MCP_CONNECT_ERROR_REDIRECT_URI"], schema: configSchema.shape.connectErrorRedirectUri, help: "where a Connect Link sends the user when connecting fails (default: Pipedream's page)" },
  { key: "connectWebhookUri", flag: "connect-webhook-uri", env: ["CONNECT_MCP_CONNECT_WEBHOOK_URI"], schema: configSchema.shape.connectWebhookUri, help: "URL that receives Connect's CONNECTION_SUCCESS / CONNECTION_ERROR events for links this server creates" },
  { key: "maxBodyBytes", flag: "max-body-bytes", env: ["CONNECT_MCP_MAX_BODY_BYTES"], schema: configSchema.shape.maxBodyBytes, help: "largest HTTP request body accepted (default 1048576)" },
  { key: "allowedHosts", flag: "allowed-hosts", env: ["CONNECT_MCP_ALLOWED_HOSTS"], schema: configSchema.shape.allowedHosts, help: "Host names accepted on HTTP besides the bind address (on 0.0.0.0/::, the machine's IPs; loopback names on a loopback bind), comma-separated; a non-loopback one needs authentication" },
  { key: "allowedOrigins", flag: "allowed-origins", env: ["CONNECT_MCP_ALLOWED_ORIGINS"], schema: configSchema.shape.allowedOrigins, help: "extra browser Origin host names accepted on HTTP, comma-separated; a non-loopback one needs authentication" },
  { key: "publicUrl", flag: "public-url", env: ["CONNECT_MCP_PUBLIC_URL"], schema: configSchema.shape.publicUrl, help: "the /mcp URL clients use behind a reverse proxy (OAuth resource id and metadata URL)" },
  { key: "corsOrigins", flag: "cors-origins", env: ["CONNECT_MCP_CORS_ORIGINS"], schema: configSchema.shape.corsOrigins, help: "browser origins allowed by CORS, comma-separated (https://app.example.com, or *); * or a non-loopback origin needs authentication" },
  { key: "maxConnections", flag: "max-connections", env: ["CONNECT_MCP_MAX_CONNECTIONS"], schema: configSchema.shape.maxConnections, help: "most simultaneous HTTP connections (default 1024; 0 = no limit)" },
  { key: "apiKeys", env: ["CONNECT_MCP_API_KEYS"], schema: configSchema.shape.apiKeys, help: "API keys: [{id, sha256, user, policy?}] (config file, or JSON in the env var)", secret: true },
  { key: "jwtJwksUrl", flag: "jwt-jwks-url", env: ["CONNECT_MCP_JWT_JWKS_URL"], schema: configSchema.shape.jwtJwksUrl, help: "accept JWT bearer tokens signed by a key from this JWKS URL" },
  { key: "jwtSecret", flag: "jwt-secret", env: ["CONNECT_MCP_JWT_SECRET"], schema: configSchema.shape.jwtSecret, help: "accept HS256/384/512 JWTs signed with this shared secret, 32+ chars (prefer the env var)", secret: true },
  { key: "jwtIssuer", flag: "jwt-issuer", env: ["CONNECT_MCP_JWT_ISSUER"], schema: configSchema.shape.jwtIssuer, help: "required JWT iss" },
  { key: "jwtAudience", flag: "jwt-audience", env: ["CONNECT_MCP_JWT_AUDIENCE"], schema: configSchema.shape.jwtAudience, help: "required JWT aud" },
  { key: "jwtUserClaim", flag: "jwt-user-claim", env: ["CONNECT_MCP_JWT_USER_CLAIM"], schema: configSchema.shape.jwtUserClaim, help: "JWT claim holding the end user's external_user_id (default sub)" },
  { key: "authorizationServers", flag: "authorization-servers", env: ["CONNECT_MCP_AUTHORIZATION_SERVERS"], schema: configSchema.shape.authorizationServers, help: "OAuth authorization servers advertised in the protected-resource metadata (default the JWT issuer)" },
  { key: "readOnly", boolean: true, flag: "read-only", env: ["CONNECT_MCP_READ_ONLY"], schema: configSchema.shape.readOnly, help: "only read-only actions, and only reads through api_proxy (GET, but not a GET that writes on an RPC-style API such as Slack's)" },
  { key: "allowApps", flag: "allow-apps", env: ["CONNECT_MCP_ALLOW_APPS"], schema: configSchema.shape.allowApps, help: "only these app slugs may be used, comma-separated" },
  { key: "denyApps", flag: "deny-apps", env: ["CONNECT_MCP_DENY_APPS"], schema: configSchema.shape.denyApps, help: "these app slugs may not be used, comma-separated" },
  { key: "confirmWrites", boolean: true, flag: "confirm-writes", env: ["CONNECT_MCP_CONFIRM_WRITES"], schema: configSchema.shape.confirmWrites, help: "writes return a preview and a confirmation_token; only a second call with it runs them" },
  { key: "confirmationTtlSeconds", flag: "confirmation-ttl-seconds", env: ["CONNECT_MCP_CONFIRMATION_TTL_SECONDS"], schema: configSchema.shape.confirmationTtlSeconds, help: "how long a confirmation_token stays valid (default 300)" },
  { key: "rateLimitPerMinute", flag: "rate-limit-per-minute", env: ["CONNECT_MCP_RATE_LIMIT_PER_MINUTE"], schema: configSchema.shape.rateLimitPerMinute, help: "tool calls per end user per minute, token bucket refill (default: no limit on stdio, 60 on HTTP — a third of the project budget; 0 = no limit)" },
  { key: "rateLimitBurst", flag: "rate-limit-burst", env: ["CONNECT_MCP_RATE_LIMIT_BURST"], schema: configSchema.shape.rateLimitBurst, help: "token bucket size: calls an end user may make at once (default 30, but never more than the per-minute rate)" },
  { key: "rateLimitProjectPerMinute", flag: "rate-limit-project-per-minute", env: ["CONNECT_MCP_RATE_LIMIT_PROJECT_PER_MINUTE"], schema: configSchema.shape.rateLimitProjectPerMinute, help: "tool calls per minute for all users together, bursts of half that (default: no limit on stdio, 180 on HTTP — at most 990 per 5 min, under Connect's 1,000 proxy requests / 5 min per project; 0 = no limit)" },
  { key: "allowHttpProxyTargets", boolean: true, flag: "allow-http-proxy-targets", env: ["CONNECT_MCP_ALLOW_HTTP_PROXY_TARGETS"], schema: configSchema.shape.allowHttpProxyTargets, help: "let api_proxy send plain http:// requests (the user's credentials then travel unencrypted; default refused)" },
  { key: "connectors", env: ["CONNECT_MCP_CONNECTORS"], schema: configSchema.shape.connectors, help: "local connectors, your own HTTP APIs as apps: [{slug, name, base_url, auth, openapi?, resources?, mock?}] (config file, or JSON in the env var; see docs/local-connectors.md)" },
  { key: "mock", boolean: true, flag: "mock", env: ["CONNECT_MCP_MOCK"], schema: configSchema.shape.mock, help: "every local connector answers from its mock responses or OpenAPI examples: no call, no credential needed" },
  { key: "secretKey", env: ["CONNECT_MCP_SECRET_KEY"], schema: configSchema.shape.secretKey, help: "base64 32-byte key encrypting stored connector credentials (default: a key file created beside the database, mode 0600)", secret: true },
  { key: "auditRetentionDays", flag: "audit-retention-days", env: ["CONNECT_MCP_AUDIT_RETENTION_DAYS"], schema: configSchema.shape.auditRetentionDays, help: "days audit rows are kept (default 30; 0 = no audit log)" },
];

/** How `--help` and docs/configuration.md group the options (every option is in exactly one group). */
export const OPTION_GROUPS: ReadonlyArray<{ title: string; keys: ReadonlyArray<keyof ConfigShape> }> = [
  { title: "Pipedream Connect", keys: ["clientId", "clientSecret", "projectId", "environment", "externalUserId", "baseUrl", "upstreamTimeoutMs", "maxUpstreamBytes", "catalogTtlSeconds", "connectSuccessRedirectUri", "connectErrorRedirectUri", "connectWebhookUri"] },
  { title: "Composio", keys: ["composioApiKey", "composioBaseUrl", "composioToolkitVersions"] },
  { title: "Tools, results and the sub-agent's model", keys: ["toolMode", "resultMaxTokens", "configurationTtlSeconds", "llmProvider", "llmBaseUrl", "llmApiKey", "llmModel", "subagentMaxSteps", "subagentTimeoutMs", "embeddingsModel", "embeddingsBaseUrl", "embeddingsApiKey"] },
  { title: "Transport and HTTP", keys: ["transport", "host", "port", "httpToken", "allowedHosts", "allowedOrigins", "corsOrigins", "publicUrl", "maxBodyBytes", "maxConnections"] },
  { title: "Authentication for many users (HTTP)", keys: ["apiKeys", "jwtJwksUrl", "jwtSecret", "jwtIssuer", "jwtAudience", "jwtUserClaim", "authorizationServers"] },
  { title: "Policy and rate limits", keys: ["readOnly", "allowApps", "denyApps", "confirmWrites", "confirmationTtlSeconds", "rateLimitPerMinute", "rateLimitBurst", "rateLimitProjectPerMinute", "allowHttpProxyTargets"] },
  { title: "Local connectors (your own APIs)", keys: ["connectors", "mock", "secretKey"] },
  { title: "Storage and logs", keys: ["db", "databaseUrl", "logLevel", "auditRetentionDays"] },
];

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  const home = homedir();
  if (platform() === "win32") return join(env.LOCALAPPDATA ?? join(home, "AppData", "Local"), "connect-mcp", "connect-mcp.db");
  if (platform() === "darwin") return join(home, "Library", "Application Support", "connect-mcp", "connect-mcp.db");
  return join(env.XDG_STATE_HOME ?? join(home, ".local", "state"), "connect-mcp", "connect-mcp.db");
}

export function defaults(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  return {
    transport: "stdio",
    host: "127.0.0.1",
    port: 3333,
    toolMode: "full-config",
    db: defaultDbPath(env),
    logLevel: "info",
    environment: "production",
    baseUrl: "https://api.pipedream.com",
    composioBaseUrl: "https://backend.composio.dev",
    composioToolkitVersions: {},
    upstreamTimeoutMs: 60_000,
    maxUpstreamBytes: 8_388_608,
    resultMaxTokens: 8000,
    catalogTtlSeconds: 3600,
    configurationTtlSeconds: 3600,
    llmProvider: "auto",
    subagentMaxSteps: 12,
    subagentTimeoutMs: 120_000,
    maxBodyBytes: 1_048_576,
    allowedHosts: [],
    allowedOrigins: [],
    corsOrigins: [],
    maxConnections: 1024,
    apiKeys: [],
    jwtUserClaim: "sub",
    authorizationServers: [],
    readOnly: false,
    allowApps: [],
    denyApps: [],
    confirmWrites: false,
    confirmationTtlSeconds: 300,
    auditRetentionDays: 30,
    allowHttpProxyTargets: false,
    connectors: [],
    mock: false,
  };
}

/**
 * Defaults that depend on the transport, used only for keys the user did not set. Over stdio the
 * one local user is never throttled by surprise. Over HTTP, Connect's per-project quotas (proxy
 * 1,000 / 5 min — the tighter one; action runs 2,000 / 5 min) are shared: the whole server stays
 * under them (180 / min, bursts of 90: at most 990 in any 5 minutes), and one user gets a third.
 */
export const TRANSPORT_DEFAULTS = {
  stdio: { rateLimitPerMinute: 0, rateLimitProjectPerMinute: 0 },
  http: { rateLimitPerMinute: 60, rateLimitProjectPerMinute: 180 },
} as const;

/** Burst of the per-user bucket when none is set: at most this, and never more than its per-minute rate. */
export const DEFAULT_RATE_LIMIT_BURST = 30;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface ResolveInput {
  /** Values from command-line flags, keyed by config key (already parsed by the CLI). */
  flags?: Partial<Record<keyof ConfigShape, unknown>>;
  /** Path of a JSON config file (from --config or CONNECT_MCP_CONFIG). */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
}

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ConfigError(`config file ${path} must contain a JSON object`);
  }
  const known = new Set<string>(OPTIONS.map((o) => o.key));
  const unknown = Object.keys(data).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new ConfigError(`config file ${path} has unknown key(s): ${unknown.join(", ")}. Known keys: ${[...known].join(", ")}`);
  }
  return data as Record<string, unknown>;
}

/** Resolve defaults ← file ← env ← flags into a validated Config, or throw ConfigError naming every bad value. */
export function resolveConfig(input: ResolveInput = {}): Config {
  const env = input.env ?? process.env;
  const configFile = input.configFile ?? nonEmpty(env.CONNECT_MCP_CONFIG);
  const fromFile = configFile ? readConfigFile(configFile) : {};
  const merged: Record<string, unknown> = { ...defaults(env) };
  const origin: Record<string, string> = {};
  for (const [k, v] of Object.entries(fromFile)) {
    merged[k] = v;
    origin[k] = `config file key "${k}"`;
  }
  for (const opt of OPTIONS) {
    const set = opt.env.filter((n) => nonEmpty(env[n]) !== undefined);
    // Two names for the end user that disagree: acting for either could be the wrong person.
    if (opt.key === "externalUserId" && new Set(set.map((n) => env[n]!.trim())).size > 1) {
      throw new ConfigError(`invalid configuration: ${set.join(" and ")} are both set, to different values; set one of them.`);
    }
    const name = set[0];
    if (name) {
      merged[opt.key] = env[name];
      origin[opt.key] = `env ${name}`;
    }
  }
  for (const [k, v] of Object.entries(input.flags ?? {})) {
    if (v === undefined) continue;
    merged[k] = v;
    origin[k] = `flag --${OPTIONS.find((o) => o.key === k)?.flag ?? k}`;
  }
  const byTransport = TRANSPORT_DEFAULTS[merged.transport === "http" ? "http" : "stdio"];
  for (const [k, v] of Object.entries(byTransport)) if (!(k in origin)) merged[k] = v;
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      const opt = OPTIONS.find((o) => o.key === key);
      // A connector list is long: name the connector and the field instead of repeating the list.
      const shown = opt?.secret ? "(hidden)" : key === "connectors" ? "[…]" : JSON.stringify(merged[key]);
      const where = issue.path.length > 1 ? `${key === "connectors" ? connectorWhere(merged.connectors, issue.path.slice(1)) : issue.path.slice(1).join(".")}: ` : "";
      return `- ${origin[key] ?? key} = ${shown}: ${where}${issue.message}${opt ? ` (${opt.help})` : ""}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  checkJwtConfig(parsed.data);
  checkUpstreamUrls(parsed.data, origin, env);
  const overridden = parsed.data.databaseUrl && origin.db ? { ignoredDbSource: origin.db } : {};
  // A relative OpenAPI path is relative to the config file that names it (else to the working directory).
  const base = origin.connectors?.startsWith("config file") && configFile ? dirname(resolve(configFile)) : process.cwd();
  const resolvedConnectors = parsed.data.connectors.map((c) => (c.openapi && !isAbsolute(c.openapi) ? { ...c, openapi: resolve(base, c.openapi) } : c));
  return { ...parsed.data, connectors: resolvedConnectors, ...(configFile ? { configFile } : {}), ...overridden };
}

/** `connectors[1] ("billing").auth.type` for an issue inside the connector list. */
function connectorWhere(list: unknown, path: PropertyKey[]): string {
  const [index, ...rest] = path;
  const slug = Array.isArray(list) && typeof index === "number" ? (list[index] as { slug?: unknown } | undefined)?.slug : undefined;
  return `connectors[${String(index)}]${typeof slug === "string" ? ` ("${slug}")` : ""}${rest.length ? `.${rest.map(String).join(".")}` : ""}`;
}

/** JWT settings that only make sense together: one key source, and iss + aud always checked. */
function checkJwtConfig(c: ConfigShape): void {
  if (c.jwtJwksUrl && c.jwtSecret) throw new ConfigError("invalid configuration: set CONNECT_MCP_JWT_JWKS_URL or CONNECT_MCP_JWT_SECRET, not both.");
  if (!c.jwtJwksUrl && !c.jwtSecret) {
    if (c.jwtIssuer || c.jwtAudience) throw new ConfigError("invalid configuration: CONNECT_MCP_JWT_ISSUER/AUDIENCE are set but no key source: set CONNECT_MCP_JWT_JWKS_URL or CONNECT_MCP_JWT_SECRET.");
    return;
  }
  const missing = [!c.jwtIssuer && "CONNECT_MCP_JWT_ISSUER", !c.jwtAudience && "CONNECT_MCP_JWT_AUDIENCE"].filter(Boolean);
  if (missing.length) throw new ConfigError(`invalid configuration: JWT authentication needs ${missing.join(" and ")} (tokens are checked for both).`);
  if (c.jwtJwksUrl && new URL(c.jwtJwksUrl).protocol !== "https:" && !isLoopbackHost(new URL(c.jwtJwksUrl).hostname)) {
    throw new ConfigError("invalid configuration: CONNECT_MCP_JWT_JWKS_URL must be https:// (plain http only for a loopback address).");
  }
}

/**
 * Connect and the model endpoint receive secrets (client secret, access tokens, model API key, the
 * user's data): plain http:// only to a loopback address (the emulator, a local model server).
 * The model libraries fall back to OPENAI_BASE_URL / ANTHROPIC_BASE_URL, so those are checked too.
 */
function checkUpstreamUrls(c: ConfigShape, origin: Record<string, string>, env: NodeJS.ProcessEnv): void {
  const llmEnv = c.llmProvider === "anthropic" ? "ANTHROPIC_BASE_URL" : "OPENAI_BASE_URL";
  const apiModel = c.toolMode === "sub-agent" && (c.llmProvider === "openai" || c.llmProvider === "anthropic" || (c.llmProvider === "auto" && Boolean(c.llmModel)));
  const urls: Array<[where: string, url: string | undefined]> = [
    [origin.baseUrl ?? "PIPEDREAM_BASE_URL", c.baseUrl],
    [origin.composioBaseUrl ?? "COMPOSIO_BASE_URL", c.composioApiKey ? c.composioBaseUrl : undefined],
    c.llmBaseUrl !== undefined ? [origin.llmBaseUrl ?? "CONNECT_MCP_LLM_BASE_URL", c.llmBaseUrl] : [`env ${llmEnv}`, apiModel ? nonEmpty(env[llmEnv]) : undefined],
    [origin.embeddingsBaseUrl ?? "CONNECT_MCP_EMBEDDINGS_BASE_URL", c.embeddingsModel ? c.embeddingsBaseUrl : undefined],
    [`env OPENAI_BASE_URL`, c.embeddingsModel && !c.embeddingsBaseUrl && !c.llmBaseUrl ? nonEmpty(env.OPENAI_BASE_URL) : undefined],
  ];
  for (const [where, raw] of urls) {
    if (raw === undefined) continue;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(`invalid configuration: ${where} = ${JSON.stringify(raw)} is not a URL.`);
    }
    if (url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname))) continue;
    throw new ConfigError(
      `invalid configuration: ${where} = ${JSON.stringify(url.origin)} must be https:// (plain http:// only for a loopback address such as 127.0.0.1 or localhost), because secrets and user data are sent to it.`,
    );
  }
}

/** True when HTTP callers must authenticate (static token, API keys or JWTs). */
export function httpAuthConfigured(config: Config): boolean {
  return Boolean(config.httpToken) || config.apiKeys.length > 0 || Boolean(config.jwtJwksUrl || config.jwtSecret);
}

/**
 * What in this HTTP configuration lets other machines or any web page reach the server, when no
 * authentication is configured (then whoever reaches it acts as the single user): a non-loopback
 * bind, CORS `*`, or a non-loopback name among the accepted Host / Origin names. Undefined when
 * authentication is configured or nothing is exposed.
 */
export function unauthenticatedExposure(config: Config): { refusal: string; undo: string } | undefined {
  if (httpAuthConfigured(config)) return undefined;
  if (!isLoopbackHost(config.host)) return { refusal: `refusing to listen on ${config.host} without authentication`, undo: "bind 127.0.0.1" };
  const because = (why: string, undo: string) => ({ refusal: `refusing to start without authentication, as ${why}`, undo });
  if (config.corsOrigins.includes("*")) return because("--cors-origins * lets any web page call this server", 'remove "*" from --cors-origins');
  const outside = (flag: string, names: string[], who: string, hostOf = (n: string) => n) => {
    const far = names.filter((n) => !isLoopbackHost(hostOf(n)));
    return far.length ? because(`${flag} ${far.join(",")} lets ${who} reach this server`, `list only loopback names in ${flag}`) : undefined;
  };
  return (
    outside("--allowed-hosts", config.allowedHosts, "requests for that name") ??
    outside("--allowed-origins", config.allowedOrigins, "web pages from there") ??
    outside("--cors-origins", config.corsOrigins, "web pages from there", (o) => new URL(o).hostname)
  );
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v;
}

/** Whether any Pipedream credential is set (then all three must be). */
export function pipedreamRequested(config: Config): boolean {
  return Boolean(config.clientId || config.clientSecret || config.projectId);
}

/** What is missing for talking to Connect, as env var names; empty when credentials are complete. */
export function missingCredentials(config: Config): string[] {
  const missing: string[] = [];
  if (!config.clientId) missing.push("PIPEDREAM_CLIENT_ID");
  if (!config.clientSecret) missing.push("PIPEDREAM_CLIENT_SECRET");
  if (!config.projectId) missing.push("PIPEDREAM_PROJECT_ID");
  return missing;
}

/** The config with secrets masked, safe to print or log. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const opt of OPTIONS) if (opt.secret && out[opt.key] !== undefined) out[opt.key] = "***";
  return out;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}
