/**
 * Sub-agent mode end to end: run_action {instruction} over stdio, the server's model being a
 * scripted OpenAI-compatible server on loopback (real HTTP through the `openai` library) or the
 * test client itself answering MCP sampling.
 */
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { call, CLI, connectStdio, emulator, emulatorEnv, type StdioSession } from "../helpers.js";
import { startScriptedModel, type ScriptedModel } from "../support/scripted-model.js";

const API_KEY = "sk-test-0123456789";
let emu: RunningEmulator;
let model: ScriptedModel;
let s: StdioSession;

beforeAll(async () => {
  emu = await emulator();
  model = await startScriptedModel();
  s = await connectStdio(
    emulatorEnv(emu, {
      CONNECT_MCP_TOOL_MODE: "sub-agent",
      CONNECT_MCP_LLM_BASE_URL: model.baseUrl,
      CONNECT_MCP_LLM_MODEL: "scripted-1",
      CONNECT_MCP_LLM_API_KEY: API_KEY,
      CONNECT_MCP_SUBAGENT_MAX_STEPS: "8",
    }),
  );
});
afterAll(async () => {
  // SUBAGENT_REPORT=file.json writes each scenario's cost report (model calls, tokens) for closing notes.
  if (process.env.SUBAGENT_REPORT) writeFileSync(process.env.SUBAGENT_REPORT, JSON.stringify(reports, null, 2));
  await s?.close();
  await model?.close();
  await emu?.close();
});

const reports: Record<string, unknown> = {};
type Report = { action: string | null; configured_props: Record<string, unknown>; model_calls: number; input_tokens: number; output_tokens: number; wall_ms: number; backend: string; model: string };
const report = (r: { structured?: Record<string, unknown> }) => {
  const rep = r.structured!.subagent as Report;
  reports[expect.getState().currentTestName ?? "?"] = { model_calls: rep.model_calls, input_tokens: rep.input_tokens, output_tokens: rep.output_tokens, wall_ms: rep.wall_ms, backend: rep.backend };
  return rep;
};

