import { describe, expect, it } from "vitest";
import { answerDiscover, servesStdio } from "../../src/transports/stdio-early.js";

const META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};
const line = (m: unknown) => JSON.stringify(m);

describe("answerDiscover", () => {
  it("answers a 2026-07-28 discover with its id", () => {
    const out = JSON.parse(answerDiscover(line({ jsonrpc: "2.0", id: "p-1", method: "server/discover", params: { _meta: META } }))!);
    expect(out).toMatchObject({ jsonrpc: "2.0", id: "p-1", result: { supportedVersions: ["2026-07-28"], capabilities: { tools: { listChanged: false } } } });
    expect(out.result._meta["io.modelcontextprotocol/serverInfo"].name).toBe("connect-mcp");
    expect(JSON.parse(answerDiscover(line({ jsonrpc: "2.0", id: 7, method: "server/discover", params: { _meta: META } }))!).id).toBe(7);
  });

  it("leaves everything it is not sure of to the SDK", () => {
    const ok = { jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: META } };
    for (const m of [
      { ...ok, method: "initialize" },
      { ...ok, jsonrpc: "1.0" },
      { ...ok, id: null },
      { ...ok, id: 1.5 },
      { ...ok, params: {} },
      { ...ok, params: { _meta: { ...META, "io.modelcontextprotocol/protocolVersion": "2025-11-25" } } },
      { ...ok, params: { _meta: { ...META, "io.modelcontextprotocol/clientInfo": undefined } } },
      [ok],
    ]) {
      expect(answerDiscover(line(m))).toBeUndefined();
    }
    expect(answerDiscover("{not json")).toBeUndefined();
  });
});

describe("servesStdio", () => {
  it("is true only when the command is the stdio server", () => {
    expect(servesStdio([], {})).toBe(true);
    expect(servesStdio(["serve", "--tool-mode", "tools-only"], {})).toBe(true);
    expect(servesStdio(["--transport", "stdio"], {})).toBe(true);
    expect(servesStdio(["--transport", "http"], {})).toBe(false);
    expect(servesStdio(["--transport=http"], {})).toBe(false);
    expect(servesStdio(["serve", "--demo"], {})).toBe(false);
    expect(servesStdio(["--help"], {})).toBe(false);
    expect(servesStdio(["doctor"], {})).toBe(false);
    expect(servesStdio(["emulator"], {})).toBe(false);
    expect(servesStdio([], { CONNECT_MCP_TRANSPORT: "http" })).toBe(false);
  });
});
