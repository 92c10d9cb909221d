/**
 * `connect-mcp call <tool> '<json>'`: one tool call from a shell, no model and no MCP client. The
 * call goes through the very server a client talks to (built in this process and reached over an
 * in-memory MCP transport), so arguments, policy, rate limits and audit are exactly a client's.
 * Configuration handles live in the database, so with a database file (CONNECT_MCP_DB) a
 * full-config walkthrough can continue across separate `call` commands.
 */
import { InMemoryTransport } from "@modelcontextprotocol/server";
import type { Identity } from "./core/identity.js";
import type { ToolResult } from "./core/results.js";
import { buildServer, type ServerDeps } from "./server.js";
import { VERSION } from "./version.js";

export async function callTool(deps: ServerDeps, identity: Identity, tool: string, args: Record<string, unknown>): Promise<ToolResult> {
  const server = buildServer(deps, identity);
  const [client, transport] = InMemoryTransport.createLinkedPair();
  const pending = new Map<number, (message: Record<string, unknown>) => void>();
  client.onmessage = (message) => {
    const m = message as Record<string, unknown>;
    if (typeof m.id === "number") pending.get(m.id)?.(m);
  };
  await server.connect(transport);
  await client.start();
  let next = 0;
  const request = (method: string, params: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++next;
      pending.set(id, resolve);
      void client.send({ jsonrpc: "2.0", id, method, params });
    });
  try {
    await request("initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "connect-mcp call", version: VERSION } });
    await client.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    const answer = await request("tools/call", { name: tool, arguments: args });
    const error = answer.error as { message?: string } | undefined;
    if (error) return { content: [{ type: "text", text: error.message ?? "the call failed" }], isError: true };
    return answer.result as ToolResult;
  } finally {
    await server.close();
  }
}

/** The value at a dotted path (`connect.url`, `options.0.value`), for `--field`. */
export function pick(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);
}
