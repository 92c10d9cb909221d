import { describe, expect, it } from "vitest";
import { censorSecrets, createLogger } from "../../src/logger.js";

function captured(): { lines: Array<Record<string, unknown>>; write(chunk: string): void } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, write: (chunk: string) => void lines.push(JSON.parse(chunk) as Record<string, unknown>) };
}

describe("the logger's secret censoring", () => {
  it("censors secret fields at the top, in headers and two levels down, and leaves the caller's object alone", () => {
    const out = captured();
    const logged = {
      token: "t-1",
      clientSecret: "s-1",
      headers: { authorization: "Bearer abc", accept: "*/*" },
      config: { httpToken: "h-1", pipedream: { clientSecret: "s-2", projectId: "proj_1" } },
      status: 200,
    };
    const before = structuredClone(logged);
    createLogger("info", "test", out).info(logged, "a line");
    expect(out.lines[0]).toMatchObject({
      msg: "a line",
      token: "***",
      clientSecret: "***",
      headers: { authorization: "***", accept: "*/*" },
      config: { httpToken: "***", pipedream: { clientSecret: "***", projectId: "proj_1" } },
      status: 200,
    });
    expect(JSON.stringify(out.lines)).not.toMatch(/t-1|s-1|s-2|h-1|Bearer abc/);
    expect(logged).toEqual(before);
  });

  it("an error's own secret field is censored and its message kept", () => {
    const out = captured();
    const err = Object.assign(new TypeError("upstream refused"), { authorization: "Bearer xyz", status: 401 });
    createLogger("info", "test", out).error({ err }, "failed");
    expect(out.lines[0]!.err).toMatchObject({ type: "TypeError", message: "upstream refused", authorization: "***", status: 401 });
    expect(String((out.lines[0]!.err as { stack: string }).stack)).toContain("upstream refused");
    expect(err.authorization).toBe("Bearer xyz");
    expect(JSON.stringify(out.lines)).not.toContain("xyz");
  });

  it("an object without secrets is passed on as it is, not copied", () => {
    const line = { req_id: "r-1", method: "POST", path: "/mcp", who: { user: "u_1", credential: "api-key:b-1" }, hosts: ["127.0.0.1", "localhost"] };
    expect(censorSecrets(line)).toBe(line);
  });

  it("looks into arrays too", () => {
    const line = { accounts: [{ id: "apn_1" }, { id: "apn_2", accessToken: "a-1" }] };
    expect(censorSecrets(line)).toEqual({ accounts: [{ id: "apn_1" }, { id: "apn_2", accessToken: "***" }] });
    expect(line.accounts[1]!.accessToken).toBe("a-1");
  });
});
