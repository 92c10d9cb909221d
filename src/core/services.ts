/**
 * The long-lived pieces a tool call needs (provider, catalog, store, config), built once per
 * process. When Connect credentials are missing the server still starts and lists its tools; each
 * call then fails with a message naming the variables to set.
 */
import type { Config } from "../config.js";
import { missingCredentials } from "../config.js";
import type { Logger } from "../logger.js";
import type { SamplingRequester } from "../providers/llm/sampling.js";
import { createPipedreamProvider } from "../providers/pipedream/index.js";
import type { ConnectProvider } from "../providers/provider.js";
import { CatalogCache } from "../store/catalog-cache.js";
import { CatalogSyncState } from "../store/catalog-sync.js";
import { ConnectLinkStore } from "../store/connect-links.js";
import { ConfigurationStore, ConversationDefaults } from "../store/configurations.js";
import type { Db } from "../store/db.js";
import { Catalog } from "./catalog.js";
import { ConnectLinks, retiringUsedLinks } from "./connect.js";
import { ToolError } from "./errors.js";
import type { Conversation } from "./conversation.js";
import type { Identity } from "./identity.js";
import type { CallPolicy } from "./policy.js";

export interface Services {
  config: Config;
  provider: ConnectProvider;
  catalog: Catalog;
  connectLinks: ConnectLinks;
  configurations: ConfigurationStore;
  defaults: ConversationDefaults;
}

export type ServicesOrReason = { ok: true; services: Services } | { ok: false; reason: string };

/** The Connect provider for a config whose credentials are complete (see missingCredentials). */
export function providerFromConfig(config: Config, options: { timeoutMs?: number; onTokenRejected?: () => void } = {}): ConnectProvider {
  return createPipedreamProvider({
    clientId: config.clientId!,
    clientSecret: config.clientSecret!,
    projectId: config.projectId!,
    environment: config.environment,
    baseUrl: config.baseUrl,
    timeoutMs: options.timeoutMs ?? config.upstreamTimeoutMs,
    ...(options.onTokenRejected ? { onTokenRejected: options.onTokenRejected } : {}),
  });
}

export function createServices(config: Config, db: Db, logger: Logger): ServicesOrReason {
  const missing = missingCredentials(config);
  if (missing.length) {
    return {
      ok: false,
      reason: `connect-mcp is not configured to reach Pipedream Connect: set ${missing.join(", ")} (and PIPEDREAM_EXTERNAL_USER_ID, PIPEDREAM_PROJECT_ENVIRONMENT) in the server's environment or config file, then restart it. \`connect-mcp doctor\` checks the setup.`,
    };
  }
  const scope = `${config.baseUrl}|${config.projectId}|${config.environment}`;
  const links = new ConnectLinkStore(db, scope);
  const pipedream = providerFromConfig(config, { onTokenRejected: () => logger.warn("Connect rejected the access token; fetching a new one") });
  const provider = retiringUsedLinks(pipedream, links);
  const cache = new CatalogCache(db, scope, config.catalogTtlSeconds * 1000);
  return {
    ok: true,
    services: {
      config,
      provider,
      catalog: new Catalog(provider, cache, new CatalogSyncState(db, scope, cache.enabled), { logger }),
      connectLinks: new ConnectLinks(provider, links, {
        successRedirectUri: config.connectSuccessRedirectUri,
        errorRedirectUri: config.connectErrorRedirectUri,
        webhookUri: config.connectWebhookUri,
      }),
      configurations: new ConfigurationStore(db, config.configurationTtlSeconds * 1000),
      defaults: new ConversationDefaults(db),
    },
  };
}

/** Everything a tool handler gets: who is calling, in which conversation and mode, and how to reach Connect. */
export interface ToolContext {
  identity: Identity;
  mode: Config["toolMode"];
  /** The conversation this call belongs to, when the client named one (or its legacy session). */
  conversation?: Conversation;
  /** The client's model through MCP sampling, when this connection offers it (2025-era clients). */
  sampling?: SamplingRequester;
  logger: Logger;
  /** The services, or a ToolError saying what to configure. */
  services(): Services;
  /** This call's policy: tools call it once they know what they are about to do (see core/policy.ts). */
  policy: CallPolicy;
}

export function makeToolContext(
  identity: Identity,
  mode: Config["toolMode"],
  conversation: Conversation | undefined,
  logger: Logger,
  services: ServicesOrReason,
  sampling?: SamplingRequester,
): Omit<ToolContext, "policy"> {
  return {
    identity,
    mode,
    conversation,
    ...(sampling ? { sampling } : {}),
    logger,
    services() {
      if (!services.ok) throw new ToolError(services.reason);
      return services.services;
    },
  };
}
