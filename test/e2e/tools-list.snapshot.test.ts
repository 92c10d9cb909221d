/**
 * The tools/list surface of each mode, byte for byte: any change to a name, description, schema or
 * annotation shows up here for review (update with `npx vitest run -u` when the change is intended).
 * Also keeps an eye on its size, which every client pays for on every conversation.
 */
import { expect, it } from "vitest";
import { connectStdio } from "../helpers.js";

it.each(["tools-only", "full-config", "sub-agent"])("tools/list in %s mode matches the reviewed snapshot", async (mode) => {
  const s = await connectStdio({ CONNECT_MCP_DB: ":memory:", CONNECT_MCP_LOG_LEVEL: "silent", CONNECT_MCP_TOOL_MODE: mode });
  try {
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["list_accounts", "api_proxy", "list_actions", "describe_action", "run_action"]);
    await expect(JSON.stringify({ tools }, null, 2)).toMatchFileSnapshot(`../__snapshots__/tools-list.${mode}.json`);
    // Compact size on the wire; the README gives the current figures. Guard against regressions
    // (raised from 7,000 when idempotency_key/fields/result_id/offset were added, and the arguments
    // without a description got one; issue 16 trims it).
    expect(JSON.stringify({ tools }).length).toBeLessThan(8000);
  } finally {
    await s.close();
  }
});
