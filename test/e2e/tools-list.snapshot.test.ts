/**
 * The tools/list surface, byte for byte: any change to a name, description, schema or annotation
 * shows up here for review (update with `npx vitest run -u` when the change is intended).
 * Also keeps an eye on its size, which every client pays for on every conversation.
 */
import { expect, it } from "vitest";
import { connectStdio } from "../helpers.js";

it("tools/list matches the reviewed snapshot", async () => {
  const s = await connectStdio({ CONNECT_MCP_DB: ":memory:", CONNECT_MCP_LOG_LEVEL: "silent" });
  try {
    const { tools } = await s.client.listTools();
    const surface = JSON.stringify({ tools }, null, 2);
    await expect(surface).toMatchFileSnapshot("../__snapshots__/tools-list.json");
    // Compact size on the wire; see the README for the current figure. Guard against regressions.
    expect(JSON.stringify({ tools }).length).toBeLessThan(6500);
  } finally {
    await s.close();
  }
});
