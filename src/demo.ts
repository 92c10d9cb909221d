/**
 * `connect-mcp serve --demo` (`npm run demo`): the whole product in one command, offline. The
 * backend is the Connect emulator started in this process, the database is throwaway
 * (`:memory:`), HTTP listens on loopback, and once it is up one call of each tool is made over
 * real HTTP and printed as one line per result. Results and log lines carry `demo: true`, so this
 * is never mistaken for anyone's real accounts.
 *
 * The calls and their one-line summaries are shared with `npm run try` (scripts/try.mjs).
 */
import type { Config } from "./config.js";

/** One call of each tool: what a newcomer should see working. */
export function demoCalls(mode: Config["toolMode"]): Array<{ tool: string; args: Record<string, unknown> }> {
  return [
    { tool: "list_accounts", args: {} },
    { tool: "api_proxy", args: { method: "GET", url: "https://slack.com/api/conversations.list", app: "slack", query: { limit: 2 } } },
    { tool: "list_actions", args: { query: "send a message on slack" } },
    { tool: "describe_action", args: { action: "slack-send-message" } },
    mode === "sub-agent"
      ? { tool: "run_action", args: { instruction: "Post 'Hello from the connect-mcp demo' in #general on Slack" } }
      : { tool: "run_action", args: { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "Hello from the connect-mcp demo" } } },
  ];
}

export interface CallOutcome {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content?: Array<{ type: string; text?: string }>;
}

/** One line for one tool result: `ok    list_accounts   6 accounts …` or `error …` with the reason. */
export function summarize(tool: string, result: CallOutcome): string {
  const s = result.structuredContent ?? {};
  const firstText = (result.content ?? []).map((c) => c.text ?? "").join(" ").split("\n")[0]!.slice(0, 160);
  const status = result.isError ? "error" : s.outcome && s.outcome !== "ok" ? String(s.outcome) : "ok";
  let what = firstText;
  if (!result.isError) {
    if (tool === "list_accounts" && Array.isArray(s.accounts)) {
      const accounts = s.accounts as Array<{ app: string; healthy: boolean; dead: boolean }>;
      const usable = counted(accounts.filter((a) => a.healthy && !a.dead).map((a) => a.app));
      const dead = counted(accounts.filter((a) => !a.healthy || a.dead).map((a) => a.app));
      what = `${accounts.length} accounts: ${usable}${dead ? `; needing reconnection: ${dead}` : ""}`;
    } else if (tool === "api_proxy" && typeof s.status === "number") {
      what = `HTTP ${s.status} from the app's API, as account ${String(s.account_id ?? "?")}`;
    } else if (tool === "list_actions" && Array.isArray(s.actions)) {
      const best = (s.actions as Array<{ key: string; name: string }>)[0];
      what = `${s.actions.length} actions, best match ${best ? `${best.key} (${best.name})` : "none"}`;
    } else if (tool === "describe_action" && s.props && typeof s.props === "object") {
      const props = Object.keys((s.props as { properties?: object }).properties ?? {});
      what = `${String((s.action as { key?: string } | undefined)?.key ?? "")} takes ${props.join(", ")}${s.configuration_id ? `; configuration_id ${String(s.configuration_id)}` : ""}`;
    } else if (tool === "run_action") {
      what = typeof s.summary === "string" ? s.summary : typeof s.question === "string" ? s.question : firstText;
    }
  }
  return `${status.padEnd(6)} ${tool.padEnd(16)} ${what}`;
}

/** "slack, github ×2" */
function counted(apps: string[]): string {
  const n = new Map<string, number>();
  for (const a of apps) n.set(a, (n.get(a) ?? 0) + 1);
  return [...n].map(([a, k]) => (k > 1 ? `${a} ×${k}` : a)).join(", ");
}

/**
 * Call one tool on a connect-mcp HTTP endpoint without an MCP client library (an installed package
 * has none): a 2025-era `tools/call` with no session is answered statelessly, as JSON or one SSE event.
 */
export async function callOverHttp(url: string, tool: string, args: Record<string, unknown>, headers: Record<string, string> = {}): Promise<CallOutcome> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18", ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: tool, arguments: args } }),
  });
  const text = await res.text();
  if (!res.ok) return { isError: true, content: [{ type: "text", text: `HTTP ${res.status}: ${text.slice(0, 200)}` }] };
  const json = text.trimStart().startsWith("{") ? text : text.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5)).join("");
  const message = JSON.parse(json) as { result?: CallOutcome; error?: { message: string } };
  if (message.error) return { isError: true, content: [{ type: "text", text: message.error.message }] };
  return message.result ?? { isError: true, content: [{ type: "text", text: "no result" }] };
}

/** The banner: where the server is and how to point a client at it. */
export function demoBanner(opts: { url: string; cli: string; node: string; emulatorUrl: string; mode: Config["toolMode"] }): string {
  const desktop = JSON.stringify(
    { mcpServers: { "connect-demo": { command: opts.node, args: [opts.cli, "--demo", "--transport", "stdio", ...(opts.mode !== "full-config" ? ["--tool-mode", opts.mode] : [])] } } },
    null,
    2,
  );
  return [
    "",
    "connect-mcp DEMO — offline: the backend is the built-in Connect emulator with demo users, accounts and",
    "actions (demo-user), and the database is thrown away on exit. Nothing here touches real accounts.",
    "",
    `  MCP endpoint (Streamable HTTP, no token on loopback): ${opts.url}`,
    `  Emulator (Connect API, Connect Link pages, demo model): ${opts.emulatorUrl}`,
    `  Tool mode: ${opts.mode}`,
    "",
    "Claude Desktop (claude_desktop_config.json; it starts its own demo over stdio):",
    desktop.replace(/^/gm, "  "),
    "",
    "MCP Inspector (0.15.0 is the last release that runs on Node 20):",
    `  npx @modelcontextprotocol/inspector@0.15.0 --cli ${opts.url} --transport http --method tools/list`,
    `  npx @modelcontextprotocol/inspector@0.15.0 --cli ${opts.url} --transport http --method tools/call --tool-name list_accounts --tool-arg app=github`,
    "",
    "From a clone of the repository: npm run try -- --url " + opts.url,
    "",
    "One call of each tool:",
  ].join("\n");
}
