/**
 * buildServer: one McpServer with the five tools, for one connection (stdio) or one request (HTTP).
 * Cheap to build: everything long-lived (provider, SQLite, caches) lives in `ServerDeps`.
 */
import { McpServer } from "@modelcontextprotocol/server";
import type { Config } from "./config.js";
import { ConnectRequiredError, connectRequiredResult } from "./core/connect.js";
import { describeFailure } from "./core/errors.js";
import type { Identity } from "./core/identity.js";
import { failure } from "./core/results.js";
import { makeToolContext, type ServicesOrReason } from "./core/services.js";
import type { Logger } from "./logger.js";
import { TOOLS } from "./tools/index.js";
import { VERSION } from "./version.js";

export interface ServerDeps {
  config: Config;
  logger: Logger;
  services: ServicesOrReason;
}

const INSTRUCTIONS =
  "connect-mcp acts in the user's connected apps through Pipedream Connect. " +
  "Start with list_accounts. If you know the app's HTTP API, use api_proxy; otherwise list_actions → describe_action → run_action.";

export function buildServer(deps: ServerDeps, identity: Identity): McpServer {
  const server = new McpServer(
    { name: "connect-mcp", version: VERSION },
    {
      capabilities: { tools: { listChanged: false } },
      instructions: INSTRUCTIONS,
      // The tool list is the same for every caller and never changes while the server runs.
      cacheHints: { "tools/list": { ttlMs: 3_600_000, cacheScope: "public" } },
    },
  );
  const ctx = makeToolContext(identity, deps.logger, deps.services);
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: tool.annotations,
      },
      async (args: unknown) => {
        const started = Date.now();
        try {
          const result = await tool.handler(args as never, ctx);
          deps.logger.debug({ tool: tool.name, ms: Date.now() - started, isError: result.isError === true }, "tool call");
          return result;
        } catch (err) {
          // An app the user has not connected (or must reconnect) is an answer, not an error.
          if (err instanceof ConnectRequiredError) return connectRequiredResult(ctx, err);
          const view = describeFailure(err);
          if (view.internal) deps.logger.error({ tool: tool.name, err }, "tool failed unexpectedly");
          else deps.logger.info({ tool: tool.name, ms: Date.now() - started, reason: view.message }, "tool call refused");
          return failure(view.message, view.detail);
        }
      },
    );
  }
  return server;
}
