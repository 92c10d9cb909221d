/**
 * buildServer: one McpServer with the five tools, for one connection (stdio) or one request (HTTP).
 * Cheap to build: everything long-lived (provider, SQLite, caches) lives in `ServerDeps`.
 */
import { McpServer, type ServerContext } from "@modelcontextprotocol/server";
import type { Config } from "./config.js";
import type { Controls } from "./core/controls.js";
import type { Identity } from "./core/identity.js";
import { makeToolContext, type ServicesOrReason } from "./core/services.js";
import type { Logger } from "./logger.js";
import { TOOLS } from "./tools/index.js";
import { VERSION } from "./version.js";

export interface ServerDeps {
  config: Config;
  logger: Logger;
  services: ServicesOrReason;
  /** Rate limits, policy, confirmations and the audit log, around every tool call. */
  controls: Controls;
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
      async (args: unknown, extra: ServerContext) =>
        deps.controls.run(
          { identity, tool: tool.name, args: (args ?? {}) as Record<string, unknown>, requestId: extra.http?.req?.headers.get("x-request-id") ?? undefined },
          (policy) => tool.handler(args as never, { ...ctx, policy }),
        ),
    );
  }
  return server;
}
