/**
 * Full-config mode end to end: remote options, dynamic props and stepwise runs through the fixed
 * five tools, with state behind configuration handles in SQLite.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/client";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { call, connectHttp, connectStdio, emulator, emulatorEnv, startHttp, type CallResult } from "../helpers.js";

const SHEETS = "google_sheets-add-single-row";
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => {
  await emu?.close();
});

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), "connect-mcp-fc-")), "state.db");
}

function options(r: CallResult): Array<{ label: string; value: unknown }> {
  expect(r.isError, r.text).toBe(false);
  return r.structured!.options as Array<{ label: string; value: unknown }>;
}

describe("full-config: the Google Sheets flow", () => {
  it("account → spreadsheet (paging, search) → worksheet → headers → columns → run in 5 calls, tool list unchanged", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "full-config" }));
    try {
      const before = JSON.stringify(await s.client.listTools());
      // 1. Spreadsheet options, first page: the account is the user's single Google Sheets account.
      const first = await call(s.client, "describe_action", { action: SHEETS, prop: "sheetId" });
      expect(options(first)).toHaveLength(3);
      expect(first.structured!.next_cursor).toEqual(expect.any(String));
      expect(first.structured!.accounts).toEqual([{ prop: "googleSheets", app: "google_sheets", account_id: "apn_gsheets_demo" }]);
      const id = first.structured!.configuration_id as string;
      expect(id).toMatch(/^cfg_[A-Za-z0-9_-]{22}$/);
      // missing[] names the props whose schemas the same answer carries in props, without repeating them.
      const firstMissing = first.structured!.missing as Array<{ name: string; schema?: unknown; has_options: boolean }>;
      expect(firstMissing.map((m) => m.name)).toContain("sheetId");
      for (const m of firstMissing) {
        expect(m.schema).toBeUndefined();
        expect((first.structured!.props as { properties: Record<string, unknown> }).properties[m.name]).toBeDefined();
      }
      // 2. Search instead of paging through all seven.
      const search = await call(s.client, "describe_action", { configuration_id: id, prop: "sheetId", query: "budget" });
      expect(options(search).map((o) => o.label)).toEqual(["Budget 2026", "Budget 2025"]);
      // An answer without props (they did not change) gives each missing prop its schema.
      expect(search.structured!.props).toBeUndefined();
      expect((search.structured!.missing as Array<{ name: string; schema?: unknown }>).find((m) => m.name === "sheetId")!.schema).toBeDefined();
      // 3. Choosing the spreadsheet reloads props; the worksheet's options depend on it.
      const worksheet = await call(s.client, "describe_action", { configuration_id: id, configured_props: { sheetId: "sheet_budget_2026" }, prop: "worksheetId" });
      expect(options(worksheet).map((o) => o.label)).toEqual(["Sheet1", "Archive"]);
      expect(worksheet.structured!.configured).toMatchObject({ sheetId: "sheet_budget_2026" });
      // 4. Worksheet + headers reveal one prop per column: not an error, a question.
      const needs = await call(s.client, "run_action", { configuration_id: id, configured_props: { worksheetId: 0, hasHeaders: true } });
      expect(needs.isError, needs.text).toBe(false);
      expect(needs.structured).toMatchObject({ outcome: "needs_input", configuration_id: id });
      expect((needs.structured!.missing as Array<{ name: string }>).map((m) => m.name)).toEqual(["col_0000", "col_0001", "col_0002"]);
      expect((needs.structured!.missing as Array<{ schema: { description: string } }>)[0]!.schema.description).toContain("Date");
      // 5. Fill the columns and run.
      const done = await call(s.client, "run_action", { configuration_id: id, configured_props: { col_0000: "2026-11-21", col_0001: "coffee", col_0002: "4.50" } });
      expect(done.isError, done.text).toBe(false);
      expect(done.structured).toMatchObject({ outcome: "ok", summary: "Added 1 row to Budget 2026" });
      // The handle closed with the run: it is not handed back (it could only say "already ran").
      expect(done.structured!.configuration_id).toBeUndefined();
      expect(JSON.stringify(await s.client.listTools())).toBe(before);
      // The run carried the dynamic_props_id Connect issued (the emulator refuses column props without it).
      const runs = emu.requests().filter((q) => q.path.endsWith("/actions/run"));
      expect(runs.at(-1)!.status).toBe(200);
      // A closed handle does not run twice.
      const again = await call(s.client, "run_action", { configuration_id: id });
      expect(again.isError).toBe(true);
      expect(again.text).toMatch(/already ran and is closed/);
    } finally {
      await s.close();
    }
  });

  it("pages through every spreadsheet with the opaque cursor", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      const seen: string[] = [];
      let r = await call(s.client, "describe_action", { action: SHEETS, prop: "sheetId" });
      const id = r.structured!.configuration_id;
      for (let pages = 0; pages < 5; pages++) {
        seen.push(...options(r).map((o) => o.label));
        const cursor = r.structured!.next_cursor;
        if (!cursor) break;
        r = await call(s.client, "describe_action", { configuration_id: id, prop: "sheetId", cursor });
      }
      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
      const mismatched = await call(s.client, "describe_action", { configuration_id: id, prop: "drive", cursor: (await call(s.client, "describe_action", { configuration_id: id, prop: "sheetId" })).structured!.next_cursor });
      expect(mismatched.isError).toBe(true);
      expect(mismatched.text).toMatch(/cursor belongs to a different query/);
    } finally {
      await s.close();
    }
  });

  it("errors Connect returns inside a 200 become clear tool errors", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      const r = await call(s.client, "describe_action", { action: SHEETS, prop: "worksheetId" });
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/could not list the options of "worksheetId": Spreadsheet is required before choosing a worksheet/);
    } finally {
      await s.close();
    }
  });

  it("an option's type is the schema's: worksheetId options are numbers, and its schema admits them", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      const start = await call(s.client, "describe_action", { action: SHEETS, configured_props: { sheetId: "sheet_budget_2026" }, prop: "worksheetId" });
      expect(options(start)).toContainEqual({ label: "Sheet1", value: 0 });
      const props = start.structured!.props as { properties: Record<string, { type: unknown }> };
      expect(props.properties.worksheetId!.type).toEqual(["string", "number"]);
      expect(props.properties.sheetId!.type).toEqual(["string", "number"]);
      expect(props.properties.hasHeaders!.type).toBe("boolean");
    } finally {
      await s.close();
    }
  });

  it("a value given as an option's label is matched to its value, or the error says how to list the options", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      const byLabel = await call(s.client, "describe_action", { action: SHEETS, configured_props: { sheetId: "Budget 2026" } });
      expect(byLabel.isError, byLabel.text).toBe(false);
      expect(byLabel.structured!.configured).toMatchObject({ sheetId: "sheet_budget_2026" });
      const unknown = await call(s.client, "describe_action", { action: SHEETS, configured_props: { sheetId: "Budget 2031" } });
      expect(unknown.isError).toBe(true);
      expect(unknown.text).toMatch(/Requested entity was not found.*"sheetId" takes a value from its options \(an ID, not a label\): describe_action \{configuration_id: "cfg_[\w-]+", prop: "sheetId"\} lists them/);
    } finally {
      await s.close();
    }
  });

  it("values still valid after a reload are kept; ones the reload removed are reported", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      const one = await call(s.client, "run_action", { action: SHEETS, configured_props: { sheetId: "sheet_budget_2026", worksheetId: 0, hasHeaders: false, myColumnData: ["a", "b"] } });
      expect(one.structured!.outcome).toBe("ok");
      const start = await call(s.client, "describe_action", { action: SHEETS, configured_props: { sheetId: "sheet_budget_2026", worksheetId: 0, hasHeaders: false, myColumnData: ["a"] } });
      expect(start.structured!.configured).toMatchObject({ sheetId: "sheet_budget_2026", myColumnData: ["a"] });
      const flipped = await call(s.client, "describe_action", { configuration_id: start.structured!.configuration_id, configured_props: { hasHeaders: true } });
      expect(flipped.structured!.dropped).toEqual(["myColumnData"]);
      expect(flipped.structured!.configured).toMatchObject({ sheetId: "sheet_budget_2026", worksheetId: 0, hasHeaders: true });
      expect(Object.keys((flipped.structured!.props as { properties: object }).properties)).toContain("col_0001");
    } finally {
      await s.close();
    }
  });

  it("withLabel props accept a label/value pair", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      const r = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: { label: "#general", value: "C01GENERAL" }, text: "hi" } });
      expect(r.isError, r.text).toBe(false);
      expect(r.structured!.summary).toBe("Sent message to C01GENERAL");
    } finally {
      await s.close();
    }
  });
});

describe("full-config: handles", () => {
  it("survive a restart of the server mid-configuration", async () => {
    const db = tempDb();
    const env = emulatorEnv(emu, { CONNECT_MCP_DB: db });
    const first = await connectStdio(env);
    const start = await call(first.client, "describe_action", { action: SHEETS, configured_props: { sheetId: "sheet_budget_2026" } });
    const id = start.structured!.configuration_id as string;
    await first.close();
    const second = await connectStdio(env);
    try {
      const needs = await call(second.client, "run_action", { configuration_id: id, configured_props: { worksheetId: 0, hasHeaders: true } });
      expect(needs.structured!.outcome).toBe("needs_input");
      const done = await call(second.client, "run_action", { configuration_id: id, configured_props: { col_0000: "d", col_0001: "i", col_0002: "1" } });
      expect(done.structured).toMatchObject({ outcome: "ok", summary: "Added 1 row to Budget 2026" });
    } finally {
      await second.close();
    }
  });

  it("are refused for any other end user, without revealing anything", async () => {
    const db = tempDb();
    const mine = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_DB: db }));
    const id = (await call(mine.client, "describe_action", { action: "slack-send-message", configured_props: { text: "secret plan" } })).structured!.configuration_id as string;
    await mine.close();
    const theirs = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_DB: db, PIPEDREAM_EXTERNAL_USER_ID: "other-user" }));
    try {
      emu.reset();
      for (const r of [
        await call(theirs.client, "describe_action", { configuration_id: id }),
        await call(theirs.client, "run_action", { configuration_id: id, configured_props: { channel: "C1" } }),
      ]) {
        expect(r.isError).toBe(true);
        expect(r.text).toMatch(/is not a configuration of this user/);
        expect(r.text).not.toMatch(/secret plan|slack-send-message/);
      }
      expect(emu.requests().filter((q) => q.path.includes("/actions/"))).toHaveLength(0);
    } finally {
      await theirs.close();
    }
  });

  it("expire after the configured idle time", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_CONFIGURATION_TTL_SECONDS: "1" }));
    try {
      const id = (await call(s.client, "describe_action", { action: "slack-send-message" })).structured!.configuration_id;
      await new Promise((r) => setTimeout(r, 1200));
      const r = await call(s.client, "run_action", { configuration_id: id, configured_props: { channel: "C01GENERAL", text: "late" } });
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/expired at .*Start again with describe_action \{action: "slack-send-message"\}/);
    } finally {
      await s.close();
    }
  });

  it("a failed run keeps the handle open so the caller can fix it", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      const failed = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "__fail__" } });
      expect(failed.isError).toBe(true);
      const handle = failed.structured!.configuration_id as string;
      expect(handle).toMatch(/^cfg_/);
      expect(failed.text).toContain(handle);
      // The same handle, fixed: channel stays set, only text changes, and it runs.
      const fixed = await call(s.client, "run_action", { configuration_id: handle, configured_props: { text: "fixed" } });
      expect(fixed.isError, fixed.text).toBe(false);
      expect(fixed.structured).toMatchObject({ outcome: "ok", summary: expect.stringContaining("C01GENERAL") });
      expect(fixed.structured!.configuration_id).toBeUndefined();
      // …and is closed after that success.
      const again = await call(s.client, "run_action", { configuration_id: handle });
      expect(again.isError).toBe(true);
      expect(again.text).toMatch(/already ran and is closed/);
    } finally {
      await s.close();
    }
  });
});

describe("full-config: conversations over HTTP", () => {
  it("keeps concurrent configurations apart and remembers the account chosen per conversation", async () => {
    const server = await startHttp(emulatorEnv(emu, { CONNECT_MCP_DB: tempDb() }));
    const clients: Client[] = [];
    try {
      const a = await connectHttp(server.url, "modern", { "x-conversation-id": "conv-A" });
      const b = await connectHttp(server.url, "legacy", { "x-pd-conversation-id": "conv-B" });
      clients.push(a, b);
      // Both configure a GitHub issue at the same time, each with its own account.
      const [startA, startB] = await Promise.all([
        call(a, "describe_action", { action: "github-create-issue", account_id: "apn_github_work", prop: "repo" }),
        call(b, "describe_action", { action: "github-create-issue", account_id: "apn_github_personal", prop: "repo" }),
      ]);
      expect(options(startA).map((o) => o.value)).toEqual(["work-org/api", "work-org/web"]);
      expect(options(startB).map((o) => o.value)).toEqual(["octo-demo/dotfiles"]);
      const idA = startA.structured!.configuration_id as string;
      const idB = startB.structured!.configuration_id as string;
      // A handle is bound to its conversation.
      const crossed = await call(b, "run_action", { configuration_id: idA, configured_props: { repo: "work-org/api", title: "x" } });
      expect(crossed.isError).toBe(true);
      expect(crossed.text).toMatch(/belongs to another conversation/);
      const [doneA, doneB] = await Promise.all([
        call(a, "run_action", { configuration_id: idA, configured_props: { repo: "work-org/api", title: "From A" } }),
        call(b, "run_action", { configuration_id: idB, configured_props: { repo: "octo-demo/dotfiles", title: "From B" } }),
      ]);
      expect(doneA.structured!.result).toMatchObject({ html_url: "https://github.com/work-org/api/issues/42" });
      expect(doneB.structured!.result).toMatchObject({ html_url: "https://github.com/octo-demo/dotfiles/issues/42" });
      // Each conversation remembers its account: no account_id needed any more, and no ambiguity.
      const againA = await call(a, "describe_action", { action: "github-create-issue", prop: "repo" });
      expect(againA.structured!.accounts).toEqual([{ prop: "github", app: "github", account_id: "apn_github_work" }]);
      const againB = await call(b, "describe_action", { action: "github-create-issue", prop: "repo" });
      expect(againB.structured!.accounts).toEqual([{ prop: "github", app: "github", account_id: "apn_github_personal" }]);
      // A conversation that chose nothing still has to choose.
      const c = await connectHttp(server.url, "modern", { "x-conversation-id": "conv-C" });
      clients.push(c);
      const ambiguous = await call(c, "describe_action", { action: "github-create-issue", prop: "repo" });
      expect(ambiguous.isError).toBe(true);
      expect(ambiguous.text).toMatch(/2 healthy github accounts/);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await server.stop();
    }
  });
});

describe("full-config: conversations from the request's _meta (2026-07-28)", () => {
  it("binds handles to the conversation named in _meta", async () => {
    const s = await connectStdio(emulatorEnv(emu), "modern");
    try {
      const callIn = async (conversationId: string, name: string, args: Record<string, unknown>) =>
        (await s.client.callTool({ name, arguments: args, _meta: { conversationId } })) as { isError?: boolean; content: Array<{ text: string }>; structuredContent?: Record<string, unknown> };
      const started = await callIn("chat-1", "describe_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL" } });
      const id = started.structuredContent!.configuration_id;
      const foreign = await callIn("chat-2", "run_action", { configuration_id: id, configured_props: { text: "x" } });
      expect(foreign.isError).toBe(true);
      expect(foreign.content[0]!.text).toMatch(/belongs to another conversation/);
      const own = await callIn("chat-1", "run_action", { configuration_id: id, configured_props: { text: "x" } });
      expect(own.structuredContent).toMatchObject({ outcome: "ok", summary: "Sent message to C01GENERAL" });
    } finally {
      await s.close();
    }
  });
});
