/**
 * Shared e2e plumbing: an in-process Connect emulator on an ephemeral loopback port, and the
 * **built** CLI (dist/bin/connect-mcp.js) spawned over stdio or HTTP, driven by the official
 * MCP client. Everything started here is stopped by the returned handles.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { fileURLToPath } from "node:url";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { COMPOSIO_EMULATOR_DEFAULTS, startComposioEmulator, type RunningComposioEmulator } from "../src/emulator/composio/index.js";
import { emulatorEnv as emulatorEnvFor, startEmulator, type RunningEmulator } from "../src/emulator/index.js";

export const CLI = fileURLToPath(new URL("../dist/bin/connect-mcp.js", import.meta.url));
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it for you)`);

export type Era = "legacy" | "modern";

export async function emulator(): Promise<RunningEmulator> {
  return startEmulator({ port: 0 });
}

/**
 * One emulator for a whole test file, with its faults and request log cleared before each test,
 * and temporary database files that are removed after the file. `emu()` is valid inside tests.
 */
export function emulatorPerFile(prefix = "connect-mcp-test-"): { emu: () => RunningEmulator; tempDb: () => string } {
  let emu: RunningEmulator | undefined;
  const dirs: string[] = [];
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(async () => {
    await emu?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await fetch(`${emu!.url}/__emulator/faults`, { method: "DELETE" });
    await fetch(`${emu!.url}/__emulator/requests`, { method: "DELETE" });
  });
  return {
    emu: () => emu!,
    tempDb: () => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return join(dir, "state.db");
    },
  };
}

/** Environment that points the server at an emulator, as a user would set it. */
export function emulatorEnv(emu: RunningEmulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...emulatorEnvFor(emu.url),
    CONNECT_MCP_LOG_LEVEL: "info",
    ...extra,
  };
}

export async function composioEmulator(options: { linkTtlSeconds?: number } = {}): Promise<RunningComposioEmulator> {
  return startComposioEmulator({ port: 0, ...options });
}

/** Environment for the Composio provider alone, pointed at its emulator. */
export function composioEnv(emu: RunningComposioEmulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    COMPOSIO_BASE_URL: emu.url,
    COMPOSIO_API_KEY: COMPOSIO_EMULATOR_DEFAULTS.apiKey,
    CONNECT_MCP_EXTERNAL_USER_ID: COMPOSIO_EMULATOR_DEFAULTS.externalUserId,
    CONNECT_MCP_DB: ":memory:",
    CONNECT_MCP_LOG_LEVEL: "info",
    ...extra,
  };
}

/** Both providers at once, each at its emulator, for the same end user. */
export function bothEnv(pd: RunningEmulator, cx: RunningComposioEmulator, extra: Record<string, string> = {}): Record<string, string> {
  const { PIPEDREAM_EXTERNAL_USER_ID: _user, ...pipedream } = emulatorEnv(pd);
  return { ...pipedream, ...composioEnv(cx), ...extra };
}

/** Inject a fault into the Composio emulator. */
export async function composioFault(emu: RunningComposioEmulator, spec: { path_contains: string; method?: string; status?: number; body?: unknown; content_type?: string; headers?: Record<string, string>; delay_ms?: number; times?: number }): Promise<void> {
  const res = await fetch(`${emu.url}/__emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) });
  if (!res.ok) throw new Error(`fault injection failed: ${res.status} ${await res.text()}`);
}

/** The user finishing a Composio connect link in the browser (by its URL's token). */
export async function completeComposioLink(emu: RunningComposioEmulator, url: string, extra: { status?: "ACTIVE" | "FAILED"; alias?: string } = {}): Promise<{ id: string; status: string }> {
  const token = url.split("/").pop();
  const res = await fetch(`${emu.url}/__emulator/connect`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ link_token: token, ...extra }) });
  if (!res.ok) throw new Error(`completing the link failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; status: string };
}

/** A clean environment: nothing from the developer's shell leaks into the server under test. */
function baseEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "TMPDIR", "SystemRoot"];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
}

function newClient(era: Era): Client {
  return new Client(
    { name: "connect-mcp-tests", version: "1.0.0" },
    era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {},
  );
}

export interface StdioSession {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

export async function connectStdio(env: Record<string, string>, era: Era = "legacy", args: string[] = []): Promise<StdioSession> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], env: { ...baseEnv(), ...env }, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const client = newClient(era);
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

export interface HttpServerProcess {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Start `connect-mcp --transport http --port 0` and wait for its "listening" log line. */
export async function startHttp(env: Record<string, string>, args: string[] = []): Promise<HttpServerProcess> {
  const child = spawn(process.execPath, [CLI, "--transport", "http", "--port", "0", ...args], {
    env: { ...baseEnv(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 15_000);
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /"url":"(http:[^"]+)"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function connectHttp(url: string, era: Era = "modern", headers: Record<string, string> = {}): Promise<Client> {
  const client = newClient(era);
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

export interface CallResult {
  isError: boolean;
  text: string;
  structured: Record<string, unknown> | undefined;
}

let o200k: { encode(text: string): number[] } | undefined;

/** o200k tokens of a result as the client receives it: its text and its structuredContent together. */
export async function resultTokens(res: { content?: Array<{ text?: string }>; structuredContent?: unknown }): Promise<number> {
  o200k ??= (await import("js-tiktoken")).getEncoding("o200k_base");
  const text = (res.content ?? []).map((c) => c.text ?? "").join("\n");
  return count(text) + (res.structuredContent === undefined ? 0 : count(JSON.stringify(res.structuredContent)));
}

/**
 * js-tiktoken's BPE is quadratic on one long run of a character ("xxxx…" bodies): count in 2,000
 * character pieces. Each cut may add a token, so this is at most ~1 token per piece over.
 */
function count(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i += 2000) n += o200k!.encode(text.slice(i, i + 2000)).length;
  return n;
}

/** Call a tool and flatten the result for assertions. RESULT_TOKENS_REPORT=file appends each result's size. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallResult> {
  const res = (await client.callTool({ name, arguments: args })) as {
    isError?: boolean;
    content?: Array<{ type: string; text?: string }>;
    structuredContent?: Record<string, unknown>;
  };
  if (process.env.RESULT_TOKENS_REPORT) {
    const { appendFileSync } = await import("node:fs");
    appendFileSync(process.env.RESULT_TOKENS_REPORT, `${JSON.stringify({ tool: name, tokens: await resultTokens(res), test: (globalThis as { expect?: { getState(): { currentTestName?: string } } }).expect?.getState().currentTestName })}\n`);
  }
  return {
    isError: res.isError === true,
    text: (res.content ?? []).map((c) => c.text ?? "").join("\n"),
    structured: res.structuredContent,
  };
}

/** Run the CLI to completion (for --help, doctor…). */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...baseEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Inject a fault into the emulator (next matching Connect request). */
export async function fault(emu: RunningEmulator, spec: { path_contains: string; method?: string; status?: number; body?: unknown; content_type?: string; headers?: Record<string, string>; delay_ms?: number; times?: number }): Promise<void> {
  const res = await fetch(`${emu.url}/__emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) });
  if (!res.ok) throw new Error(`fault injection failed: ${res.status} ${await res.text()}`);
}
