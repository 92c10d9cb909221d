/**
 * Map whatever `@pipedream/sdk` throws to a ProviderError whose message is safe to show a user:
 * no tokens, no client secret, no request headers — only the status, Connect's own `error` text
 * (truncated) and what to do next.
 */
import { PipedreamError, PipedreamTimeoutError } from "@pipedream/sdk";
import { ProviderError } from "../provider.js";

const MAX_DETAIL = 300;

export function statusOf(err: unknown): number | undefined {
  return err instanceof PipedreamError && typeof err.statusCode === "number" ? err.statusCode : undefined;
}

/** Connect's error text from an error body: `{error: "..."}`, a plain string, or nothing. */
export function errorText(body: unknown): string | undefined {
  let text: string | undefined;
  if (typeof body === "string") text = body;
  else if (body && typeof body === "object") {
    const b = body as { error?: unknown; message?: unknown };
    if (typeof b.error === "string") text = b.error;
    else if (typeof b.message === "string") text = b.message;
    else if (b.error && typeof b.error === "object" && typeof (b.error as { message?: unknown }).message === "string") {
      text = (b.error as { message: string }).message;
    }
  }
  if (!text) return undefined;
  text = text.replace(/\s+/g, " ").trim();
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

function retryAfterSeconds(err: PipedreamError): number | undefined {
  const raw = err.rawResponse?.headers?.get?.("retry-after");
  if (!raw) return undefined;
  const secs = Number(raw);
  if (Number.isFinite(secs)) return Math.max(0, Math.ceil(secs));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export function toProviderError(err: unknown, operation: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const status = statusOf(err);
  if (err instanceof PipedreamError && status !== undefined) {
    const detail = errorText(err.body);
    const suffix = detail ? `: ${detail}` : "";
    const meta = { status, operation };
    if (status === 400 || status === 422) return new ProviderError("bad_request", `Connect rejected the request to ${operation} (HTTP ${status})${suffix}`, meta);
    if (status === 401) return new ProviderError("unauthorized", `Connect refused our credentials while trying to ${operation} (HTTP 401)${suffix}. Check PIPEDREAM_CLIENT_ID, PIPEDREAM_CLIENT_SECRET, PIPEDREAM_PROJECT_ID and PIPEDREAM_PROJECT_ENVIRONMENT.`, meta);
    if (status === 403) return new ProviderError("forbidden", `Connect refused to ${operation} (HTTP 403)${suffix}`, meta);
    if (status === 404) return new ProviderError("not_found", `Connect could not find what was asked for while trying to ${operation} (HTTP 404)${suffix}`, meta);
    if (status === 429) {
      const after = retryAfterSeconds(err);
      return new ProviderError("rate_limited", `Connect's rate limit was hit while trying to ${operation}; retry after ${after ?? 60} s`, { ...meta, retryAfterSeconds: after ?? 60 });
    }
    if (status === 408 || status === 504) return new ProviderError("timeout", `Connect timed out while trying to ${operation} (HTTP ${status})`, meta);
    if (status >= 500) {
      const after = retryAfterSeconds(err);
      return new ProviderError("upstream", `Connect failed while trying to ${operation} (HTTP ${status})${suffix}. This is usually temporary; try again shortly.`, { ...meta, ...(after !== undefined ? { retryAfterSeconds: after } : {}) });
    }
    return new ProviderError("bad_request", `Connect answered HTTP ${status} while trying to ${operation}${suffix}`, meta);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/user aborted a request|This operation was aborted|AbortError/i.test(message) || (err as { name?: string })?.name === "AbortError") {
    return new ProviderError("cancelled", `The call was cancelled while trying to ${operation}; the request to Connect was aborted.`, { operation });
  }
  if (err instanceof PipedreamTimeoutError || /^"?timeout"?$/i.test(message) || /timeout exceeded|aborted due to timeout/i.test(message)) {
    return new ProviderError("timeout", `Connect did not answer in time while trying to ${operation} (CONNECT_MCP_UPSTREAM_TIMEOUT_MS).`, { operation });
  }
  if (/fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|socket hang up|network/i.test(message + String((err as { cause?: unknown })?.cause ?? ""))) {
    return new ProviderError("network", `Could not reach Connect while trying to ${operation} (network error). Check PIPEDREAM_BASE_URL and connectivity.`, { operation });
  }
  if (/JSON|Unexpected token|Unexpected end/i.test(message)) {
    return new ProviderError("malformed", `Connect sent a response that could not be read while trying to ${operation}.`, { operation });
  }
  return new ProviderError("malformed", `Unexpected failure while trying to ${operation}: ${message.slice(0, MAX_DETAIL)}`, { operation });
}
