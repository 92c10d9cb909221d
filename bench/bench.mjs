/**
 * `npm run bench`: connect-mcp against a bare MCP SDK v2 server (bench/bare-server.mjs) doing the
 * same Connect calls through @pipedream/sdk, both pointed at one Connect emulator process, in the
 * same run. Every timed figure is measured in interleaved rounds (connect-mcp, bare, bare,
 * connect-mcp, …) so machine load hits both alike; a figure is the median over rounds with a 95 %
 * bootstrap interval of that median. Prints one Markdown table.
 *
 *   npm run bench              the full run (a few minutes)
 *   npm run bench -- --quick   fewer rounds: a smoke test of every row (under a minute)
 *   node bench/bench.mjs --json FILE   also write the raw figures as JSON
 *   node bench/bench.mjs --project DIR another build (DIR/dist) against the same baseline
 *
 * Requires a build (npm run bench builds first). Uses js-tiktoken (dev dependency) for tokens.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { getEncoding } from "js-tiktoken";
import { emulatorEnv } from "../dist/src/emulator/index.js";

const QUICK = process.argv.includes("--quick");
const jsonAt = process.argv.indexOf("--json");
// --project DIR: measure another checkout's build (e.g. an older commit) against the same baseline.
const projectAt = process.argv.indexOf("--project");
const ROOT = projectAt >= 0 ? new URL(`file://${resolve(process.argv[projectAt + 1])}/`) : new URL("../", import.meta.url);
const CLI = fileURLToPath(new URL("dist/bin/connect-mcp.js", ROOT));
const SEARCH = fileURLToPath(new URL("bench/search.mjs", ROOT));
const BARE = fileURLToPath(new URL("./bare-server.mjs", import.meta.url));
const R = QUICK
  ? { rounds: 3, calls: 20, coldRuns: 3, httpMs: 700, rssCalls: 200, sessions: 200 }
  : { rounds: 7, calls: 120, coldRuns: 7, httpMs: 1200, rssCalls: 200, sessions: 200 };
const startedAt = Date.now();
const log = (s) => process.stderr.write(`${s}\n`);

// ---------- statistics ----------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
/** Median and a 95 % percentile-bootstrap interval of the median. */
function summary(xs) {
  const meds = [];
  for (let i = 0; i < 2000; i++) meds.push(median(xs.map(() => xs[Math.floor(rand() * xs.length)])));
  meds.sort((a, b) => a - b);
  return { median: median(xs), lo: meds[Math.floor(0.025 * meds.length)], hi: meds[Math.ceil(0.975 * meds.length) - 1], n: xs.length };
}

// ---------- processes ----------
async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startEmulator() {
  const child = spawn(process.execPath, [CLI, "emulator", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const seen = (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout.on("data", seen);
    child.stderr.on("data", seen);
    child.once("exit", () => reject(new Error(`emulator exited: ${out}`)));
  });
  return { url, child };
}

// connect-mcp keeps its state in a SQLite file by default, so it is measured with one (a fresh file
// per server process), not with the emulator setup's in-memory database.
const DB_DIR = mkdtempSync(join(tmpdir(), "connect-mcp-bench-"));
let dbFiles = 0;
const projectDb = () => ({ CONNECT_MCP_DB: join(DB_DIR, `state-${++dbFiles}.db`) });

function baseEnv(emu, extra = {}) {
  return {
    PATH: process.env.PATH ?? "",
    ...emulatorEnv(emu.url),
    CONNECT_MCP_LOG_LEVEL: "info",
    ...extra,
  };
}

const clientOptions = (era) => (era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {});

/** A stdio server (which: "project" | "bare") with a connected client. */
async function stdioServer(which, emu, era = "modern", extraEnv = {}, args = []) {
  const client = new Client({ name: "bench", version: "1" }, clientOptions(era));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: which === "project" ? [CLI, ...args] : [BARE],
    env: baseEnv(emu, which === "project" ? { ...projectDb(), ...extraEnv } : extraEnv),
    stderr: "ignore",
  });
  await client.connect(transport);
  return { client, pid: transport.pid, close: () => client.close() };
}

