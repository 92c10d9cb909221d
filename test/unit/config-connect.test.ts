/** The Connect Link options: from env, flags or file; URLs only. */
import { describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../../src/config.js";

describe("Connect Link options", () => {
  it("come from the environment and flags", () => {
    const c = resolveConfig({
      env: { CONNECT_MCP_CONNECT_SUCCESS_REDIRECT_URI: "https://app.example/connected", CONNECT_MCP_CONNECT_WEBHOOK_URI: "https://app.example/hooks/connect" },
      flags: { connectErrorRedirectUri: "https://app.example/failed" },
    });
    expect(c).toMatchObject({
      connectSuccessRedirectUri: "https://app.example/connected",
      connectErrorRedirectUri: "https://app.example/failed",
      connectWebhookUri: "https://app.example/hooks/connect",
    });
    expect(resolveConfig({ env: {} }).connectSuccessRedirectUri).toBeUndefined();
  });

  it("must be http(s) URLs", () => {
    expect(() => resolveConfig({ env: { CONNECT_MCP_CONNECT_WEBHOOK_URI: "javascript:alert(1)" } })).toThrow(ConfigError);
    expect(() => resolveConfig({ env: { CONNECT_MCP_CONNECT_SUCCESS_REDIRECT_URI: "not a url" } })).toThrow(/CONNECT_MCP_CONNECT_SUCCESS_REDIRECT_URI/);
  });
});
