/**
 * The long-lived pieces a tool call needs (provider, catalog, store, config), built once per
 * process. When no provider's credentials are set the server still starts and lists its tools;
 * each call then fails with a message naming the variables to set.
 *
 * `provider` is the registry of every configured provider (src/providers/registry.ts), wrapped
 * by the read retries and link bookkeeping; governance wraps it again per call. Nothing here
 * knows which provider answers.
 */
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { providersFromConfig } from "../providers/index.js";
import { OpenAiEmbeddings } from "../providers/llm/embeddings.js";
import type { SamplingRequester } from "../providers/llm/sampling.js";
import type { ConnectProvider } from "../providers/provider.js";
import { CatalogCache } from "../store/catalog-cache.js";
import { CatalogSyncState } from "../store/catalog-sync.js";
import { ConnectLinkStore } from "../store/connect-links.js";
import { credentialStore } from "../store/credentials.js";
import { ConfigurationStore, ConversationDefaults } from "../store/configurations.js";
import type { Db } from "../store/db.js";
import { EmbeddingStore } from "../store/embeddings.js";
import { Catalog } from "./catalog.js";
import { ConnectLinks, retiringUsedLinks } from "./connect.js";
import { ConnectedApps } from "./connected-apps.js";
import { ToolError } from "./errors.js";
import type { Conversation } from "./conversation.js";
import type { Identity } from "./identity.js";
import { governServices } from "./governance.js";
import { orphanedAfterMs, startOrphanSweep } from "./orphan-sweep.js";
import { DEFAULT_RETRY_POLICY, retryingReads } from "./retries.js";
import { SemanticReranker } from "./search/semantic.js";
import type { CallPolicy } from "./policy.js";

export interface Services {
  config: Config;
  provider: ConnectProvider;
  catalog: Catalog;
  connectLinks: ConnectLinks;
  /** list_actions' `connected` hint, per user, briefly. */
  connectedApps: ConnectedApps;
  configurations: ConfigurationStore;
  defaults: ConversationDefaults;
}

export type ServicesOrReason = { ok: true; services: Services } | { ok: false; reason: string };

export async function createServices(config: Config, db: Db, logger: Logger): Promise<ServicesOrReason> {
  let links: ConnectLinkStore | undefined;
  const built = providersFromConfig(config, {
    onTokenRejected: () => {
      // A token Connect accepted and now refuses: its state changed under us (revoked credentials,
      // or an emulator reset or restart). Connect tokens minted before are not trusted either:
      // handing one out could send the user to a link that says "unknown connect token".
      logger.warn("Connect rejected the access token; fetching a new one");
      links?.clear().then(
        (dropped) => logger.warn({ connect_links_dropped: dropped }, "dropped the Connect Links made with the rejected token"),
        (err: unknown) => logger.warn({ err: (err as Error).message }, "dropping the cached Connect Links failed"),
      );
    },
    warn: (message) => logger.warn(message),
    ...(config.connectors.length ? { credentials: credentialStore(db, config) } : {}),
  });
  if (!built.ok) return { ok: false, reason: built.reason };
  const { scope } = built;
  links = new ConnectLinkStore(db, scope);
  const provider = retiringUsedLinks(retryingReads(built.registry, { ...DEFAULT_RETRY_POLICY, budgetMs: config.upstreamTimeoutMs }), links);
  const cache = new CatalogCache(db, scope, config.catalogTtlSeconds * 1000);
  const configurations = new ConfigurationStore(db, config.configurationTtlSeconds * 1000);
  // A run no process is waiting for any more (crash, kill) may or may not have happened upstream.
  await startOrphanSweep(db, logger, {
    recover: () => configurations.recoverOrphanedRuns(orphanedAfterMs(config)),
    found: (count) => [{ configurations: count }, "runs left 'running' by a stopped process are now 'unknown' (rerun: true runs them again)"],
    failed: "looking for runs left running failed",
  });
  return {
    ok: true,
    services: {
      config,
      provider,
      catalog: new Catalog(provider, cache, new CatalogSyncState(db, scope, cache.enabled), { logger, ...semanticOption(config, db, logger) }),
      connectLinks: new ConnectLinks(provider, links, {
        successRedirectUri: config.connectSuccessRedirectUri,
        errorRedirectUri: config.connectErrorRedirectUri,
        webhookUri: config.connectWebhookUri,
      }),
      connectedApps: new ConnectedApps(),
      configurations,
      defaults: new ConversationDefaults(db),
    },
  };
}

/** How long one embeddings call may take before search answers with the lexical ranking alone. */
const EMBEDDINGS_TIMEOUT_MS = 10_000;

/** Semantic re-ranking of list_actions when an embeddings model is configured (else nothing). */
function semanticOption(config: Config, db: Db, logger: Logger): { semantic?: SemanticReranker } {
  if (!config.embeddingsModel) return {};
  const embeddings = new OpenAiEmbeddings({
    baseUrl: config.embeddingsBaseUrl ?? config.llmBaseUrl,
    apiKey: config.embeddingsApiKey ?? config.llmApiKey,
    model: config.embeddingsModel,
    timeoutMs: EMBEDDINGS_TIMEOUT_MS,
  });
  return { semantic: new SemanticReranker(embeddings, new EmbeddingStore(db), { logger }) };
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
  /**
   * The services, or a ToolError saying what to configure. Their provider and catalog are governed
   * by this call's policy and carry its abort signal (core/governance.ts): tools cannot bypass either.
   */
  services(): Services;
  /** This call's policy: tools call it once they know what they are about to do (see core/policy.ts). */
  policy: CallPolicy;
  /** Fires when the client cancels the call (or closes the HTTP request). */
  signal?: AbortSignal;
}

export interface ToolContextInit {
  identity: Identity;
  mode: Config["toolMode"];
  conversation?: Conversation;
  logger: Logger;
  services: ServicesOrReason;
  policy: CallPolicy;
  sampling?: SamplingRequester;
  signal?: AbortSignal;
}

export function makeToolContext(init: ToolContextInit): ToolContext {
  let governed: Services | undefined;
  return {
    identity: init.identity,
    mode: init.mode,
    conversation: init.conversation,
    ...(init.sampling ? { sampling: init.sampling } : {}),
    logger: init.logger,
    policy: init.policy,
    ...(init.signal ? { signal: init.signal } : {}),
    services() {
      if (!init.services.ok) throw new ToolError(init.services.reason);
      governed ??= governServices(init.services.services, { policy: init.policy, signal: init.signal });
      return governed;
    },
  };
}
