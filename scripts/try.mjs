// `npm run try`: list the tools and make one call of each, through the official MCP client
// (a dev dependency, so this is a repository script, not part of the package).
//   npm run try                          stdio: starts dist/bin/connect-mcp.js with your environment;
//                                        without PIPEDREAM_BASE_URL it also starts an emulator here
//   npm run try -- --url http://127.0.0.1:3333/mcp
//                                        HTTP: an already running server; sends
//                                        Authorization: Bearer $CONNECT_MCP_HTTP_TOKEN when it is set
// Exits 1 if any call fails, so scripts (and CI) can rely on it.
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = `${root}dist/bin/connect-mcp.js`;
const { demoCalls, summarize } = await import(new URL("../dist/src/demo.js", import.meta.url).href);

const { values } = parseArgs({ options: { url: { type: "string" }, help: { type: "boolean", short: "h" } } });
if (values.help) {
  process.stdout.write("npm run try [-- --url http://127.0.0.1:3333/mcp]\nLists the tools and makes one call of each (see the comment at the top of scripts/try.mjs).\n");
  process.exit(0);
}

let emulator;
let transport;
/** A server started a moment ago (`… &` in a shell) may not listen yet: wait for /healthz, up to 15 s. */
async function waitForServer(url) {
  const healthz = new URL("/healthz", url);
  for (const started = Date.now(); Date.now() - started < 15_000; await new Promise((r) => setTimeout(r, 250))) {
    try {
      if ((await fetch(healthz)).ok) return;
    } catch {
      // not listening yet
    }
  }
}

if (values.url) {
  await waitForServer(values.url);
  const token = process.env.CONNECT_MCP_HTTP_TOKEN;
  transport = new StreamableHTTPClientTransport(new URL(values.url), { requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} } });
  console.log(`connect-mcp over HTTP at ${values.url}${token ? " (with CONNECT_MCP_HTTP_TOKEN)" : ""}`);
} else {
  const env = { ...process.env };
  if (!env.PIPEDREAM_BASE_URL) {
    const { emulatorEnv, startEmulator } = await import(new URL("../dist/src/emulator/index.js", import.meta.url).href);
    emulator = await startEmulator({ port: 0 });
    Object.assign(env, emulatorEnv(emulator.url));
    console.log(`no PIPEDREAM_BASE_URL set: started a Connect emulator at ${emulator.url} (demo data)`);
  }
  env.CONNECT_MCP_LOG_LEVEL ??= "warn";
  transport = new StdioClientTransport({ command: process.execPath, args: [cli], env, stderr: "inherit" });
  console.log(`connect-mcp over stdio: node ${cli} (backend ${env.PIPEDREAM_BASE_URL})`);
}

const client = new Client({ name: "connect-mcp-try", version: "1.0.0" });
let failed = 0;
try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  const props = (name) => Object.keys(tools.find((t) => t.name === name)?.inputSchema?.properties ?? {});
  const mode = props("run_action").includes("instruction") ? "sub-agent" : props("describe_action").includes("configuration_id") ? "full-config" : "tools-only";
  console.log(`tools/list: ${tools.map((t) => t.name).join(", ")} (${JSON.stringify({ tools }).length} bytes, ${mode} mode)`);
  for (const { tool, args } of demoCalls(mode)) {
    const result = await client.callTool({ name: tool, arguments: args });
    const line = summarize(tool, result);
    if (!line.startsWith("ok ")) failed++;
    console.log(`  ${line}`);
  }
} catch (err) {
  failed++;
  console.error(`connect-mcp try: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await client.close().catch(() => undefined);
  await emulator?.close();
}
console.log(failed ? `${failed} call(s) did not answer ok` : "every tool answered ok");
process.exit(failed ? 1 : 0);
