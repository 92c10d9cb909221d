#!/usr/bin/env node
/**
 * The `connect-mcp` executable. On stdio it starts reading stdin before the CLI and the server load
 * (~0.5 s), so a 2026-07-28 client's `server/discover` probe is answered in the time Node takes to
 * start (src/transports/stdio-early.ts). Everything else is bin/cli.ts.
 */
import { setFlagsFromString } from "node:v8";
import { servesStdio, startEarlyStdio } from "../src/transports/stdio-early.js";

// The only WebAssembly here is fetch's HTTP parser (undici's llhttp). V8 optimizes its hot
// functions in the background with TurboFan after the first upstream calls, a ~25 MiB transient
// of compiler memory (heaptrack) that was most of the peak RSS after the first searches; the
// baseline compiler's code parses our small upstream responses about as fast. Set before
// anything compiles it. (docs/benchmark.md, Findings, "Memory")
setFlagsFromString("--liftoff-only");

if (servesStdio(process.argv.slice(2), process.env)) startEarlyStdio();
await import("./cli.js");
