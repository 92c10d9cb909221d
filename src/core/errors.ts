/**
 * Expected failures become `isError` tool results whose text says what to do next.
 * ToolError is for failures we detect ourselves; ProviderError (from the provider seam) already
 * carries a safe message. Anything else is a bug: logged in full, shown to the caller generically.
 */
import { ProviderError } from "../providers/provider.js";

export class ToolError extends Error {
  override name = "ToolError";
  constructor(
    message: string,
    /** Extra structured detail safe to return (e.g. the choices for an ambiguous account). */
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Longest piece of caller input an error text repeats back. */
export const MAX_QUOTED_INPUT = 100;

/** Caller input as an error text shows it: at most ~100 characters, the cut marked with its length. */
export function quote(input: string): string {
  return input.length <= MAX_QUOTED_INPUT ? input : `${input.slice(0, MAX_QUOTED_INPUT)}… (${input.length} characters)`;
}

export interface FailureView {
  message: string;
  detail?: Record<string, unknown>;
  /** True when the failure is not the caller's or Connect's but ours (worth a full log entry). */
  internal: boolean;
}

export function describeFailure(err: unknown): FailureView {
  if (err instanceof ToolError) return { message: err.message, ...(err.detail ? { detail: err.detail } : {}), internal: false };
  if (err instanceof Error && err.name === "ConfigurationNotOpenError") {
    return { message: `${err.message}. Continue with a new configuration (describe_action {action}).`, internal: false };
  }
  if (err instanceof ProviderError) {
    const detail: Record<string, unknown> = { kind: err.kind };
    if (err.details.status !== undefined) detail.upstream_status = err.details.status;
    if (err.details.retryAfterSeconds !== undefined) detail.retry_after_seconds = err.details.retryAfterSeconds;
    return { message: err.message, detail, internal: false };
  }
  return { message: "connect-mcp hit an internal error handling this call; it has been logged. Try again, or report it if it repeats.", internal: true };
}

/** Connect's `errors[]` entries are often JSON-encoded `{name, message}` objects: show the message. */
export function connectErrorMessage(entry: string): string {
  try {
    const parsed = JSON.parse(entry) as { message?: unknown };
    if (parsed && typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: use as is
  }
  return entry;
}
