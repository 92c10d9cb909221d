/**
 * Entry to the Pipedream provider. `@pipedream/sdk` takes ~300 ms to import, so it is loaded on the
 * first call that needs Connect, not at start-up: the server answers `tools/list` before that.
 */
import type { ConnectProvider } from "../provider.js";
import { pipedreamOwnerOf } from "./owner.js";
import type { PipedreamProviderOptions } from "./sdk-provider.js";

export type { PipedreamProviderOptions } from "./sdk-provider.js";

export function createPipedreamProvider(options: PipedreamProviderOptions): ConnectProvider {
  let loaded: Promise<ConnectProvider> | undefined;
  const provider = () => (loaded ??= import("./sdk-provider.js").then((m) => new m.PipedreamProvider(options)));
  return {
    checkCredentials: async () => (await provider()).checkCredentials(),
    // Answered without loading the SDK.
    ownerOf: pipedreamOwnerOf,
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
