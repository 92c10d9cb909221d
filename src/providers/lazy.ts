/**
 * A provider whose implementation (and its SDK/client, slow to import) is loaded on the first call
 * that needs it, so the server answers `tools/list` before any of that happens. `ownerOf` is
 * answered from the id's form alone, without loading anything.
 */
import type { ConnectProvider } from "./provider.js";

export function lazyProvider(load: () => Promise<ConnectProvider>, ownerOf: ConnectProvider["ownerOf"]): ConnectProvider {
  let loaded: Promise<ConnectProvider> | undefined;
  const provider = () => (loaded ??= load());
  return {
    checkCredentials: async () => (await provider()).checkCredentials(),
    ownerOf,
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
