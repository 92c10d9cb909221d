/**
 * Entry to the Composio provider. The client is loaded on the first call that needs Composio,
 * not at start-up (the server answers `tools/list` before that).
 */
import { lazyProvider } from "../lazy.js";
import type { ConnectProvider } from "../provider.js";
import type { ComposioProviderOptions } from "./client-provider.js";
import { composioOwnerOf } from "./owner.js";

export type { ComposioProviderOptions } from "./client-provider.js";

export function createComposioProvider(options: ComposioProviderOptions): ConnectProvider {
  return lazyProvider(() => import("./client-provider.js").then((m) => new m.ComposioProvider(options)), composioOwnerOf);
}
