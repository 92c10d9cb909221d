/**
 * One HTTP exchange with a connector's API over plain fetch: bounded in time (the call's deadline
 * and abort signal), the body read up to a byte cap (the rest is never downloaded), redirects not
 * followed (they would carry the credential elsewhere). Non-2xx answers are results; failing to
 * get one throws ProviderError (cancelled, timeout, network).
 */
import { readResponse } from "../http-body.js";
import { ProviderError, type ProxyResponse } from "../provider.js";

const TIMEOUT = "timeout";

export interface Exchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** JSON-encoded already. */
  body?: string;
  maxBodyBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** What is being done, for messages ("run petstore-get-pet-by-id"). */
  operation: string;
  /** Connector name, for messages. */
  target: string;
}

export async function send(x: Exchange): Promise<ProxyResponse> {
  if (x.signal?.aborted) throw new ProviderError("cancelled", `The call was cancelled before it could ${x.operation}; nothing was sent.`, { operation: x.operation, notSent: true });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(TIMEOUT), Math.max(1, x.timeoutMs));
  const onAbort = () => controller.abort(x.signal?.reason);
  x.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const res = await fetch(x.url, { method: x.method, headers: x.headers, body: x.body, signal: controller.signal, redirect: "manual" });
    const answer = await readResponse(res, Math.max(1, x.maxBodyBytes));
    // Close the connection if anything is left unread.
    if (answer.truncated) controller.abort();
    return answer;
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    if (x.signal?.aborted) throw new ProviderError("cancelled", `The call was cancelled during the request to ${x.target}; it was aborted.`, { operation: x.operation });
    if (controller.signal.aborted && controller.signal.reason === TIMEOUT) {
      throw new ProviderError("timeout", `${x.target} did not answer in time (CONNECT_MCP_UPSTREAM_TIMEOUT_MS).`, { operation: x.operation });
    }
    throw new ProviderError("network", `Could not reach ${x.target} at ${x.url.origin} (network error); check the connector's base_url and that the service is up.`, { operation: x.operation });
  } finally {
    clearTimeout(timer);
    x.signal?.removeEventListener("abort", onAbort);
  }
}

/** The body as a value for a run result: JSON as is, text as a string, nothing as null. */
export function bodyValue(res: ProxyResponse): unknown {
  if (res.body.kind === "json") return res.body.value;
  if (res.body.kind === "empty") return null;
  return Buffer.from(res.body.value).toString("utf8");
}

/** A short single-line excerpt of a body, for messages. */
export function excerpt(res: ProxyResponse): string {
  const v = bodyValue(res);
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text ? text.replace(/\s+/g, " ").slice(0, 300) : "";
}
