/**
 * `connect-mcp serve --demo` (`npm run demo`): one command, no credentials, no second terminal —
 * the emulator in-process, a throwaway database, HTTP on loopback; it prints the URL and client
 * snippets, then one ok line per tool. Results and logs say "demo". Also over stdio (the Claude
 * Desktop snippet) and in sub-agent mode (the emulator's demo model).
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { call, CLI, connectHttp, connectStdio } from "../helpers.js";

interface Demo {
  stdout: () => string;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Start the demo and wait for its last line. */
async function startDemo(args: string[] = [], env: Record<string, string> = {}): Promise<Demo> {
  const child = spawn(process.execPath, [CLI, "serve", "--demo", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", CONNECT_MCP_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL"); // nothing left running after a failed test
      reject(new Error(`the demo did not finish its calls:\n${stdout}\n${stderr}`));
    }, 25_000);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes("until Ctrl-C")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      child.kill("SIGINT");
      return exited;
    },
  };
}

const TOOLS = ["list_accounts", "api_proxy", "list_actions", "describe_action", "run_action"];

describe("serve --demo", () => {
  it("prints the URL, client snippets and one ok line per tool, then serves results marked demo", async () => {
    const demo = await startDemo();
    try {
      const out = demo.stdout();
      const url = /MCP endpoint[^:]*: (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(out)?.[1];
      expect(url, out).toBeDefined();
      expect(out).toContain('"mcpServers"');
      expect(out).toContain('"--demo"');
      expect(out).toContain(`npx @modelcontextprotocol/inspector@0.15.0 --cli ${url} --transport http`);
      for (const tool of TOOLS) expect(out).toMatch(new RegExp(`^  ok +${tool} `, "m"));
      expect(out).toMatch(/ok +run_action +Sent message to C01GENERAL/);

      const client = await connectHttp(url!, "legacy");
      try {
        const r = await call(client, "list_accounts", { app: "github" });
        expect(r.structured).toMatchObject({ outcome: "ok", demo: true });
        expect(JSON.parse(r.text)).toEqual(r.structured);
        const failed = await call(client, "describe_action", { action: "no-such-action" });
        expect(failed.isError).toBe(true);
        expect(failed.text).toMatch(/^\[demo\] /);
      } finally {
        await client.close();
      }
      // Every log line says demo; the first one says what that means.
      const logs = demo.stderr().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logs.length).toBeGreaterThan(0);
      for (const line of logs) expect(line.demo).toBe(true);
      expect(logs[0]!.msg).toMatch(/^demo mode: the backend is the built-in Connect emulator/);
    } finally {
      expect(await demo.stop()).toBe(0);
    }
  });

  it("in sub-agent mode, run_action takes an instruction that the emulator's demo model plays", async () => {
    const demo = await startDemo(["--tool-mode", "sub-agent"]);
    try {
      expect(demo.stdout()).toMatch(/ok +run_action +Sent message to C01GENERAL/);
      for (const tool of TOOLS) expect(demo.stdout()).toMatch(new RegExp(`^  ok +${tool} `, "m"));
    } finally {
      expect(await demo.stop()).toBe(0);
    }
  });

  it("over stdio (the Claude Desktop snippet) it serves the demo with nothing else on stdout", async () => {
    const s = await connectStdio({}, "legacy", ["--demo", "--transport", "stdio"]);
    try {
      const r = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "hi" } });
      expect(r.isError, r.text).toBe(false);
      expect(r.structured).toMatchObject({ outcome: "ok", demo: true });
      expect(s.stderr()).toMatch(/"demo":true/);
    } finally {
      await s.close();
    }
  });
});
