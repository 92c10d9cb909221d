/**
 * Entry to the local connectors provider (see provider.ts). Nothing slow is loaded here: OpenAPI
 * documents are read on the first call that needs a connector's actions.
 */
import type { ConnectProvider } from "../provider.js";
import { LocalProvider, type LocalProviderOptions } from "./provider.js";

export type { LocalProviderOptions } from "./provider.js";
export { credentialCommand, LOCAL_ACCOUNT_PREFIX } from "./provider.js";
export { credentialFields, credentialProblem } from "./auth.js";
export { confineToBase } from "./confine.js";
export { loadConnector } from "./load.js";

export function createLocalProvider(options: LocalProviderOptions): ConnectProvider {
  return new LocalProvider(options);
}
