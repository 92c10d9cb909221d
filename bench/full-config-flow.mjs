// The Google-Sheets-like flow in full-config mode against the bundled emulator: counts tool calls
// and result bytes (what the calling agent has to read). Usage: npm run build && node bench/full-config-flow.mjs
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { emulatorEnv, startEmulator } from "../dist/src/emulator/index.js";

const emu = await startEmulator({ port: 0 });
const client = new Client({ name: "bench", version: "1" });
await client.connect(
  new StdioClientTransport({
    command: process.execPath,
    args: [new URL("../dist/bin/connect-mcp.js", import.meta.url).pathname],
    env: {
      PATH: process.env.PATH ?? "",
      ...emulatorEnv(emu.url),
      CONNECT_MCP_LOG_LEVEL: "silent",
    },
  }),
);
let calls = 0;
let bytes = 0;
async function step(label, name, args) {
  const res = await client.callTool({ name, arguments: args });
  const size = JSON.stringify(res).length;
  calls++;
  bytes += size;
  console.log(`${String(calls).padStart(2)}. ${label.padEnd(44)} ${String(size).padStart(6)} bytes  outcome=${res.structuredContent?.outcome ?? (res.isError ? "error" : "?")}`);
  return res.structuredContent;
}
const first = await step("describe: spreadsheet options (page 1)", "describe_action", { action: "google_sheets-add-single-row", prop: "sheetId" });
const id = first.configuration_id;
await step("describe: search spreadsheets 'budget'", "describe_action", { configuration_id: id, prop: "sheetId", query: "budget" });
await step("describe: choose sheet → worksheet options", "describe_action", { configuration_id: id, configured_props: { sheetId: "sheet_budget_2026" }, prop: "worksheetId" });
await step("run: worksheet + headers → needs_input", "run_action", { configuration_id: id, configured_props: { worksheetId: 0, hasHeaders: true } });
await step("run: column values → ok", "run_action", { configuration_id: id, configured_props: { col_0000: "2026-11-21", col_0001: "coffee", col_0002: "4.50" } });
console.log(`total: ${calls} tool calls, ${bytes} result bytes`);
await client.close();
await emu.close();
