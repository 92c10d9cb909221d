/**
 * The providers a configuration turns on, behind one registry: Pipedream Connect when its
 * `PIPEDREAM_*` credentials are set, Composio when `COMPOSIO_API_KEY` is; both may be on. The
 * only module that knows every provider; core gets the registry as a plain ConnectProvider.
 */
import { missingCredentials, pipedreamRequested, type Config } from "../config.js";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { CredentialStore } from "../store/credentials.js";
import { createComposioProvider } from "./composio/index.js";
import { createLocalProvider } from "./local/index.js";
import { createPipedreamProvider } from "./pipedream/index.js";
import type { ProviderName } from "./provider.js";
import { ProviderRegistry, type NamedProvider } from "./registry.js";

export interface ProviderBuildOptions {
  timeoutMs?: number;
  /** Called when Connect rejects an access token and a new one is fetched. */
  onTokenRejected?: () => void;
  /** Where provider clients log (never stdout). */
  warn?: (message: string) => void;
  /** Local connectors' encrypted credentials (without it, only mock and auth-"none" connectors work). */
  credentials?: CredentialStore;
}

export type ProvidersOrReason =
  | {
      ok: true;
      registry: ProviderRegistry;
      /**
       * Identifies what the providers serve (API base, project), for caches: a cache written for
       * one deployment is never read by another.
       */
      scope: string;
    }
  | { ok: false; reason: string };

/** `base|project|environment`, as the catalog cache has always been keyed for Pipedream. */
function pipedreamScope(config: Config): string {
  return `${config.baseUrl}|${config.projectId}|${config.environment}`;
}

export function providersFromConfig(config: Config, options: ProviderBuildOptions = {}): ProvidersOrReason {
  const entries: NamedProvider[] = [];
  const scopes: string[] = [];
  if (config.connectors.length) {
    // First: a connector's slug, keys and account ids are its own even where a hosted app shares the slug.
    entries.push({
      name: "local",
      provider: createLocalProvider({
        connectors: config.connectors,
        mockAll: config.mock,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        timeoutMs: options.timeoutMs ?? config.upstreamTimeoutMs,
      }),
    });
    scopes.push(`local|${localFingerprint(config)}`);
  }
  const missing = missingCredentials(config);
  // Pipedream is the default provider, unless another one (Composio, local connectors) is configured.
  const wantsPipedream = pipedreamRequested(config) || (!config.composioApiKey && config.connectors.length === 0);
  if (wantsPipedream && missing.length) {
    const or = config.composioApiKey ? "" : " (or COMPOSIO_API_KEY, for Composio)";
    return {
      ok: false,
      reason: `connect-mcp is not configured to reach Pipedream Connect: set ${missing.join(", ")}${or} (and CONNECT_MCP_EXTERNAL_USER_ID or PIPEDREAM_EXTERNAL_USER_ID, PIPEDREAM_PROJECT_ENVIRONMENT) in the server's environment or config file, then restart it. \`connect-mcp doctor\` checks the setup.`,
    };
  }
  if (wantsPipedream) {
    entries.push({
      name: "pipedream",
      provider: createPipedreamProvider({
        clientId: config.clientId!,
        clientSecret: config.clientSecret!,
        projectId: config.projectId!,
        environment: config.environment,
        baseUrl: config.baseUrl,
        timeoutMs: options.timeoutMs ?? config.upstreamTimeoutMs,
        ...(options.onTokenRejected ? { onTokenRejected: options.onTokenRejected } : {}),
      }),
    });
    scopes.push(pipedreamScope(config));
  }
  if (config.composioApiKey) {
    entries.push({
      name: "composio",
      provider: createComposioProvider({
        apiKey: config.composioApiKey,
        baseUrl: config.composioBaseUrl,
        timeoutMs: options.timeoutMs ?? config.upstreamTimeoutMs,
        toolkitVersions: config.composioToolkitVersions,
        ...(options.warn ? { warn: options.warn } : {}),
      }),
    });
    // The key stands for the Composio project; only a fingerprint of it is kept.
    const fingerprint = createHash("sha256").update(config.composioApiKey).digest("hex").slice(0, 12);
    const pins = Object.entries(config.composioToolkitVersions).sort().map(([k, v]) => `${k}=${v}`).join(",");
    scopes.push(`composio|${config.composioBaseUrl}|${fingerprint}${pins ? `|${pins}` : ""}`);
  }
  return { ok: true, registry: new ProviderRegistry(entries), scope: scopes.join(" + ") };
}

export function providerLabel(name: ProviderName): string {
  return name === "pipedream" ? "Pipedream Connect" : name === "composio" ? "Composio" : "local connectors";
}

/**
 * What the local connectors' definitions depend on: their declarations and their OpenAPI
 * documents' bytes, so cached definitions are never read after either changed.
 */
function localFingerprint(config: Config): string {
  const hash = createHash("sha256").update(JSON.stringify(config.connectors));
  for (const c of config.connectors) {
    if (!c.openapi) continue;
    try {
      hash.update(readFileSync(c.openapi));
    } catch {
      // unreadable: loading the connector reports it
    }
  }
  return hash.digest("hex").slice(0, 16);
}
