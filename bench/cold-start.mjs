// Cold start: spawn the built server over stdio and time until the first tools/list answer.
// Runs both protocol eras, N times each, and prints the median. Usage: node bench/cold-start.mjs [runs]
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const runs = Number(process.argv[2] ?? 5);
const cli = new URL("../dist/bin/connect-mcp.js", import.meta.url).pathname;

async function once(era) {
  const started = performance.now();
  const client = new Client({ name: "bench", version: "1" }, era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {});
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [cli], env: { PATH: process.env.PATH ?? "", CONNECT_MCP_DB: ":memory:", CONNECT_MCP_LOG_LEVEL: "silent" } }));
  const { tools } = await client.listTools();
  const ms = performance.now() - started;
  await client.close();
  return { ms, bytes: JSON.stringify({ tools }).length };
}

for (const era of ["legacy", "modern"]) {
  const samples = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const r = await once(era);
    samples.push(r.ms);
    bytes = r.bytes;
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(`${era.padEnd(6)} cold start to first tools/list: median ${median.toFixed(0)} ms of ${runs} (${samples.map((s) => s.toFixed(0)).join(", ")}); tools/list ${bytes} bytes`);
}
