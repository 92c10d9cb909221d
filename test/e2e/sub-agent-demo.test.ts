/**
 * Sub-agent mode offline: the server's model is the emulator's demo model (an OpenAI-compatible
 * endpoint on the emulator itself, `/v1/chat/completions`), reached over real HTTP through the
 * `openai` library, exactly as a user would configure it. The scenarios are those of
 * sub-agent.test.ts, but nothing is scripted per test: the demo model plays the steps from the
 * instruction alone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:net";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { call, connectStdio, emulator, emulatorEnv, type StdioSession } from "../helpers.js";

let emu: RunningEmulator;
let s: StdioSession;

function demoModelEnv(emu: RunningEmulator, extra: Record<string, string> = {}): Record<string, string> {
  return emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "sub-agent", CONNECT_MCP_LLM_BASE_URL: `${emu.url}/v1`, CONNECT_MCP_LLM_MODEL: "emulator-demo", ...extra });
}

beforeAll(async () => {
  emu = await emulator();
  s = await connectStdio(demoModelEnv(emu));
});
afterAll(async () => {
  await s?.close();
  await emu?.close();
});

type Report = { action: string | null; configured_props: Record<string, unknown>; model_calls: number; backend: string; model: string };
const reportOf = (r: { structured?: Record<string, unknown> }) => r.structured!.subagent as Report;

describe("sub-agent against the emulator's demo model", () => {
  it("finds the action and runs it from the instruction alone", async () => {
    const r = await call(s.client, "run_action", { instruction: "Find the Slack user alice@example.com" });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok", summary: expect.stringMatching(/^Successfully found user/) });
    expect(reportOf(r)).toMatchObject({ action: "slack-find-user", backend: "openai-compatible", model: "emulator-demo" });
    expect(reportOf(r).configured_props).toMatchObject({ email: "alice@example.com", slack: { account_id: "apn_slack_demo" } });
  });

  it("looks the channel up among the remote options instead of guessing its ID", async () => {
    const r = await call(s.client, "run_action", { instruction: "Post 'Lunch at 12?' in #general on Slack" });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok", summary: "Sent message to C01GENERAL" });
    expect(reportOf(r).configured_props).toMatchObject({ channel: "C01GENERAL", text: "Lunch at 12?" });
  });

  it("configures dynamic props: spreadsheet → worksheet → headers → columns", async () => {
    const r = await call(s.client, "run_action", {
      instruction: "add a row to my Budget 2026 sheet with 2026-11-21, coffee, 4.50",
      action: "google_sheets-add-single-row",
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok", summary: "Added 1 row to Budget 2026" });
    expect(reportOf(r).configured_props).toMatchObject({ sheetId: "sheet_budget_2026", worksheetId: 0, hasHeaders: true, col_0000: "2026-11-21", col_0001: "coffee", col_0002: "4.50" });
  });

  it("asks instead of guessing between two accounts, and the caller can continue", async () => {
    const r = await call(s.client, "run_action", { instruction: "Open an issue titled 'Flaky test' in my repo on GitHub" });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "needs_input", question: "Which GitHub account should I use: work-org or octo-demo?" });
    const id = r.structured!.configuration_id as string;
    const done = await call(s.client, "run_action", { configuration_id: id, account_id: "apn_github_work", configured_props: { repo: "work-org/api", title: "Flaky test" } });
    expect(done.isError, done.text).toBe(false);
    expect(done.structured).toMatchObject({ outcome: "ok", summary: "Successfully created issue #42 in work-org/api" });
  });

  it("uses the account the instruction names", async () => {
    const r = await call(s.client, "run_action", { instruction: "Open an issue titled 'Flaky test' in work-org/api on GitHub" });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok", summary: "Successfully created issue #42 in work-org/api" });
    expect(reportOf(r).configured_props).toMatchObject({ github: { account_id: "apn_github_work" }, repo: "work-org/api", title: "Flaky test" });
  });
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe("model failures read as infrastructure problems", () => {
  it("an unreachable endpoint is named, and the instruction is not blamed", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const bad = await connectStdio(demoModelEnv(emu, { CONNECT_MCP_LLM_BASE_URL: url }));
    try {
      const r = await call(bad.client, "run_action", { instruction: "Find the Slack user alice@example.com" });
      expect(r.isError).toBe(true);
      expect(r.text).toContain(`could not reach the model endpoint ${url}`);
      expect(r.text).toMatch(/not the instruction/);
      expect(r.text).not.toMatch(/rephrase/i);
      expect(r.text).toMatch(/configured_props/);
    } finally {
      await bad.close();
    }
  });

  it("a model the endpoint does not serve is named", async () => {
    const bad = await connectStdio(demoModelEnv(emu, { CONNECT_MCP_LLM_MODEL: "gpt-4.1-mini" }));
    try {
      const r = await call(bad.client, "run_action", { instruction: "Find the Slack user alice@example.com" });
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/HTTP 404/);
      expect(r.text).toContain("CONNECT_MCP_LLM_MODEL");
      expect(r.text).not.toMatch(/rephrase/i);
    } finally {
      await bad.close();
    }
  });

  it("Anthropic without a key names CONNECT_MCP_LLM_API_KEY, not the SDK's message", async () => {
    const bad = await connectStdio(demoModelEnv(emu, { CONNECT_MCP_LLM_PROVIDER: "anthropic", CONNECT_MCP_LLM_BASE_URL: "", CONNECT_MCP_LLM_MODEL: "claude-sonnet-4-5" }));
    try {
      const r = await call(bad.client, "run_action", { instruction: "Find the Slack user alice@example.com" });
      expect(r.isError).toBe(true);
      expect(r.text).toContain("CONNECT_MCP_LLM_API_KEY");
      expect(r.text).not.toMatch(/Could not resolve authentication method/);
      // The server said so once at start-up too.
      expect(bad.stderr()).toMatch(/"level":40.*CONNECT_MCP_LLM_API_KEY/);
    } finally {
      await bad.close();
    }
  });
});