// One API key per HTTP client: a remote server authenticates its callers (the bare one ignores the
// header), and connect-mcp caps the 2025 sessions one credential may hold (20).
const KEYS = Array.from({ length: 256 }, (_, i) => `bench-key-${i}-${randomBytes(12).toString("hex")}`);
const API_KEYS = JSON.stringify(KEYS.map((k, i) => ({ id: `bench-${i}`, sha256: createHash("sha256").update(k).digest("hex"), user: "demo-user" })));
let nextKey = 0;

async function httpServer(which, emu, extraEnv = {}) {
  const port = await freePort();
  const args = which === "project" ? [CLI, "--transport", "http", "--port", String(port), "--host", "127.0.0.1"] : [BARE, "--http", String(port)];
  const env = baseEnv(emu, which === "project" ? { ...projectDb(), CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "0", CONNECT_MCP_RATE_LIMIT_PROJECT_PER_MINUTE: "0", CONNECT_MCP_API_KEYS: API_KEYS, ...extraEnv } : {});
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}/mcp`;
  for (let i = 0; ; i++) {
    try {
      await fetch(url.replace("/mcp", "/healthz"));
      break;
    } catch {
      if (i > 200 || child.exitCode !== null) throw new Error(`${which} HTTP server did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return { url, pid: child.pid, close: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once("exit", r), child.kill("SIGTERM")))) };
}

async function httpClient(url, era) {
  const client = new Client({ name: "bench", version: "1" }, clientOptions(era));
  const key = KEYS[nextKey++ % KEYS.length];
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
}

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  return { hwmMiB: kb("VmHWM") / 1024, rssMiB: kb("VmRSS") / 1024 };
}
/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const tck = 100; // USER_HZ on Linux
  return (Number(f[11]) + Number(f[12])) / tck;
}

