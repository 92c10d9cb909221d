/**
 * A connector's operations, built once per process: its OpenAPI document read (JSON or YAML) and
 * `$ref`-resolved by @apidevtools/json-schema-ref-parser (local files only: no URL is fetched),
 * then its declared resources. A resource whose key is also an OpenAPI operation's replaces it.
 */
import type { ConnectorConfig } from "../../config.js";
import { ProviderError } from "../provider.js";
import { openApiOperations, resourceOperation, type LocalOperation, type SkippedOperation } from "./operations.js";

export interface LoadedConnector {
  config: ConnectorConfig;
  operations: Map<string, LocalOperation>;
  /** OpenAPI operations that were not imported, with why. */
  skipped: SkippedOperation[];
}

/** The OpenAPI document at `path`, every `$ref` resolved (circular ones are left as `$ref`). */
export async function readOpenApi(path: string): Promise<unknown> {
  const { default: $RefParser } = await import("@apidevtools/json-schema-ref-parser");
  return $RefParser.dereference(path, { resolve: { http: false }, dereference: { circular: "ignore" } } as never);
}

export async function loadConnector(config: ConnectorConfig): Promise<LoadedConnector> {
  const shape = { slug: config.slug, name: config.name, needsAccount: config.auth.type !== "none" };
  const operations = new Map<string, LocalOperation>();
  let skipped: SkippedOperation[] = [];
  if (config.openapi) {
    let doc: unknown;
    try {
      doc = await readOpenApi(config.openapi);
    } catch (err) {
      throw new ProviderError("malformed", `The OpenAPI document of the local connector "${config.slug}" (${config.openapi}) could not be read: ${(err as Error).message.slice(0, 300)}`, { operation: "load the connector", notSent: true });
    }
    try {
      const mapped = openApiOperations(shape, doc);
      for (const op of mapped.operations) operations.set(op.key, op);
      skipped = mapped.skipped;
    } catch (err) {
      throw new ProviderError("malformed", `The local connector "${config.slug}": ${config.openapi} is ${(err as Error).message}`, { operation: "load the connector", notSent: true });
    }
  }
  for (const r of config.resources ?? []) {
    const op = resourceOperation(shape, r);
    operations.set(op.key, op);
  }
  return { config, operations, skipped };
}
