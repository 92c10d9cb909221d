/**
 * The long-lived pieces a tool call needs (provider, catalog, store, config), built once per
 * process. When Connect credentials are missing the server still starts and lists its tools; each
 * call then fails with a message naming the variables to set.
 */
import type { Config } from "../config.js";
import { missingCredentials } from "../config.js";
import type { Logger } from "../logger.js";
import { createPipedreamProvider } from "../providers/pipedream/index.js";
import type { ConnectProvider } from "../providers/provider.js";
import { CatalogCache } from "../store/catalog-cache.js";
import type { Db } from "../store/db.js";
import { Catalog } from "./catalog.js";
import { ToolError } from "./errors.js";
import type { Identity } from "./identity.js";
import type { CallPolicy } from "./policy.js";

export interface Services {
  config: Config;
  provider: ConnectProvider;
  catalog: Catalog;
}

export type ServicesOrReason = { ok: true; services: Services } | { ok: false; reason: string };

export function createServices(config: Config, db: Db, logger: Logger): ServicesOrReason {
  const missing = missingCredentials(config);
  if (missing.length) {
    return {
      ok: false,
      reason: `connect-mcp is not configured to reach Pipedream Connect: set ${missing.join(", ")} (and PIPEDREAM_EXTERNAL_USER_ID, PIPEDREAM_PROJECT_ENVIRONMENT) in the server's environment or config file, then restart it. \`connect-mcp doctor\` checks the setup.`,
    };
  }
  const provider = createPipedreamProvider({
    clientId: config.clientId!,
    clientSecret: config.clientSecret!,
    projectId: config.projectId!,
    environment: config.environment,
    baseUrl: config.baseUrl,
    timeoutMs: config.upstreamTimeoutMs,
    onTokenRejected: () => logger.warn("Connect rejected the access token; fetching a new one"),
  });
  const cache = new CatalogCache(db, `${config.baseUrl}|${config.projectId}|${config.environment}`, config.catalogTtlSeconds * 1000);
  return { ok: true, services: { config, provider, catalog: new Catalog(provider, cache) } };
}

/** Everything a tool handler gets: who is calling and how to reach Connect. */
export interface ToolContext {
  identity: Identity;
  logger: Logger;
  /** The services, or a ToolError saying what to configure. */
  services(): Services;
  /** This call's policy: tools call it once they know what they are about to do (see core/policy.ts). */
  policy: CallPolicy;
}

export function makeToolContext(identity: Identity, logger: Logger, services: ServicesOrReason): Omit<ToolContext, "policy"> {
  return {
    identity,
    logger,
    services() {
      if (!services.ok) throw new ToolError(services.reason);
      return services.services;
    },
  };
}
