// Small helpers shared by the emulator modules.

import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Pipedream-style id such as `apn_kVh9AoD` / `dyp_6xUyVgQ`. */
export function randomId(prefix: string, length = 7): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return `${prefix}${out}`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Props declared `withLabel` carry `{"__lv": {label, value}}`; components only
 * ever see the inner value, so unwrap (also inside arrays) before using it.
 */
export function unwrapLv(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrapLv);
  if (isRecord(v) && isRecord(v["__lv"]) && "value" in v["__lv"]) return v["__lv"]["value"];
  return v;
}

/** Component errors travel as JSON-encoded strings in `errors[]`. */
export function errorString(message: string, name = "Error"): string {
  return JSON.stringify({ name, message });
}

export function errorObservation(message: string, name = "Error", withStack = false): {
  ts: number;
  k: string;
  err: { name: string; message: string; stack?: string };
} {
  const err: { name: string; message: string; stack?: string } = { name, message };
  if (withStack) err.stack = `${name}: ${message}\n    at Object.run (file:///tmp/__pdg__/dist/code/emulator/component.mjs:42:13)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;
  return { ts: Date.now(), k: "error", err };
}

/** Resolves after `ms`, or rejects early when `signal` aborts (client gone / server closing). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error("aborted"));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The fields every emulator's request log entry shares (updated when the exchange ends). */
export interface ExchangeRecord {
  status: number;
  aborted?: boolean;
  endedAt?: string;
}

/**
 * One exchange's lifetime: a signal that fires when the client goes away or the server closes,
 * and, when the response closes, the log entry's status, `aborted` and `endedAt` plus one log line.
 */
export function trackExchange(
  res: ServerResponse,
  serverLifetime: AbortSignal,
  record: ExchangeRecord | undefined,
  describe: { method: string; path: string; started: number; log?: (line: string) => void },
): AbortController {
  const ac = new AbortController();
  const onShutdown = (): void => ac.abort();
  serverLifetime.addEventListener("abort", onShutdown, { once: true });
  res.on("close", () => {
    serverLifetime.removeEventListener("abort", onShutdown);
    ac.abort();
    const status = res.writableFinished ? res.statusCode : 499;
    if (record) {
      record.status = status;
      record.aborted = !res.writableFinished;
      record.endedAt = new Date().toISOString();
    }
    describe.log?.(`${describe.method} ${describe.path} -> ${status} (${Date.now() - describe.started} ms)`);
  });
  return ac;
}