async function call(client, name, args) {
  const r = await client.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name} failed: ${r.content?.[0]?.text}`);
  return r;
}

// ---------- measurements ----------
/** Per-call latency of `tool` vs the bare server's `bareTool`, interleaved rounds on stdio. */
async function perCall(emu, tool, args, bareTool, bareArgs, { env = {}, cliArgs = [], warm, bareEnv = {} } = {}) {
  const project = await stdioServer("project", emu, "modern", env, cliArgs);
  const bare = await stdioServer("bare", emu, "modern", bareEnv);
  try {
    if (warm) await warm(project.client);
    for (let i = 0; i < 20; i++) {
      await call(project.client, tool, args);
      await call(bare.client, bareTool, bareArgs);
    }
    const diffs = [];
    const ratios = [];
    const cpuDiffs = [];
    // A round's median latency, and the server's CPU per call over it (less sensitive than
    // latency to how the client, server and emulator happen to share the machine's cores).
    const run = async (srv, name, a) => {
      const t = [];
      const cpu0 = cpuSeconds(srv.pid);
      for (let i = 0; i < R.calls; i++) {
        const s = performance.now();
        await call(srv.client, name, a);
        t.push(performance.now() - s);
      }
      return { latency: median(t), cpuMs: ((cpuSeconds(srv.pid) - cpu0) * 1000) / R.calls };
    };
    for (let r = 0; r < R.rounds; r++) {
      let p;
      let b;
      if (r % 2) (b = await run(bare, bareTool, bareArgs)), (p = await run(project, tool, args));
      else (p = await run(project, tool, args)), (b = await run(bare, bareTool, bareArgs));
      diffs.push(p.latency - b.latency);
      ratios.push(p.latency / b.latency);
      cpuDiffs.push(p.cpuMs - b.cpuMs);
    }
    return { overhead: summary(diffs), ratio: summary(ratios), cpuOverhead: summary(cpuDiffs) };
  } finally {
    await project.close();
    await bare.close();
  }
}

/** One describe_action result of connect-mcp, in a file for the bare server's echo tool. */
async function describeResultFile(emu) {
  const srv = await stdioServer("project", emu, "modern");
  try {
    const r = await call(srv.client, "describe_action", { action: "slack-send-message" });
    const file = join(DB_DIR, "describe-result.json");
    writeFileSync(file, JSON.stringify({ content: r.content, structuredContent: r.structuredContent }));
    return file;
  } finally {
    await srv.close();
  }
}

/** Cold start to the first tools/list answer, per era, interleaved with the bare server. */
async function coldStart(emu) {
  const out = {};
  const once = async (which, era) => {
    const s = performance.now();
    // One database for every cold start: a user's second start finds it migrated.
    const srv = await stdioServer(which, emu, era, { CONNECT_MCP_LOG_LEVEL: "silent", CONNECT_MCP_DB: join(DB_DIR, "cold-start.db") });
    await srv.client.listTools();
    const ms = performance.now() - s;
    await srv.close();
    return ms;
  };
  for (const era of ["legacy", "modern"]) out[era] = { project: [], bare: [], ratio: [] };
  for (let i = 0; i < R.coldRuns; i++) {
    for (const era of i % 2 ? ["modern", "legacy"] : ["legacy", "modern"]) {
      const order = i % 2 ? ["bare", "project"] : ["project", "bare"];
      const t = {};
      for (const w of order) t[w] = await once(w, era);
      out[era].project.push(t.project);
      out[era].bare.push(t.bare);
      out[era].ratio.push(t.project / t.bare);
    }
  }
  const res = {};
  for (const era of ["legacy", "modern"]) res[era] = { project: summary(out[era].project), bare: summary(out[era].bare), ratio: summary(out[era].ratio) };
  // The same process's two eras (paired by run): the 2026-07-28 handshake vs the 2025 one.
  res.modernOverLegacy = summary(out.modern.project.map((m, i) => m / out.legacy.project[i]));
  return res;
}

/** Calls per second with n concurrent clients for ms, and the server's CPU per call. */
async function throughputWindow(clients, ms, pid) {
  let calls = 0;
  const cpu0 = cpuSeconds(pid);
  const until = performance.now() + ms;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < until) {
        await call(c, "list_accounts", {});
        calls++;
      }
    }),
  );
  const cpu = cpuSeconds(pid) - cpu0;
  return { perSecond: calls / (ms / 1000), cpuMsPerCall: (cpu * 1000) / calls };
}

async function httpThroughput(emu, era) {
  const project = await httpServer("project", emu);
  const bare = await httpServer("bare", emu);
  const res = {};
  try {
    for (const n of [1, 8, 32]) {
      const pc = await Promise.all(Array.from({ length: n }, () => httpClient(project.url, era)));
      const bc = await Promise.all(Array.from({ length: n }, () => httpClient(bare.url, era)));
      await throughputWindow(pc, 300, project.pid);
      await throughputWindow(bc, 300, bare.pid);
      const ratios = [];
      const cpu = [];
      for (let r = 0; r < R.rounds; r++) {
        const order = r % 2 ? ["bare", "project"] : ["project", "bare"];
        const w = {};
        for (const k of order) w[k] = await throughputWindow(k === "project" ? pc : bc, R.httpMs / (n === 1 ? 1 : 1), k === "project" ? project.pid : bare.pid);
        ratios.push(w.project.perSecond / w.bare.perSecond);
        cpu.push(w.project.cpuMsPerCall / w.bare.cpuMsPerCall);
        if (r === 0) res[`abs${n}`] = { project: w.project.perSecond, bare: w.bare.perSecond };
      }
      res[n] = { ratio: summary(ratios), cpu: summary(cpu) };
      await Promise.all([...pc, ...bc].map((c) => c.close().catch(() => undefined)));
    }
  } finally {
    await project.close();
    await bare.close();
  }
  return res;
}

async function rssAfterCalls(emu) {
  const res = {};
  for (const which of ["project", "bare"]) {
    const srv = await stdioServer(which, emu, "modern", { CONNECT_MCP_LOG_LEVEL: "info" });
    const queries = ["send a message", "create issue", "add row", "list channels", "search", "get user", "update record", "delete file"];
    for (let i = 0; i < R.rssCalls; i++) {
      await call(srv.client, "list_actions", i % 3 === 0 ? { app: "slack" } : { query: queries[i % queries.length] });
    }
    res[which] = procStatus(srv.pid).hwmMiB;
    await srv.close();
  }
  return { ...res, ratio: res.project / res.bare };
}

async function rssIdleSessions(emu) {
  const res = {};
  for (const which of ["project", "bare"]) {
    const srv = await httpServer(which, emu, { CONNECT_MCP_LOG_LEVEL: "info" });
    const clients = [];
    for (let i = 0; i < R.sessions; i += 20) clients.push(...(await Promise.all(Array.from({ length: Math.min(20, R.sessions - i) }, () => httpClient(srv.url, "legacy")))));
    await new Promise((r) => setTimeout(r, 200));
    res[which] = procStatus(srv.pid).hwmMiB;
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await srv.close();
  }
  return { ...res, ratio: res.project / res.bare };
}

async function toolsListTokens(emu) {
  const enc = getEncoding("o200k_base");
  const res = {};
  for (const mode of ["full-config", "tools-only", "sub-agent"]) {
    const srv = await stdioServer("project", emu, "modern", { CONNECT_MCP_LOG_LEVEL: "silent", CONNECT_MCP_TOOL_MODE: mode });
    const { tools } = await srv.client.listTools();
    const text = JSON.stringify({ tools });
    res[mode] = { tokens: enc.encode(text).length, bytes: Buffer.byteLength(text) };
    await srv.close();
  }
  const bare = await stdioServer("bare", emu, "modern");
  const { tools } = await bare.client.listTools();
  res.bare = { tokens: enc.encode(JSON.stringify({ tools })).length, tools: tools.length };
  await bare.close();
  return res;
}

function searchLatency() {
  // Its figures are read from stdout even if it exits non-zero afterwards (a late background error).
  const out = spawnSync(process.execPath, [SEARCH, "--queries", QUICK ? "200" : "1000"], { encoding: "utf8" }).stdout;
  const m = /p50 ([\d.]+) ms\s+p95 ([\d.]+) ms/.exec(out);
  const load = /first search[^:]*: ([\d.]+) ms/.exec(out);
  return { p50: Number(m?.[1]), p95: Number(m?.[2]), loadMs: Number(load?.[1]) };
}

// ---------- run ----------
const emu = await startEmulator();
const loadBefore = loadavg();
const fig = {};
try {
  const warmCatalog = async (c) => {
    await call(c, "list_actions", { query: "send message" });
  };
  log("per-call overhead (stdio, 2026-07-28)…");
  fig.listAccounts = await perCall(emu, "list_accounts", {}, "list_accounts", {});
  fig.listActions = await perCall(emu, "list_actions", { query: "send a message" }, "noop", {}, { warm: warmCatalog });
  fig.describe = await perCall(emu, "describe_action", { action: "slack-send-message" }, "noop", {}, { warm: warmCatalog });
  fig.describeEcho = await perCall(emu, "describe_action", { action: "slack-send-message" }, "echo", {}, { warm: warmCatalog, bareEnv: { BARE_ECHO_RESULT: await describeResultFile(emu) } });
  fig.limiterOff = fig.listAccounts;
  fig.limiterOn = await perCall(emu, "list_accounts", {}, "list_accounts", {}, { env: { CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "1000000", CONNECT_MCP_RATE_LIMIT_BURST: "1000000", CONNECT_MCP_RATE_LIMIT_PROJECT_PER_MINUTE: "10000000" } });
  log("cold start…");
  fig.cold = await coldStart(emu);
  log("HTTP throughput, 2026-07-28…");
  fig.httpModern = await httpThroughput(emu, "modern");
  log("HTTP throughput, 2025 sessions…");
  fig.httpLegacy = await httpThroughput(emu, "legacy");
  log("memory…");
  fig.rssCalls = await rssAfterCalls(emu);
  fig.rssSessions = await rssIdleSessions(emu);
  log("tools/list tokens, search…");
  fig.tokens = await toolsListTokens(emu);
  fig.search = searchLatency();
} finally {
  emu.child.kill("SIGTERM");
  rmSync(DB_DIR, { recursive: true, force: true });
}

// ---------- table ----------
const n1 = (x) => x.toFixed(1);
const n2 = (x) => x.toFixed(2);
const ms = (s) => `${s.median >= 0 ? "+" : ""}${n2(s.median)} ms [${n2(s.lo)}, ${n2(s.hi)}]`;
const x = (s) => `${n2(s.median)}× [${n2(s.lo)}, ${n2(s.hi)}]`;
const rows = [
  ["per-call overhead, list_accounts (same Connect call)", ms(fig.listAccounts.overhead), x(fig.listAccounts.ratio)],
  ["per-call overhead, list_actions (cached catalog) over a no-op tool", ms(fig.listActions.overhead), x(fig.listActions.ratio)],
  ["per-call overhead, describe_action (cached) over a no-op tool", ms(fig.describe.overhead), x(fig.describe.ratio)],
  ["per-call overhead, describe_action over a bare tool returning the same result", ms(fig.describeEcho.overhead), x(fig.describeEcho.ratio)],
  ["server CPU per stdio call over the bare server's: list_accounts / list_actions / describe_action (over the no-op / the same result)", [fig.listAccounts, fig.listActions, fig.describe, fig.describeEcho].map((f) => ms(f.cpuOverhead)).join(" / "), ""],
  ["rate limiter on (high limits), list_accounts", ms(fig.limiterOn.overhead), `${x(fig.limiterOn.ratio)} (off: ${n2(fig.limiterOff.ratio.median)}×)`],
  ["cold start to first tools/list, 2025 client", `${n1(fig.cold.legacy.project.median)} ms (bare ${n1(fig.cold.legacy.bare.median)})`, x(fig.cold.legacy.ratio)],
  ["cold start to first tools/list, 2026-07-28 client", `${n1(fig.cold.modern.project.median)} ms (bare ${n1(fig.cold.modern.bare.median)})`, x(fig.cold.modern.ratio)],
  ["cold start, 2026-07-28 over 2025 (connect-mcp)", "", x(fig.cold.modernOverLegacy)],
];
for (const [era, label] of [["httpModern", "2026-07-28 stateless"], ["httpLegacy", "2025 sessions"]]) {
  for (const n of [1, 8, 32]) {
    const a = fig[era][`abs${n}`];
    rows.push([`HTTP throughput, ${label}, ${n} client${n > 1 ? "s" : ""} (list_accounts)`, `${a.project.toFixed(0)} calls/s (bare ${a.bare.toFixed(0)})`, x(fig[era][n].ratio)]);
  }
  rows.push([`server CPU per HTTP call, ${label}, 1 / 8 / 32 clients`, "", [1, 8, 32].map((n) => `${n2(fig[era][n].cpu.median)}×`).join(" / ")]);
}
rows.push(
  ["peak RSS after 200 list_actions calls (stdio)", `${n1(fig.rssCalls.project)} MiB (bare ${n1(fig.rssCalls.bare)})`, `${n2(fig.rssCalls.ratio)}×`],
  ["peak RSS with 200 idle 2025 HTTP sessions", `${n1(fig.rssSessions.project)} MiB (bare ${n1(fig.rssSessions.bare)})`, `${n2(fig.rssSessions.ratio)}×`],
);
for (const mode of ["full-config", "tools-only", "sub-agent"]) {
  rows.push([`tools/list o200k tokens, ${mode}${mode === "full-config" ? " (default)" : ""}`, `${fig.tokens[mode].tokens} (${fig.tokens[mode].bytes} bytes)`, `bare's 3 tools: ${fig.tokens.bare.tokens}`]);
}
rows.push(["search over 10,000 actions (list_actions path), p50 / p95", `${n2(fig.search.p50)} / ${n2(fig.search.p95)} ms`, `index load ${n1(fig.search.loadMs)} ms`]);

const loadAfter = loadavg();
const head = [
  `connect-mcp ${JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")).version} vs a bare MCP SDK v2 server, same emulator, same run${QUICK ? " (--quick)" : ""}`,
  `machine: ${cpus().length} × ${cpus()[0]?.model?.trim()}, Node ${process.version}, load average ${n2(loadBefore[0])} → ${n2(loadAfter[0])}; ${R.rounds} interleaved rounds (${R.calls} calls each for per-call rows, ${R.httpMs} ms windows for HTTP), ${R.coldRuns} cold starts per era and server; [95 % bootstrap interval of the median]; ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
  "",
  "| figure | connect-mcp | vs bare |",
  "|---|---|---|",
  ...rows.map((r) => `| ${r.join(" | ")} |`),
];
console.log(head.join("\n"));
if (jsonAt >= 0) writeFileSync(process.argv[jsonAt + 1], JSON.stringify({ quick: QUICK, load: [loadBefore, loadAfter], fig }, null, 2));
