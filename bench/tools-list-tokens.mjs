/**
 * tools/list of the built server in each tool mode: o200k tokens (js-tiktoken) and bytes of the
 * whole compact JSON, output schemas included. Run: npm run build && node bench/tools-list-tokens.mjs
 */
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { getEncoding } from "js-tiktoken";

const cli = new URL("../dist/bin/connect-mcp.js", import.meta.url).pathname;
const enc = getEncoding("o200k_base");
for (const mode of ["full-config", "tools-only", "sub-agent"]) {
  const client = new Client({ name: "tokens", version: "1" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [cli], env: { PATH: process.env.PATH ?? "", CONNECT_MCP_DB: ":memory:", CONNECT_MCP_LOG_LEVEL: "silent", CONNECT_MCP_TOOL_MODE: mode } }));
  const { tools } = await client.listTools();
  await client.close();
  const text = JSON.stringify({ tools });
  const per = tools.map((t) => `${t.name} ${enc.encode(JSON.stringify(t)).length}`).join(", ");
  console.log(`${mode.padEnd(11)} ${enc.encode(text).length} tokens, ${Buffer.byteLength(text)} bytes (${per})`);
}
