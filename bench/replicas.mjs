// HTTP throughput with one and two replicas: the built server over HTTP (2026-07-28 clients),
// against the in-process Connect emulator, with state in SQLite (one replica, the baseline) and in
// one PostgreSQL shared by one and by two replicas. Each call is list_accounts: governance (shared
// rate-limit buckets, audit row) plus one upstream call. Rate limits are set high enough never to
// refuse, so the buckets are written on every call.
// Usage: node bench/replicas.mjs [seconds per run] [concurrent clients]
// PostgreSQL: CONNECT_MCP_DATABASE_URL if set, else a throwaway server (scripts/throwaway-postgres.mjs).
import { spawn } from "node:child_process";
import pg from "pg";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { emulatorEnv, startEmulator } from "../dist/src/emulator/index.js";
import { startPostgres } from "../scripts/throwaway-postgres.mjs";

const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 16);
const cli = new URL("../dist/bin/connect-mcp.js", import.meta.url).pathname;
const TOKEN = "bench-token-0123456789abcdef";

const emu = await startEmulator({ port: 0 });
const throwaway = process.env.CONNECT_MCP_DATABASE_URL ? undefined : await startPostgres();
const baseUrl = process.env.CONNECT_MCP_DATABASE_URL ?? throwaway.url;

async function freshDatabase() {
  const name = `bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

function startReplica(env) {
  // On PostgreSQL the emulator's CONNECT_MCP_DB=:memory: would only earn a "the URL wins" warning.
  const { CONNECT_MCP_DB: _sqlite, ...onPostgres } = emulatorEnv(emu.url);
  const child = spawn(process.execPath, [cli, "--transport", "http", "--port", "0"], {
    env: {
      PATH: process.env.PATH ?? "",
      ...(env.CONNECT_MCP_DATABASE_URL ? onPostgres : emulatorEnv(emu.url)),
      CONNECT_MCP_HTTP_TOKEN: TOKEN,
      CONNECT_MCP_LOG_LEVEL: "info",
      CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "10000000",
      CONNECT_MCP_RATE_LIMIT_BURST: "1000000",
      CONNECT_MCP_RATE_LIMIT_PROJECT_PER_MINUTE: "10000000",
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr.on("data", (d) => {
      err += d.toString();
      const m = /"url":"(http:[^"]+)"/.exec(err);
      if (m) {
        child.stderr.removeAllListeners("data");
        child.stderr.resume();
        resolve({ url: m[1], stop: () => new Promise((r) => (child.once("exit", r), child.kill("SIGTERM"))) });
      }
    });
    child.once("exit", (code) => reject(new Error(`replica exited with ${code}: ${err}`)));
  });
}

async function drive(urls) {
  const clients = [];
  for (let i = 0; i < concurrency; i++) {
    const c = new Client({ name: "bench", version: "1" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    await c.connect(new StreamableHTTPClientTransport(new URL(urls[i % urls.length]), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
    clients.push(c);
  }
  // Warm up: token fetch, first queries, JIT.
  await Promise.all(clients.map((c) => c.callTool({ name: "list_accounts", arguments: { app: "slack" } })));
  const latencies = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < until) {
        const t = performance.now();
        const r = await c.callTool({ name: "list_accounts", arguments: { app: "slack" } });
        latencies.push(performance.now() - t);
        if (r.isError) errors++;
      }
    }),
  );
  await Promise.all(clients.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
  return { calls: latencies.length, perSecond: (latencies.length / seconds).toFixed(0), p50: p(0.5), p95: p(0.95), errors };
}

async function scenario(name, replicas, env) {
  const servers = await Promise.all(Array.from({ length: replicas }, () => startReplica(env)));
  try {
    const r = await drive(servers.map((s) => s.url));
    console.log(`${name.padEnd(28)} ${String(r.perSecond).padStart(5)} calls/s  p50 ${r.p50} ms  p95 ${r.p95} ms  (${r.calls} calls, ${r.errors} errors, ${concurrency} clients, ${seconds} s)`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

try {
  console.log(`list_accounts over HTTP, ${concurrency} concurrent 2026-07-28 clients spread over the replicas; the emulator, the database and the clients share this machine`);
  await scenario("SQLite, 1 replica", 1, { CONNECT_MCP_DB: ":memory:" });
  for (const replicas of [1, 2]) {
    const db = await freshDatabase();
    try {
      await scenario(`PostgreSQL, ${replicas} replica${replicas > 1 ? "s" : ""}`, replicas, { CONNECT_MCP_DATABASE_URL: db.url });
    } finally {
      await db.drop();
    }
  }
} finally {
  throwaway?.stop();
  await emu.close();
}
