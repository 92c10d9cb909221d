/**
 * buildServer: one McpServer with the five tools, for one connection (stdio) or one request (HTTP).
 * Cheap to build: everything long-lived (provider, SQLite, caches) lives in `ServerDeps`.
 */
import { McpServer, type ServerContext } from "@modelcontextprotocol/server";
import type { Config } from "./config.js";
import { ConnectRequiredError, connectRequiredResult } from "./core/connect.js";
import type { Controls } from "./core/controls.js";
import { conversationFrom } from "./core/conversation.js";
import type { Identity } from "./core/identity.js";
import { saneRequestId } from "./core/request-id.js";
import type { ToolResult } from "./core/results.js";
import { makeToolContext, type ServicesOrReason } from "./core/services.js";
import type { Logger } from "./logger.js";
import type { SamplingRequester } from "./providers/llm/sampling.js";
import { TOOLS } from "./tools/index.js";
import { listedAnnotations, listedSchema } from "./tools/listed-schema.js";
import { CAPABILITIES, DEMO_NOTE, DEMO_SERVER_NAME, INSTRUCTIONS, SERVER_NAME, VERSION } from "./server-info.js";

export interface ServerDeps {
  config: Config;
  logger: Logger;
  services: ServicesOrReason;
  /** Rate limits, policy, confirmations and the audit log, around every tool call. */
  controls: Controls;
}

/**
 * In `--demo`, every result says so (`demo: true` in structuredContent, "[demo]" before a plain
 * text), so nobody mistakes emulator data for their real accounts.
 */
function markDemo(result: ToolResult): ToolResult {
  const structured = result.structuredContent;
  const [first, ...others] = result.content;
  const wasJson = structured && first?.text === JSON.stringify(structured);
  const marked = structured ? { ...structured, demo: true } : undefined;
  const text = wasJson ? JSON.stringify(marked) : `[demo] ${first?.text ?? ""}`;
  return { ...result, content: [{ type: "text", text }, ...others], ...(marked ? { structuredContent: marked } : {}) };
}

export function buildServer(deps: ServerDeps, identity: Identity): McpServer {
  const server = new McpServer(
    { name: deps.config.demo ? DEMO_SERVER_NAME : SERVER_NAME, version: VERSION },
    {
      capabilities: CAPABILITIES,
      instructions: deps.config.demo ? INSTRUCTIONS + DEMO_NOTE : INSTRUCTIONS,
      // The tool list is the same for every caller and never changes while the server runs.
      cacheHints: { "tools/list": { ttlMs: 3_600_000, cacheScope: "public" } },
    },
  );
  const mode = deps.config.toolMode;
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.modes?.[mode]?.description ?? tool.description,
        inputSchema: listedSchema(tool.modes?.[mode]?.inputSchema ?? tool.inputSchema, "input"),
        outputSchema: listedSchema(tool.outputSchema, "output"),
        annotations: listedAnnotations(tool.annotations),
      },
      async (args: unknown, sdk: ServerContext) => {
        const conversation = conversationFrom({
          meta: sdk.mcpReq._meta as Record<string, unknown> | undefined,
          headers: sdk.http?.req?.headers,
          sessionId: sdk.sessionId,
        });
        // Sampling only on 2025-era connections whose client declared it (deprecated in 2026-07-28).
        const legacy = !sdk.mcpReq.envelope;
        const sampling: SamplingRequester | undefined =
          legacy && server.server.getClientCapabilities()?.sampling
            ? async (params) => sdk.mcpReq.requestSampling(params, { timeout: deps.config.subagentTimeoutMs })
            : undefined;
        const signal = sdk.mcpReq.signal;
        // The HTTP edge already replaced an unsafe X-Request-Id; checked again so no path passes a raw one to the audit log.
        const result = await deps.controls.run(
          { identity, tool: tool.name, args: (args ?? {}) as Record<string, unknown>, dataField: tool.dataField, requestId: saneRequestId(sdk.http?.req?.headers.get("x-request-id")) },
          (policy) => {
            const ctx = makeToolContext({ identity, mode, conversation, logger: deps.logger, services: deps.services, policy, sampling, signal });
            // An app the user has not connected (or must reconnect) is an answer, not an error —
            // if the policy lets this caller use the app at all.
            return tool.handler(args as never, ctx).catch((err: unknown) => {
              if (!(err instanceof ConnectRequiredError)) throw err;
              policy.checkApp(err.app);
              return connectRequiredResult(ctx, err);
            });
          },
        );
        return deps.config.demo ? markDemo(result) : result;
      },
    );
  }
  return server;
}
