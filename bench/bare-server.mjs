/**
 * The baseline of `npm run bench`: a bare MCP SDK v2 server doing the same Connect calls as
 * connect-mcp through `@pipedream/sdk`, with nothing around them (no policy, audit, cache, logs).
 *   node bench/bare-server.mjs                 stdio (both protocol eras, the SDK's serveStdio)
 *   node bench/bare-server.mjs --http PORT     one /mcp endpoint: 2026-07-28 stateless, 2025 sessions
 * Reads the same PIPEDREAM_* variables as connect-mcp; BARE_ECHO_RESULT adds an `echo` tool.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { PipedreamClient } from "@pipedream/sdk";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, isInitializeRequest, isLegacyRequest, McpServer, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { z } from "zod";

const env = process.env;
const pd = new PipedreamClient({
  baseUrl: env.PIPEDREAM_BASE_URL,
  clientId: env.PIPEDREAM_CLIENT_ID,
  clientSecret: env.PIPEDREAM_CLIENT_SECRET,
  projectId: env.PIPEDREAM_PROJECT_ID,
  projectEnvironment: env.PIPEDREAM_PROJECT_ENVIRONMENT,
});
const user = env.PIPEDREAM_EXTERNAL_USER_ID;

const json = (value) => ({ content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value });

function build() {
  const server = new McpServer({ name: "bare", version: "1" }, { capabilities: { tools: {} } });
  server.registerTool(
    "list_accounts",
    { description: "List the user's connected accounts.", inputSchema: z.object({ app: z.string().optional() }) },
    async ({ app }) => {
      // Every page, as connect-mcp reads them (the emulator pages by 5; demo-user has 6 accounts).
      const accounts = [];
      for await (const a of await pd.accounts.list({ externalUserId: user, app })) {
        accounts.push({ id: a.id, app: a.app?.nameSlug, name: a.name, healthy: a.healthy, dead: a.dead });
      }
      return json({ accounts });
    },
  );
  server.registerTool(
    "list_actions",
    { description: "List actions.", inputSchema: z.object({ app: z.string().optional(), query: z.string().optional() }) },
    async ({ app, query }) => {
      const page = await pd.actions.list({ app, q: query });
      return json({ actions: page.data.map((a) => ({ key: a.key, name: a.name, description: a.description })) });
    },
  );
  // The floor of any tool call: what connect-mcp's cached describe_action is compared with.
  server.registerTool("noop", { description: "Does nothing.", inputSchema: z.object({ action: z.string().optional() }) }, async () => json({ ok: true }));
  // The same floor with a given result's size and shape (BARE_ECHO_RESULT, a JSON file): what is
  // left of a connect-mcp tool's overhead once both servers serialise, validate and send the same bytes.
  if (env.BARE_ECHO_RESULT) {
    const result = JSON.parse(readFileSync(env.BARE_ECHO_RESULT, "utf8"));
    server.registerTool("echo", { description: "Returns a fixed result.", inputSchema: z.object({ action: z.string().optional() }) }, async () => result);
  }
  return server;
}

const httpAt = process.argv.indexOf("--http");
if (httpAt < 0) {
  serveStdio(build);
} else {
  const modern = createMcpHandler(() => build(), { legacy: "reject" });
  const sessions = new Map();
  const handler = toNodeHandler({
    async fetch(request, options = {}) {
      if (!(await isLegacyRequest(request))) return modern.fetch(request, options);
      const id = request.headers.get("mcp-session-id");
      if (id) {
        const transport = sessions.get(id);
        return transport ? transport.handleRequest(request, options) : new Response("no session", { status: 404 });
      }
      const body = await request.clone().json();
      if (!isInitializeRequest(body)) return new Response("initialize first", { status: 400 });
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => sessions.set(sid, transport),
        onsessionclosed: (sid) => sessions.delete(sid),
      });
      await build().connect(transport);
      return transport.handleRequest(request, { ...options, parsedBody: body });
    },
  });
  const http = createServer((req, res) => {
    if (req.url?.split("?")[0] !== "/mcp") return res.writeHead(404).end();
    void handler(req, res);
  });
  http.listen(Number(process.argv[httpAt + 1]), "127.0.0.1", () => process.stderr.write(`bare listening on ${http.address().port}\n`));
  process.once("SIGTERM", () => process.exit(0));
}
