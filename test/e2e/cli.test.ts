/** The CLI surface: help, version, flag validation, config file precedence, doctor. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { emulator, emulatorEnv, runCli } from "../helpers.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => {
  await emu?.close();
});

describe("connect-mcp CLI", () => {
  it("--help lists every flag with its env variable", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const s of ["--transport", "--tool-mode", "--db", "--config", "--log-level", "PIPEDREAM_EXTERNAL_USER_ID", "CONNECT_MCP_UPSTREAM_TIMEOUT_MS", "emulator", "doctor"]) {
      expect(r.stdout).toContain(s);
    }
  });

  it("--version prints the package version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("rejects unknown flags, commands and invalid values with exit 2 and a clear message", async () => {
    const flag = await runCli(["--trasnport", "http"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--trasnport'/);
    const command = await runCli(["serv"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command "serv"/);
    const value = await runCli(["--transport", "websocket"]);
    expect(value.code).toBe(2);
    expect(value.stderr).toMatch(/flag --transport = "websocket"/);
    const env = await runCli([], { CONNECT_MCP_TOOL_MODE: "everything" });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/env CONNECT_MCP_TOOL_MODE = "everything"/);
  });

  it("a config file is read, and unknown keys in it are refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "connect-mcp-cli-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ transport: "http", colour: "blue" }));
    const r = await runCli(["doctor", "--config", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown key\(s\): colour/);
  });

  it("doctor passes against the emulator and reports the user's accounts", async () => {
    const r = await runCli(["doctor"], emulatorEnv(emu));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/access token/);
    expect(r.stdout).toMatch(/"demo-user" has 6 connected account\(s\), 5 healthy/);
    expect(r.stdout).toMatch(/apn_gmail_dead \(gmail\) is dead/);
    expect(r.stdout).not.toContain("emulator-client-secret");
  });

  it("doctor says precisely what is wrong", async () => {
    const missing = await runCli(["doctor", "--db", ":memory:"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/FAIL +missing PIPEDREAM_CLIENT_ID, PIPEDREAM_CLIENT_SECRET, PIPEDREAM_PROJECT_ID/);
    const wrongSecret = await runCli(["doctor"], emulatorEnv(emu, { PIPEDREAM_CLIENT_SECRET: "not-the-secret" }));
    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.stdout).toMatch(/FAIL +Connect rejected the client credentials/);
    expect(wrongSecret.stdout).not.toContain("not-the-secret");
  });

  it("flags override env, env overrides the config file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "connect-mcp-cli-"));
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ ...{ baseUrl: emu.url, clientId: "emulator-client-id", clientSecret: "wrong-from-file", projectId: "proj_emulator", environment: "development", externalUserId: "demo-user", db: ":memory:" } }));
    const fromFile = await runCli(["doctor", "--config", file]);
    expect(fromFile.code).toBe(1); // the file's secret is wrong
    const envWins = await runCli(["doctor", "--config", file], { PIPEDREAM_CLIENT_SECRET: "emulator-client-secret" });
    expect(envWins.code, envWins.stdout).toBe(0);
    const flagWins = await runCli(["doctor", "--config", file, "--external-user-id", "other-user"], { PIPEDREAM_CLIENT_SECRET: "emulator-client-secret" });
    expect(flagWins.stdout).toMatch(/"other-user" has 2 connected account/);
  });
});
