/**
 * The tools/list surface of each mode, byte for byte: any change to a name, description, schema or
 * annotation shows up here for review (update with `npx vitest run -u` when the change is intended).
 * Also guards its size in tokens, which every client pays for on every turn.
 */
import { getEncoding } from "js-tiktoken";
import { expect, it } from "vitest";
import { connectStdio } from "../helpers.js";

/**
 * o200k tokens of the whole compact tools/list JSON (output schemas included), per mode: what a
 * model pays on every turn. Issue 16 cut the default from 1,854 to 1,096; the limits leave a few
 * tokens of margin, so a longer description has to be paid for elsewhere.
 */
const TOKEN_LIMIT: Record<string, number> = { "tools-only": 1000, "full-config": 1100, "sub-agent": 1130 };
const o200k = getEncoding("o200k_base");

it.each(["tools-only", "full-config", "sub-agent"])("tools/list in %s mode matches the reviewed snapshot", async (mode) => {
  const s = await connectStdio({ CONNECT_MCP_DB: ":memory:", CONNECT_MCP_LOG_LEVEL: "silent", CONNECT_MCP_TOOL_MODE: mode });
  try {
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["list_accounts", "api_proxy", "list_actions", "describe_action", "run_action"]);
    await expect(JSON.stringify({ tools }, null, 2)).toMatchFileSnapshot(`../__snapshots__/tools-list.${mode}.json`);
    expect(o200k.encode(JSON.stringify({ tools })).length).toBeLessThanOrEqual(TOKEN_LIMIT[mode]!);
    // What the listing leaves out is noise, never an argument: no $schema, no empty properties.
    expect(JSON.stringify(tools)).not.toMatch(/\$schema|"properties":\{\}/);
  } finally {
    await s.close();
  }
});
