/**
 * Opaque paging cursors handed to the caller. They are base64url JSON bound to the query they came
 * from, so a cursor replayed with a different query is refused instead of silently mixing results.
 */
import { ToolError } from "./errors.js";

export function encodeCursor(state: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ v: 1, ...state }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, expect: Record<string, unknown>): Record<string, unknown> {
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new ToolError("The cursor is not valid. Pass back next_cursor exactly as it was returned, or omit it to start over.");
  }
  if (typeof state !== "object" || state === null || state.v !== 1) {
    throw new ToolError("The cursor is not valid. Pass back next_cursor exactly as it was returned, or omit it to start over.");
  }
  for (const [k, v] of Object.entries(expect)) {
    if ((state[k] ?? null) !== (v ?? null)) {
      throw new ToolError("The cursor belongs to a different query (app or query changed). Repeat the original query with it, or omit cursor to start over.");
    }
  }
  return state;
}
