/**
 * stdio: one MCP connection over stdin/stdout (Claude Desktop, IDE agents). The SDK picks the
 * protocol era from the first message (legacy `initialize` or a 2026-07-28 request envelope).
 * stdout carries only protocol messages; logs go to stderr.
 */
import { serveStdio, StdioServerTransport } from "@modelcontextprotocol/server/stdio";
import { stdioIdentity } from "../core/identity.js";
import { buildServer, type ServerDeps } from "../server.js";
import { takeStdin } from "./stdio-early.js";

export interface RunningStdioServer {
  /** Resolves when the client closes stdin. */
  closed: Promise<void>;
  close(): Promise<void>;
}

export function startStdioServer(deps: ServerDeps): RunningStdioServer {
  const identity = stdioIdentity(deps.config);
  // stdin as the entry's early reader leaves it (a first-message discover may be answered already).
  const stdin = takeStdin();
  const handle = serveStdio(() => buildServer(deps, identity), {
    transport: new StdioServerTransport(stdin, process.stdout),
    onerror: (err) => deps.logger.warn({ err: err.message }, "stdio transport error"),
  });
  const closed = new Promise<void>((resolve) => {
    stdin.once("end", resolve);
    stdin.once("close", resolve);
  });
  deps.logger.info({ user: identity.externalUserId ? "configured" : "missing", mode: deps.config.toolMode }, "connect-mcp serving on stdio");
  return { closed, close: () => handle.close() };
}
