/**
 * Configuration: one table of options, resolved once into a typed, validated Config.
 * Precedence: defaults ← config file ← environment ← command-line flags.
 *
 * The table is the single source for flags, env names, config-file keys and `--help`,
 * so the four can never drift apart.
 */
import { readFileSync } from "node:fs";
import { homedir, platform } from "node:os";
import { join } from "node:path";
import { z } from "zod";

export const TOOL_MODES = ["tools-only", "full-config", "sub-agent"] as const;
export type ToolMode = (typeof TOOL_MODES)[number];
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const positiveInt = z.coerce.number().int().positive();
const commaList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean));

/** One configurable option: its config-file key, CLI flag, env variable(s), schema and help text. */
interface OptionSpec {
  key: keyof ConfigShape;
  flag: string;
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
  httpToken: z.string().min(16, "must be at least 16 characters").optional(),
  upstreamTimeoutMs: positiveInt,
  catalogTtlSeconds: z.coerce.number().int().min(0),
  configurationTtlSeconds: positiveInt,
  llmProvider: z.enum(["auto", "openai", "anthropic", "sampling"]),
  llmBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  llmApiKey: z.string().min(1).optional(),
  llmModel: z.string().min(1).optional(),
  subagentMaxSteps: z.coerce.number().int().min(1).max(100),
  subagentTimeoutMs: positiveInt,
  maxBodyBytes: positiveInt,
  allowedHosts: commaList,
  allowedOrigins: commaList,
});

type ConfigShape = z.infer<typeof configSchema>;
export type Config = ConfigShape & {
  /** The config file that was read, if any (for doctor and logs). */
  configFile?: string;
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
  { key: "subagentMaxSteps", flag: "subagent-max-steps", env: ["CONNECT_MCP_SUBAGENT_MAX_STEPS"], schema: configSchema.shape.subagentMaxSteps, help: "most model calls one sub-agent run may make (default 12)" },
  { key: "subagentTimeoutMs", flag: "subagent-timeout-ms", env: ["CONNECT_MCP_SUBAGENT_TIMEOUT_MS"], schema: configSchema.shape.subagentTimeoutMs, help: "wall-time limit of one sub-agent run, ms (default 120000)" },
  { key: "configurationTtlSeconds", flag: "configuration-ttl-seconds", env: ["CONNECT_MCP_CONFIGURATION_TTL_SECONDS"], schema: configSchema.shape.configurationTtlSeconds, help: "how long an idle configuration handle stays usable (full-config; default 3600)" },
  { key: "db", flag: "db", env: ["CONNECT_MCP_DB"], schema: configSchema.shape.db, help: "SQLite file (default under the user's state directory; ':memory:' allowed)" },
  { key: "logLevel", flag: "log-level", env: ["CONNECT_MCP_LOG_LEVEL"], schema: configSchema.shape.logLevel, help: "fatal|error|warn|info|debug|trace|silent (logs go to stderr; default info)" },
  { key: "clientId", flag: "client-id", env: ["PIPEDREAM_CLIENT_ID"], schema: configSchema.shape.clientId, help: "Pipedream OAuth client id" },
  { key: "clientSecret", flag: "client-secret", env: ["PIPEDREAM_CLIENT_SECRET"], schema: configSchema.shape.clientSecret, help: "Pipedream OAuth client secret (prefer the env var)", secret: true },
  { key: "projectId", flag: "project-id", env: ["PIPEDREAM_PROJECT_ID"], schema: configSchema.shape.projectId, help: "Pipedream project id (proj_…)" },
  { key: "environment", flag: "environment", env: ["PIPEDREAM_PROJECT_ENVIRONMENT", "PIPEDREAM_ENVIRONMENT"], schema: configSchema.shape.environment, help: "development | production (default production)" },
  { key: "baseUrl", flag: "base-url", env: ["PIPEDREAM_BASE_URL"], schema: configSchema.shape.baseUrl, help: "Connect API base URL (default https://api.pipedream.com; point at the emulator locally)" },
  { key: "externalUserId", flag: "external-user-id", env: ["PIPEDREAM_EXTERNAL_USER_ID"], schema: configSchema.shape.externalUserId, help: "the end user whose accounts are used (stdio and single-user HTTP)" },
  { key: "httpToken", flag: "http-token", env: ["CONNECT_MCP_HTTP_TOKEN"], schema: configSchema.shape.httpToken, help: "bearer token required on HTTP (prefer the env var)", secret: true },
  { key: "upstreamTimeoutMs", flag: "upstream-timeout-ms", env: ["CONNECT_MCP_UPSTREAM_TIMEOUT_MS"], schema: configSchema.shape.upstreamTimeoutMs, help: "timeout for each call to Connect, ms (default 60000)" },
  { key: "catalogTtlSeconds", flag: "catalog-ttl-seconds", env: ["CONNECT_MCP_CATALOG_TTL_SECONDS"], schema: configSchema.shape.catalogTtlSeconds, help: "how long action definitions stay cached (default 3600; 0 disables)" },
  { key: "maxBodyBytes", flag: "max-body-bytes", env: ["CONNECT_MCP_MAX_BODY_BYTES"], schema: configSchema.shape.maxBodyBytes, help: "largest HTTP request body accepted (default 1048576)" },
  { key: "allowedHosts", flag: "allowed-hosts", env: ["CONNECT_MCP_ALLOWED_HOSTS"], schema: configSchema.shape.allowedHosts, help: "extra Host names accepted on HTTP, comma-separated (loopback names are always accepted on a loopback bind)" },
  { key: "allowedOrigins", flag: "allowed-origins", env: ["CONNECT_MCP_ALLOWED_ORIGINS"], schema: configSchema.shape.allowedOrigins, help: "extra browser Origin host names accepted on HTTP, comma-separated" },
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
    upstreamTimeoutMs: 60_000,
    catalogTtlSeconds: 3600,
    configurationTtlSeconds: 3600,
    llmProvider: "auto",
    subagentMaxSteps: 12,
    subagentTimeoutMs: 120_000,
    maxBodyBytes: 1_048_576,
    allowedHosts: [],
    allowedOrigins: [],
  };
}

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
    const name = opt.env.find((n) => nonEmpty(env[n]) !== undefined);
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
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      const opt = OPTIONS.find((o) => o.key === key);
      const shown = opt?.secret ? "(hidden)" : JSON.stringify(merged[key]);
      return `- ${origin[key] ?? key} = ${shown}: ${issue.message}${opt ? ` (${opt.help})` : ""}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  return { ...parsed.data, ...(configFile ? { configFile } : {}) };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v;
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
