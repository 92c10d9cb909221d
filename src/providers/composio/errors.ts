/**
 * `@composio/client` failures → ProviderError, without secrets. Composio's error envelope is
 * `{"error": {message, code, slug, status}}` (a 429 carries a bare `{message}`).
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@composio/client";
import { ProviderError } from "../provider.js";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Composio's own words for a failure, from its envelope: "message (slug)". */
export function envelopeMessage(body: unknown): string | undefined {
  const inner = isObject(body) && isObject(body.error) ? body.error : isObject(body) ? body : undefined;
  if (!inner) return undefined;
  const message = typeof inner.message === "string" ? inner.message.slice(0, 500) : undefined;
  const slug = typeof inner.slug === "string" ? inner.slug : undefined;
  return message ? `${message}${slug ? ` (${slug})` : ""}` : slug;
}

function retryAfterSeconds(headers: Headers | undefined): number | undefined {
  const raw = headers?.get("retry-after");
  if (!raw) return undefined;
  const secs = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : (Date.parse(raw) - Date.now()) / 1000;
  return Number.isFinite(secs) ? Math.max(0, Math.ceil(secs)) : undefined;
}

export function statusError(status: number, body: unknown, operation: string, headers?: Headers): ProviderError {
  const said = envelopeMessage(body);
  const what = `Composio answered HTTP ${status} while trying to ${operation}${said ? `: ${said}` : ""}.`;
  if (status === 401) {
    return new ProviderError("unauthorized", `${what} Check COMPOSIO_API_KEY (a project API key; scoped keys need the tool execution and proxy permissions).`, { status, operation });
  }
  if (status === 403) return new ProviderError("forbidden", what, { status, operation });
  if (status === 404) return new ProviderError("not_found", what, { status, operation });
  if (status === 429) {
    const retry = retryAfterSeconds(headers);
    return new ProviderError("rate_limited", `${what} Slow down${retry !== undefined ? ` and retry after ${retry} s` : ""}.`, { status, operation, ...(retry !== undefined ? { retryAfterSeconds: retry } : {}) });
  }
  if (status >= 500) {
    const retry = retryAfterSeconds(headers);
    return new ProviderError("upstream", `${what} This is usually temporary.`, { status, operation, ...(retry !== undefined ? { retryAfterSeconds: retry } : {}) });
  }
  return new ProviderError("bad_request", what, { status, operation });
}

export function toProviderError(err: unknown, operation: string, signal?: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof APIUserAbortError || signal?.aborted) {
    return new ProviderError("cancelled", `The call was cancelled while trying to ${operation}; the request to Composio was aborted.`, { operation });
  }
  if (err instanceof APIConnectionTimeoutError) return new ProviderError("timeout", `Composio did not answer in time while trying to ${operation}.`, { operation });
  if (err instanceof APIConnectionError) return new ProviderError("network", `Could not reach Composio while trying to ${operation} (connection failed).`, { operation });
  if (err instanceof APIError && typeof err.status === "number") return statusError(err.status, err.error, operation, err.headers as Headers | undefined);
  return new ProviderError("malformed", `Composio's answer could not be read while trying to ${operation}.`, { operation });
}
