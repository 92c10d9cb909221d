/** `connect-mcp cache`: what a server left in its SQLite file, and --clear. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { call, connectStdio, emulator, emulatorEnv, runCli } from "../helpers.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => {
  await emu?.close();
});

it("shows the catalog and Connect Links a server cached (never a token), and clears them", async () => {
  const db = join(mkdtempSync(join(tmpdir(), "connect-mcp-cache-")), "cache.db");
  const none = await runCli(["cache", "--db", db]);
  expect(none.code).toBe(0);
  expect(none.stdout).toMatch(/No cache yet at .*cache\.db/);

  const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_DB: db }));
  try {
    expect((await call(s.client, "list_actions", { query: "send a message" })).isError).toBe(false);
    expect((await call(s.client, "list_accounts", { app: "notion" })).structured!.outcome).toBe("connect_required");
  } finally {
    await s.close();
  }

  const stats = await runCli(["cache", "--db", db]);
  expect(stats.code).toBe(0);
  expect(stats.stdout).toContain("proj_emulator (development) at http://127.0.0.1:");
  expect(stats.stdout).toMatch(/actions: 16, fetched \d+ s ago/);
  expect(stats.stdout).toMatch(/apps: 10\n/);
  expect(stats.stdout).toMatch(/whole action catalog listed \d+ s ago \(fresh\)/);
  expect(stats.stdout).toMatch(/app directory listed \d+ s ago \(fresh\)/);
  expect(stats.stdout).toContain("Connect Links in use: 1");
  expect(stats.stdout).not.toMatch(/ctok_/);

  const cleared = await runCli(["cache", "--clear", "--db", db]);
  expect(cleared.code).toBe(0);
  expect(cleared.stdout).toMatch(/Cleared 16 action definitions, 10 apps, 2 listing records and 1 Connect Links\./);
  const empty = await runCli(["cache", "--db", db]);
  expect(empty.stdout).toContain("The cache is empty.");
});

it("is listed in --help", async () => {
  const r = await runCli(["--help"]);
  expect(r.stdout).toMatch(/connect-mcp cache \[--clear\]/);
});
