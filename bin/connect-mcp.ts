#!/usr/bin/env node
/**
 * The `connect-mcp` executable. On stdio it starts reading stdin before the CLI and the server load
 * (~0.5 s), so a 2026-07-28 client's `server/discover` probe is answered in the time Node takes to
 * start (src/transports/stdio-early.ts). Everything else is bin/cli.ts.
 */
import { servesStdio, startEarlyStdio } from "../src/transports/stdio-early.js";

if (servesStdio(process.argv.slice(2), process.env)) startEarlyStdio();
await import("./cli.js");
