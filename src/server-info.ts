/**
 * What the server says about itself (name, version, capabilities, instructions). Node built-ins
 * only: the stdio entry answers a `server/discover` probe from this before the SDK has loaded.
 */
import { VERSION } from "./version.js";

export const SERVER_NAME = "connect-mcp";
export const DEMO_SERVER_NAME = "connect-mcp-demo";
export { VERSION };

export const CAPABILITIES = { tools: { listChanged: false } } as const;

export const INSTRUCTIONS =
  "connect-mcp acts in the user's connected apps (through Pipedream Connect and/or Composio). " +
  "Start with list_accounts. If you know the app's HTTP API, use api_proxy; otherwise list_actions → describe_action → run_action.";

export const DEMO_NOTE = " (Demo: the backend is connect-mcp's offline Connect emulator with demo data; no real account is used.)";
