/**
 * Entry to the Composio provider. The client is loaded on the first call that needs Composio,
 * not at start-up (the server answers `tools/list` before that).
 */
import type { ConnectProvider } from "../provider.js";
import type { ComposioProviderOptions } from "./client-provider.js";
import { composioOwnerOf } from "./owner.js";

export type { ComposioProviderOptions } from "./client-provider.js";

export function createComposioProvider(options: ComposioProviderOptions): ConnectProvider {
  let loaded: Promise<ConnectProvider> | undefined;
  const provider = () => (loaded ??= import("./client-provider.js").then((m) => new m.ComposioProvider(options)));
  return {
    checkCredentials: async () => (await provider()).checkCredentials(),
    // Answered without loading the client.
    ownerOf: composioOwnerOf,
    listAccounts: async (...a) => (await provider()).listAccounts(...a),
    getAccount: async (...a) => (await provider()).getAccount(...a),
    deleteAccount: async (...a) => (await provider()).deleteAccount(...a),
    getApp: async (...a) => (await provider()).getApp(...a),
    listApps: async (...a) => (await provider()).listApps(...a),
    listActions: async (...a) => (await provider()).listActions(...a),
    getAction: async (...a) => (await provider()).getAction(...a),
    configureProp: async (...a) => (await provider()).configureProp(...a),
    reloadProps: async (...a) => (await provider()).reloadProps(...a),
    runAction: async (...a) => (await provider()).runAction(...a),
    proxy: async (...a) => (await provider()).proxy(...a),
    createConnectLink: async (...a) => (await provider()).createConnectLink(...a),
  };
}
