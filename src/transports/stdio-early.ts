/**
 * Answers a stdio `server/discover` probe while the server is still loading.
 *
 * A 2026-07-28 client built on the official SDK learns the protocol era by sending `server/discover`
 * to a disposable sibling process, kills it, and only then spawns the server it talks to. Loading the
 * server (zod, the MCP SDK, SQLite, the tools) takes ~0.5 s, so that probe doubled every cold start.
 * The answer depends on nothing the server loads, so the entry starts reading stdin at once and
 * answers a discover that arrives first, from `server-info.ts`. Anything else — any other first
 * message, or a discover this module is not sure it answers exactly as the SDK would — goes to the
 * SDK's stdio server byte for byte, as does everything after the first message.
 *
 * Node built-ins only: this runs before anything else is imported.
 */
import { PassThrough, type Readable } from "node:stream";
import { CAPABILITIES, INSTRUCTIONS, SERVER_NAME, VERSION } from "../server-info.js";

/** The era this module answers for; others (and future ones) are left to the SDK. */
const MODERN = "2026-07-28";
/** A first line longer than this is not a probe: stop looking and hand it over. */
const MAX_FIRST_LINE = 64 * 1024;

/** off: not started; first: looking at the first message; holding: keeping stdin for the server; handed: taken over. */
type Phase = "off" | "first" | "holding" | "handed";
let phase: Phase = "off";
let held: Buffer[] = [];
let heldBytes = 0;
let ended = false;
let answered = false;
let failed: Error | undefined;

/** The discover result the SDK's server gives for this server (a test holds the two equal). */
export function discoverResult(): Record<string, unknown> {
  return {
    supportedVersions: [MODERN],
    capabilities: CAPABILITIES,
    instructions: INSTRUCTIONS,
    resultType: "complete",
    ttlMs: 0,
    cacheScope: "private",
    _meta: { "io.modelcontextprotocol/serverInfo": { name: SERVER_NAME, version: VERSION } },
  };
}

/** The response to `line` when it is a discover this module answers, else undefined. */
export function answerDiscover(line: string): string | undefined {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(message) || message.jsonrpc !== "2.0" || message.method !== "server/discover") return undefined;
  const { id } = message;
  if (typeof id !== "string" && !(typeof id === "number" && Number.isInteger(id))) return undefined;
  const meta = isObject(message.params) ? message.params._meta : undefined;
  if (!isObject(meta) || meta["io.modelcontextprotocol/protocolVersion"] !== MODERN) return undefined;
  if (!isObject(meta["io.modelcontextprotocol/clientInfo"]) || !isObject(meta["io.modelcontextprotocol/clientCapabilities"])) return undefined;
  return JSON.stringify({ result: discoverResult(), jsonrpc: "2.0", id });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whether these arguments and environment start the stdio server. Only a clear yes starts the
 * early reader; a config file that picks HTTP is handled by `releaseEarlyStdio`.
 */
export function servesStdio(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const [first] = argv;
  if (first !== undefined && !first.startsWith("-") && first !== "serve") return false;
  if (env.CONNECT_MCP_TRANSPORT !== undefined && env.CONNECT_MCP_TRANSPORT !== "stdio") return false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (["--demo", "--help", "-h", "--version", "-v"].includes(arg)) return false;
    if (arg === "--transport" && argv[i + 1] !== "stdio") return false;
    if (arg.startsWith("--transport=") && arg !== "--transport=stdio") return false;
  }
  return true;
}

/** Starts reading stdin for a first-message discover. */
export function startEarlyStdio(): void {
  if (phase !== "off") return;
  phase = "first";
  process.stdin.on("data", onData);
  process.stdin.on("end", onEnd);
  process.stdin.on("error", onError);
}

/** A read error before the hand-over reaches the server's transport with it (as it would have). */
function onError(err: Error): void {
  failed ??= err;
}

function onData(chunk: Buffer): void {
  held.push(chunk);
  heldBytes += chunk.length;
  if (phase !== "first") return;
  const all = held.length === 1 ? chunk : Buffer.concat(held);
  const newline = all.indexOf(10);
  if (newline < 0) {
    if (heldBytes > MAX_FIRST_LINE) phase = "holding";
    return;
  }
  // Only the first message is ever looked at; the rest is kept for the server.
  phase = "holding";
  const answer = answerDiscover(all.subarray(0, newline).toString("utf8").replace(/\r$/, ""));
  if (answer === undefined) return;
  sendBeforeHandOver(answer);
  answered = true;
  held = newline + 1 < all.length ? [all.subarray(newline + 1)] : [];
  heldBytes = all.length - newline - 1;
}

/**
 * The one protocol message this module sends: a JSON-RPC response, one line, framed as the SDK's
 * transport frames its own. stdout is the protocol channel, so this is protocol output, not a log;
 * it is written before the SDK's transport exists (phase "first"), so the two never interleave, and
 * everything after goes through the SDK. A client that has gone away (EPIPE) ends the process.
 */
function sendBeforeHandOver(line: string): void {
  if (phase === "handed") throw new Error("stdout belongs to the server's transport now");
  process.stdout.once("error", clientGone);
  process.stdout.write(`${line}\n`);
}

function clientGone(): void {
  process.exit(0);
}

/**
 * stdin closed before the server took it over. After an early discover answer with nothing else
 * sent (a probe sibling: its client closes stdin once it has the answer) there is nothing to serve:
 * exit now rather than finish loading, as the client waits for this process to end before it spawns
 * the real one. Otherwise start-up goes on as usual (and reports a bad flag, say).
 */
function onEnd(): void {
  ended = true;
  if (answered && phase !== "handed" && heldBytes === 0) process.exit(0);
}

/**
 * stdin for the SDK's stdio server: what the early reader holds and has not answered, then the rest
 * of the stream. Without the early reader, plain `process.stdin`.
 */
export function takeStdin(): Readable {
  if (phase === "off") return process.stdin;
  phase = "handed";
  process.stdin.off("data", onData);
  process.stdin.off("end", onEnd);
  process.stdin.off("error", onError);
  // From here on the server's transport hears of stdout's errors.
  process.stdout.off("error", clientGone);
  const stream = new PassThrough();
  for (const chunk of held) stream.write(chunk);
  held = [];
  heldBytes = 0;
  if (failed) {
    const err = failed;
    setImmediate(() => stream.destroy(err));
  } else if (ended) {
    stream.end();
  } else {
    // pipe() does not pass errors on: the server's transport hears of them through the stream.
    process.stdin.on("error", (err) => stream.destroy(err));
    process.stdin.pipe(stream);
  }
  return stream;
}

/** The server is not on stdio after all (its config file chose HTTP): stop reading stdin. */
export function releaseEarlyStdio(): void {
  if (phase === "off" || phase === "handed") return;
  phase = "handed";
  process.stdin.off("data", onData);
  process.stdin.off("end", onEnd);
  process.stdin.off("error", onError);
  // stdin is not used on HTTP; reading it stops, and nothing it says may end the server.
  process.stdin.on("error", () => undefined);
  process.stdin.pause();
  held = [];
  heldBytes = 0;
}
