/**
 * `idempotency_key` on run_action and api_proxy: a write happens at most once per key.
 *
 * Scope: end user + tool. The first call claims the key in SQLite; once something was sent
 * upstream its outcome is recorded (the full result, or "unknown" when the run may or may not have
 * happened); a call that sent nothing (bad arguments, a refusal, a confirmation preview, a
 * connect_required answer) frees the key again. A repeat with the same key and the same arguments
 * gets the recorded result with `replayed: true` and sends nothing; with other arguments it is
 * refused; while the first call still runs it waits (bounded) and then answers or says so.
 */
import { createHash } from "node:crypto";
import type { IdempotencyStore } from "../store/idempotency.js";
import { ToolError } from "./errors.js";
import { failure, type ToolResult } from "./results.js";

/** Arguments that do not change what is sent: they are left out of the comparison. */
const NOT_PART_OF_THE_CALL = new Set(["idempotency_key", "confirmation_token", "fields", "result_id", "offset"]);
const POLL_MS = 100;

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function argumentsHash(tool: string, args: Record<string, unknown>): string {
  const kept = Object.fromEntries(Object.entries(args).filter(([k]) => !NOT_PART_OF_THE_CALL.has(k)));
  return createHash("sha256").update(`${tool}\n${stable(kept)}`).digest("hex");
}

export interface IdempotentCall {
  user: string;
  tool: string;
  key: string;
  args: Record<string, unknown>;
  /** How long a repeat waits for the first call to finish. */
  waitMs: number;
}

/** What the call did, as the idempotency record needs it. */
export interface CallEffect {
  /** Something was sent upstream (a run, a proxy request). */
  sent: boolean;
}

export async function runIdempotent(
  store: IdempotencyStore,
  call: IdempotentCall,
  execute: () => Promise<{ result: ToolResult; effect: CallEffect }>,
): Promise<ToolResult> {
  const argsHash = argumentsHash(call.tool, call.args);
  const claim = await store.claim(call.user, call.tool, call.key, argsHash);
  if (!claim.claimed) {
    let existing = claim.existing;
    if (existing.argsHash !== argsHash) return conflict(call);
    const until = Date.now() + call.waitMs;
    while (existing.status === "running" && Date.now() < until) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const now = await store.get(call.user, call.tool, call.key);
      if (!now) return runIdempotent(store, call, execute); // the first call sent nothing and freed the key
      existing = now;
    }
    if (existing.status === "running") {
      return failure(`A call with idempotency_key "${short(call.key)}" is still in progress. Nothing more was sent; call again with the same key in a little while to get its result.`, {
        idempotency: "in_progress",
      });
    }
    if (existing.status === "unknown") {
      return {
        content: [
          {
            type: "text",
            text: `The first call with idempotency_key "${short(call.key)}" may or may not have happened upstream (its outcome is unknown). Nothing was sent again. Check in the app whether it took effect; to send it anyway, use a new idempotency_key.\n${JSON.stringify({ outcome: "unknown", replayed: true })}`,
          },
        ],
        structuredContent: { outcome: "unknown", replayed: true },
        isError: true,
      };
    }
    return replay(existing.result as ToolResult);
  }

  let outcome: { result: ToolResult; effect: CallEffect };
  try {
    outcome = await execute();
  } catch (err) {
    // Only a bug reaches here (tool failures are results): the write may have been sent.
    await store.finish(call.user, call.tool, call.key, "unknown", null);
    throw err;
  }
  const { result, effect } = outcome;
  if (!effect.sent) await store.release(call.user, call.tool, call.key);
  else await store.finish(call.user, call.tool, call.key, result.structuredContent?.outcome === "unknown" ? "unknown" : "done", result);
  return result;
}

function replay(recorded: ToolResult): ToolResult {
  const structured = recorded.structuredContent ? { ...recorded.structuredContent, replayed: true } : undefined;
  const text = recorded.content.map((c) => c.text).join("\n");
  const json = recorded.structuredContent ? JSON.stringify(recorded.structuredContent) : undefined;
  const newText = structured && json && text.endsWith(json) ? `${text.slice(0, text.length - json.length)}${JSON.stringify(structured)}` : `${text}\n(replayed: recorded result of an earlier call with this idempotency_key; nothing was sent)`;
  return { ...recorded, content: [{ type: "text", text: newText }], ...(structured ? { structuredContent: structured } : {}) };
}

function conflict(call: IdempotentCall): ToolResult {
  const error = new ToolError(
    `idempotency_key "${short(call.key)}" was already used for a different ${call.tool} call (other arguments) in the last 24 h. Nothing was sent. Use a new key for a new call, or repeat the first call's arguments exactly to get its result.`,
  );
  return failure(error.message, { idempotency: "conflict" });
}

function short(key: string): string {
  return key.length > 40 ? `${key.slice(0, 40)}…` : key;
}
