/** The CLI surface: help, version, flag validation, config file precedence, doctor. */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { OPTION_GROUPS, OPTIONS } from "../../src/config.js";
import { CLI, emulator, emulatorEnv, runCli } from "../helpers.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => {
  await emu?.close();
});

describe("connect-mcp CLI", () => {
  it("--help is grouped by topic and names every option; help options gives each in full with its variables", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const g of OPTION_GROUPS) expect(r.stdout).toContain(`\n${g.title}:\n`);
    for (const o of OPTIONS) expect(r.stdout).toContain(o.flag ? `--${o.flag}` : o.key);
    for (const s of ["--config", "--demo", "PIPEDREAM_EXTERNAL_USER_ID", "emulator", "doctor", "audit"]) expect(r.stdout).toContain(s);
    // 90 before the Composio group (its 3 options, a title) and the accounts command; then the
    // local connectors group (3 options, a title, a blank line), the credentials command and the
    // 3 embeddings options of semantic search.
    expect(r.stdout.split("\n").length).toBeLessThan(104);
    const full = await runCli(["help", "options"]);
    for (const o of OPTIONS) for (const env of o.env) expect(full.stdout).toContain(env);
  });

  it("each command's --help shows its own options", async () => {
    const audit = await runCli(["audit", "--help"]);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/^Usage: connect-mcp audit/);
    for (const f of ["--user", "--since", "--until", "--limit", "--json", "--db"]) expect(audit.stdout).toContain(f);
    expect(audit.stdout).not.toContain("--jwt-secret");
    expect((await runCli(["emulator", "--help"])).stdout).toMatch(/^Usage: connect-mcp emulator \[--provider pipedream\|composio\|both\] \[--port N\] \[--host H\]/);
    expect((await runCli(["accounts", "--help"])).stdout).toMatch(/^Usage: connect-mcp accounts list\|connect\|status\|revoke/);
    expect((await runCli(["api-key", "--help"])).stdout).toMatch(/^Usage: connect-mcp api-key --user U \[--id ID\]/);
    expect((await runCli(["cache", "--help"])).stdout).toMatch(/--clear/);
    expect((await runCli(["doctor", "--help"])).stdout).toMatch(/^Usage: connect-mcp doctor/);
    const wrong = await runCli(["audit", "--clear"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/Run connect-mcp audit --help/);
  });

  it("audit with a --db that does not exist says so and creates nothing", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "connect-mcp-cli-")), "typo.db");
    const r = await runCli(["audit", "--db", db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the database ${db} does not exist`);
    expect(existsSync(db)).toBe(false);
  });

  it("the emulator prints export lines, a throwaway database and the demo model", async () => {
    const child = spawn(process.execPath, [CLI, "emulator", "--port", "0"], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the emulator printed no CONNECT_MCP_LLM_MODEL line:\n${err}`)), 15_000);
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
          if (err.includes("CONNECT_MCP_LLM_MODEL")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      child.kill("SIGINT");
    }
    expect(err).toMatch(/^export PIPEDREAM_BASE_URL=http:\/\/127\.0\.0\.1:\d+$/m);
    expect(err).toMatch(/^export PIPEDREAM_EXTERNAL_USER_ID=demo-user$/m);
    expect(err).toMatch(/^export CONNECT_MCP_DB=:memory:$/m);
    expect(err).toMatch(/^export CONNECT_MCP_LLM_MODEL=emulator-demo$/m);
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
    // A dead account is not counted (or listed) under "healthy".
    expect(r.stdout).toMatch(/"demo-user" has 6 connected account\(s\): 5 healthy \(github ×2, google_sheets, slack, zendesk\), 1 dead or unhealthy \(gmail\)/);
    expect(r.stdout).toMatch(/apn_gmail_dead \(gmail\) is dead/);
    expect(r.stdout).not.toContain("emulator-client-secret");
  });

  it("doctor in sub-agent mode checks that a model is configured and answers", async () => {
    const demo = await runCli(["doctor"], emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "sub-agent", CONNECT_MCP_LLM_BASE_URL: `${emu.url}/v1`, CONNECT_MCP_LLM_MODEL: "emulator-demo" }));
    expect(demo.code, demo.stdout).toBe(0);
    expect(demo.stdout).toMatch(/ok +sub-agent model "emulator-demo" \(OpenAI-compatible\) at http:\/\/127\.0\.0\.1:\d+\/v1: the endpoint answers/);
    const none = await runCli(["doctor"], emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "sub-agent" }));
    expect(none.stdout).toMatch(/warn +sub-agent mode has no model configured/);
    const down = await runCli(["doctor"], emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "sub-agent", CONNECT_MCP_LLM_BASE_URL: "http://127.0.0.1:9/v1", CONNECT_MCP_LLM_MODEL: "m" }));
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/FAIL +cannot reach the sub-agent's model endpoint http:\/\/127\.0\.0\.1:9\/v1/);
    const keyless = await runCli(["doctor"], emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "sub-agent", CONNECT_MCP_LLM_PROVIDER: "anthropic", CONNECT_MCP_LLM_MODEL: "claude-sonnet-4-5" }));
    expect(keyless.code).toBe(1);
    expect(keyless.stdout).toMatch(/FAIL +CONNECT_MCP_LLM_PROVIDER=anthropic needs CONNECT_MCP_LLM_API_KEY/);
  });

  it("doctor with API keys does not warn that HTTP callers have no end user", async () => {
    const keys = JSON.stringify([{ id: "k1", sha256: "a".repeat(64), user: "other-user" }]);
    const r = await runCli(["doctor", "--transport", "http"], emulatorEnv(emu, { PIPEDREAM_EXTERNAL_USER_ID: "", CONNECT_MCP_API_KEYS: keys }));
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/no end user/);
    expect(r.stdout).toMatch(/ok +HTTP callers' end users come from 1 API key\(s\)/);
    expect(r.stdout).toMatch(/"other-user" has 2 connected account/);
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
