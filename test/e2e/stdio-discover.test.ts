/**
 * The stdio entry answers a first-message `server/discover` before the server has loaded (the
 * official 2026-07-28 client probes the era that way on a disposable sibling process). The early
 * answer must be the SDK's own answer, and everything after it must reach the server intact.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, connectStdio, emulatorEnv, emulatorPerFile } from "../helpers.js";

const { emu, tempDb } = emulatorPerFile("connect-mcp-discover-");

const META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "raw-test", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};
const discover = (id: string | number, meta: Record<string, unknown> = META) => ({ jsonrpc: "2.0", id, method: "server/discover", params: { _meta: meta } });

/** The CLI on stdio, read line by line. */
function raw(env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["pipe", "pipe", "pipe"] }) as ChildProcessWithoutNullStreams;
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let rest = "";
  child.stdout.on("data", (d: Buffer) => {
    rest += d.toString("utf8");
    let i: number;
    while ((i = rest.indexOf("\n")) >= 0) {
      lines.push(JSON.parse(rest.slice(0, i)) as Record<string, unknown>);
      rest = rest.slice(i + 1);
      for (const w of waiters.splice(0)) w();
    }
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  children.push(child);
  return {
    child,
    exited,
    stderr: () => stderr,
    /** Every line stdout carried so far (each one parsed as JSON on arrival). */
    lines: () => lines,
    send: (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`),
    /** The response with this id (waits for it). */
    async response(id: string | number): Promise<Record<string, unknown>> {
      for (;;) {
        const found = lines.find((l) => l.id === id);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill();
});

describe("stdio: server/discover answered while the server loads", () => {
  it("the early answer equals the SDK server's answer to the same request, and the connection goes on", async () => {
    const s = raw(emulatorEnv(emu(), { CONNECT_MCP_DB: tempDb() }));
    s.send(discover("probe-1"));
    const early = await s.response("probe-1");
    // Only the first message is answered early: this one is the SDK's.
    s.send(discover(2));
    const sdk = await s.response(2);
    expect(early.error).toBeUndefined();
    expect(early.result).toEqual(sdk.result);
    expect((early.result as { supportedVersions: string[] }).supportedVersions).toContain("2026-07-28");
    s.send({ jsonrpc: "2.0", id: 3, method: "tools/list", params: { _meta: META } });
    const list = await s.response(3);
    expect((list.result as { tools: Array<{ name: string }> }).tools.map((t) => t.name).sort()).toEqual(["api_proxy", "describe_action", "list_accounts", "list_actions", "run_action"]);
    // stdout carried protocol messages only: the early answer, then the SDK's.
    expect(s.lines().map((l) => l.jsonrpc)).toEqual(["2.0", "2.0", "2.0"]);
    s.child.stdin.end();
    expect(await s.exited).toBe(0);
  });

  it("a discover split across writes, with the next request in the same write, loses nothing", async () => {
    const s = raw(emulatorEnv(emu(), { CONNECT_MCP_DB: tempDb() }));
    const text = `${JSON.stringify(discover("a"))}\n${JSON.stringify({ jsonrpc: "2.0", id: "b", method: "tools/list", params: { _meta: META } })}\n`;
    s.child.stdin.write(text.slice(0, 40));
    await new Promise((r) => setTimeout(r, 50));
    s.child.stdin.write(text.slice(40));
    expect((await s.response("a")).result).toMatchObject({ supportedVersions: ["2026-07-28"] });
    expect(((await s.response("b")).result as { tools: unknown[] }).tools).toHaveLength(5);
  });

  it("a discover for an era it does not answer is left to the SDK (its error, not an early answer)", async () => {
    const s = raw(emulatorEnv(emu(), { CONNECT_MCP_DB: tempDb() }));
    s.send(discover(1, { ...META, "io.modelcontextprotocol/protocolVersion": "2099-01-01" }));
    const reply = await s.response(1);
    // Whatever the SDK says of an unknown era, it never claims to support it.
    expect(JSON.stringify(reply)).not.toContain('"supportedVersions":["2099-01-01"]');
    s.send(discover(2));
    expect((await s.response(2)).result).toMatchObject({ supportedVersions: ["2026-07-28"] });
  });

  it("a probe sibling exits as soon as its client closes stdin, without finishing start-up", async () => {
    const s = raw(emulatorEnv(emu(), { CONNECT_MCP_DB: tempDb() }));
    s.send(discover("probe"));
    await s.response("probe");
    s.child.stdin.end();
    expect(await s.exited).toBe(0);
    expect(s.stderr()).not.toContain("serving on stdio");
  });

  it("a config file that picks HTTP: stdin is let go and a discover written to it gets no answer on stdout", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "connect-mcp-discover-")), "config.json");
    writeFileSync(config, JSON.stringify({ transport: "http", port: 0, host: "127.0.0.1" }));
    const child = spawn(process.execPath, [CLI, "--config", config], { env: { PATH: process.env.PATH ?? "", ...emulatorEnv(emu(), { CONNECT_MCP_DB: tempDb() }) }, stdio: ["pipe", "pipe", "pipe"] }) as ChildProcessWithoutNullStreams;
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString("utf8");
        const m = /"url":"(http:[^"]+)"/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    child.stdin.write(`${JSON.stringify(discover("nope"))}\n`);
    const health = await fetch(url.replace(/\/mcp$/, "/healthz"));
    expect(health.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(stdout).toBe("");
  });

  it("a 2025 client's initialize first is handed to the server untouched", async () => {
    const session = await connectStdio(emulatorEnv(emu(), { CONNECT_MCP_DB: tempDb() }), "legacy");
    try {
      const tools = await session.client.listTools();
      expect(tools.tools).toHaveLength(5);
      const r = await session.client.callTool({ name: "list_accounts", arguments: {} });
      expect(r.isError).toBeFalsy();
    } finally {
      await session.close();
    }
  });

  it("the official 2026-07-28 client connects through the early answer and calls a tool", async () => {
    const session = await connectStdio(emulatorEnv(emu(), { CONNECT_MCP_DB: tempDb() }), "modern");
    try {
      const r = await session.client.callTool({ name: "list_accounts", arguments: {} });
      expect(r.isError).toBeFalsy();
      expect((r.structuredContent as { outcome: string }).outcome).toBe("ok");
    } finally {
      await session.close();
    }
  });
});