describe("sub-agent with an OpenAI-compatible model", () => {
  it("runs a simple action from an instruction and reports its cost", async () => {
    model.script([
      { tool: "configure_action", arguments: { action: "slack-find-user" } },
      { tool: "set_props", arguments: { values: { email: "alice@example.com" } } },
      { tool: "run_action" },
    ]);
    const r = await call(s.client, "run_action", { instruction: "Find the Slack user alice@example.com" });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok" });
    expect(r.structured!.configuration_id).toBeUndefined(); // closed by the run
    expect(report(r)).toMatchObject({ action: "slack-find-user", backend: "openai-compatible", model: "scripted-1", model_calls: 3, output_tokens: 60 });
    expect(report(r).configured_props).toMatchObject({ email: "alice@example.com", slack: { account_id: "apn_slack_demo" } });
    expect(report(r).input_tokens).toBeGreaterThan(0);
    expect(report(r).wall_ms).toBeGreaterThanOrEqual(0);
    // The model saw the instruction and was called with the project's key over real HTTP.
    expect(model.requests[0]!.body.messages[1]!.content).toContain("alice@example.com");
    expect(model.requests[0]!.authorization).toBe(`Bearer ${API_KEY}`);
    expect(model.requests[0]!.body.tools!.map((t) => t.function.name)).toContain("find_actions");
  });

  it("looks up remote options instead of guessing IDs", async () => {
    model.script([
      { tool: "find_actions", arguments: { query: "send message", app: "slack" } },
      { tool: "configure_action", arguments: { action: "slack-send-message" } },
      // A guessed channel id is refused and the refusal goes back to the model…
      { tool: "set_props", arguments: { values: { channel: "C0GUESSED", text: "Lunch at 12?" } } },
      // …which then looks it up.
      { tool: "get_options", arguments: { prop: "channel", query: "general" } },
      { tool: "set_props", arguments: { values: { channel: "C01GENERAL", text: "Lunch at 12?" } } },
      { tool: "run_action" },
    ]);
    const r = await call(s.client, "run_action", { instruction: "Post 'Lunch at 12?' in #general on Slack" });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok", summary: "Sent message to C01GENERAL" });
    expect(report(r).model_calls).toBe(6);
    const toolReplies = model.requests.at(-1)!.body.messages.filter((m) => m.role === "tool").map((m) => String(m.content));
    expect(toolReplies[2]).toMatch(/must come from get_options/);
    expect(toolReplies[3]).toContain("C01GENERAL");
  });

  it("configures dynamic props: spreadsheet → worksheet → headers → columns", async () => {
    model.script([
      { tool: "get_options", arguments: { prop: "sheetId", query: "budget 2026" } },
      { tool: "set_props", arguments: { values: { sheetId: "sheet_budget_2026" } } },
      { tool: "get_options", arguments: { prop: "worksheetId" } },
      { tool: "set_props", arguments: { values: { worksheetId: 0, hasHeaders: true } } },
      { tool: "set_props", arguments: { values: { col_0000: "2026-11-21", col_0001: "coffee", col_0002: "4.50" } } },
      { tool: "run_action" },
    ]);
    const r = await call(s.client, "run_action", {
      instruction: "add a row to my Budget 2026 sheet with 2026-11-21, coffee, 4.50",
      action: "google_sheets-add-single-row",
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "ok", summary: "Added 1 row to Budget 2026" });
    expect(report(r)).toMatchObject({ action: "google_sheets-add-single-row", model_calls: 6 });
    expect(report(r).configured_props).toMatchObject({ sheetId: "sheet_budget_2026", worksheetId: 0, hasHeaders: true, col_0001: "coffee" });
    // With the action given, the model was not offered find_actions.
    expect(model.requests[0]!.body.tools!.map((t) => t.function.name)).not.toContain("find_actions");
    // After setting the headers, the model was shown the column props the reload revealed.
    expect(String(model.requests[4]!.body.messages.at(-1)!.content)).toContain("col_0002");
  });

  it("asks instead of guessing when the instruction is ambiguous, and the caller can continue", async () => {
    model.script([
      { tool: "configure_action", arguments: { action: "github-create-issue" } },
      { tool: "get_options", arguments: { prop: "repo" } },
      { tool: "ask_user", arguments: { question: "Which GitHub account should I use: work-org or octo-demo?" } },
    ]);
    const r = await call(s.client, "run_action", { instruction: "Open an issue titled 'Flaky test' in my repo" });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ outcome: "needs_input", question: "Which GitHub account should I use: work-org or octo-demo?" });
    expect(report(r)).toMatchObject({ action: "github-create-issue", model_calls: 3 });
    // The model saw the real ambiguity, from the same account logic as every other call.
    expect(String(model.requests[2]!.body.messages.at(-1)!.content)).toMatch(/2 healthy github accounts/);
    const id = r.structured!.configuration_id as string;
    const done = await call(s.client, "run_action", { configuration_id: id, account_id: "apn_github_work", configured_props: { repo: "work-org/api", title: "Flaky test" } });
    expect(done.structured).toMatchObject({ outcome: "ok", summary: "Successfully created issue #42 in work-org/api" });
  });

  it("a model that errors fails clearly, with the report", async () => {
    model.script([{ status: 500 }]);
    const r = await call(s.client, "run_action", { instruction: "Send a Slack message" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/The sub-agent's model is not available: the model endpoint http:\/\/127\.0\.0\.1:\d+\/v1 failed \(HTTP 500\).*not the instruction/);
    expect(r.structured!.subagent).toMatchObject({ model_calls: 0 });
    expect(r.text).not.toContain(API_KEY);
  });

  it("a model that loops stops at the step limit", async () => {
    model.script([{ tool: "find_actions", arguments: { query: "anything" } }], { repeat: true });
    const r = await call(s.client, "run_action", { instruction: "Do something forever" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/did not finish within 8 model calls/);
    expect(model.requests).toHaveLength(8);
    expect(report(r)).toMatchObject({ model_calls: 8 });
  });

  it("keeps the other tools and configured_props working in sub-agent mode", async () => {
    const accounts = await call(s.client, "list_accounts", { app: "slack" });
    expect(accounts.structured!.accounts).toHaveLength(1);
    const direct = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "direct" } });
    expect(direct.structured).toMatchObject({ outcome: "ok", summary: "Sent message to C01GENERAL" });
    const { tools } = await s.client.listTools();
    const run = tools.find((t) => t.name === "run_action")!;
    expect(Object.keys(run.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(["instruction", "app", "configuration_id", "configured_props"]));
  });

  it("never logs the model API key", () => {
    expect(s.stderr()).not.toContain(API_KEY);
    expect(s.stderr()).toMatch(/"msg":"sub-agent"/);
  });
});

describe("sub-agent through MCP sampling", () => {
  it("uses the client's model when it offers sampling", async () => {
    const replies = [
      '{"tool": "configure_action", "arguments": {"action": "slack-find-user"}}',
      'Sure. ```json\n{"tool": "set_props", "arguments": {"values": {"email": "bob@example.com"}}}\n```',
      '{"tool": "run_action", "arguments": {}}',
    ];
    const seen: Array<{ systemPrompt?: string }> = [];
    const client = new Client({ name: "sampling-client", version: "1" }, { capabilities: { sampling: {} } });
    client.setRequestHandler("sampling/createMessage", async (req) => {
      seen.push(req.params as { systemPrompt?: string });
      return { role: "assistant", content: { type: "text", text: replies.shift() ?? "I give up" }, model: "client-model-7" };
    });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI],
        env: { PATH: process.env.PATH ?? "", ...emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "sub-agent" }) },
        stderr: "pipe",
      }),
    );
    try {
      const r = await call(client, "run_action", { instruction: "Look up bob@example.com in Slack" });
      expect(r.isError, r.text).toBe(false);
      expect(r.structured).toMatchObject({ outcome: "ok" });
      expect(report(r)).toMatchObject({ backend: "mcp-sampling", model: "client-model-7", model_calls: 3, tokens_estimated: true });
      expect(seen[0]!.systemPrompt).toContain("Answer with exactly one JSON object");
    } finally {
      await client.close();
    }
  });

  it("without any model, says which options there are", async () => {
    const plain = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "sub-agent" }));
    try {
      const r = await call(plain.client, "run_action", { instruction: "Send hi to #general" });
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/needs a model.*CONNECT_MCP_LLM_MODEL.*CONNECT_MCP_LLM_PROVIDER=anthropic.*MCP sampling.*configured_props/);
      // …and the server said so once, at start-up.
      expect(plain.stderr().match(/"level":40[^\n]*sub-agent mode has no model configured/g)).toHaveLength(1);
    } finally {
      await plain.close();
    }
  });
});
