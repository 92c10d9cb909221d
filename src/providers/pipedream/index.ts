/**
 * Entry to the Pipedream provider. `@pipedream/sdk` takes ~300 ms to import, so it is loaded on the
 * first call that needs Connect, not at start-up: the server answers `tools/list` before that.
 */
import { lazyProvider } from "../lazy.js";
import type { ConnectProvider } from "../provider.js";
import { pipedreamOwnerOf } from "./owner.js";
import type { PipedreamProviderOptions } from "./sdk-provider.js";

export type { PipedreamProviderOptions } from "./sdk-provider.js";

export function createPipedreamProvider(options: PipedreamProviderOptions): ConnectProvider {
  return lazyProvider(() => import("./sdk-provider.js").then((m) => new m.PipedreamProvider(options)), pipedreamOwnerOf);
}
