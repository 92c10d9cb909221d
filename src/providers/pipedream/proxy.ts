/**
 * Connect's API proxy over plain `fetch`, because the SDK's proxy client cannot bound memory:
 * - with the caller's `Accept: application/json` it reads and parses the whole body (and the
 *   header that selects that path is the one forwarded to the app, so it cannot be changed);
 * - every 4xx/5xx body is read whole (`getErrorResponseBody` → `response.text()`), whatever its size;
 * - its timeout stops at the response headers, so a slow body is never timed out.
 * Here every body is read as a stream up to a byte cap, the rest is cancelled (the connection is
 * closed, so nothing more is downloaded), and the timeout and the caller's abort signal cover the
 * whole exchange. The wire request is the one SDK 3.1.6 sends (reference §5.6): standard base64
 * (padded) of the target URL, percent-encoded; `x-pd-proxy-` + lower-cased caller headers; a JSON
 * body; `external_user_id` and `account_id` in the query.
 */
import { VERSION } from "../../version.js";
import { readResponse } from "../http-body.js";
import { ProviderError, type HttpMethod, type ProxyRequest, type ProxyResponse } from "../provider.js";

export const DEFAULT_MAX_UPSTREAM_BYTES = 8 * 1024 * 1024;

export interface ProxyWire {
  baseUrl: string;
  projectId: string;
  environment: string;
  timeoutMs: number;
}

const TIMEOUT = "timeout";

function connectUrl(wire: ProxyWire, path: string, query: Record<string, string>): string {
  const url = new URL(wire.baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${path}`;
  // encodeURIComponent, like the SDK (URLSearchParams would turn spaces into "+").
  url.search = Object.entries(query)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("&");
  return url.toString();
}

export function proxyUrl(wire: ProxyWire, user: string, request: Pick<ProxyRequest, "url" | "accountId">): string {
  const url64 = Buffer.from(request.url, "utf8").toString("base64");
  return connectUrl(wire, `v1/connect/${encodeURIComponent(wire.projectId)}/proxy/${encodeURIComponent(url64)}`, {
    external_user_id: user,
    account_id: request.accountId,
  });
}

function connectHeaders(wire: ProxyWire, token: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    "x-pd-environment": wire.environment,
    accept: "*/*",
    "user-agent": `connect-mcp/${VERSION}`,
  };
}

function cancelled(operation: string): ProviderError {
  return new ProviderError("cancelled", `The call was cancelled while trying to ${operation}; the request to Connect was aborted.`, { operation });
}

/**
 * One exchange bounded in time: the controller's signal aborts on the caller's signal or after
 * `timeoutMs`, and `failure(err)` names which happened.
 */
function deadline(timeoutMs: number, caller?: AbortSignal) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(TIMEOUT), timeoutMs);
  const onAbort = () => controller.abort(caller?.reason);
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    abort: () => controller.abort(),
    done() {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
    },
    failure(err: unknown, operation: string): ProviderError {
      if (err instanceof ProviderError) return err;
      if (caller?.aborted) return cancelled(operation);
      if (controller.signal.aborted && controller.signal.reason === TIMEOUT) {
        return new ProviderError("timeout", `Connect did not answer in time while trying to ${operation} (CONNECT_MCP_UPSTREAM_TIMEOUT_MS).`, { operation });
      }
      return new ProviderError("network", `Could not reach Connect while trying to ${operation} (network error). Check PIPEDREAM_BASE_URL and connectivity.`, { operation });
    },
  };
}

/**
 * Send one proxy request with `token` and read the answer up to the cap, once (reads are retried
 * by core/retries.ts; writes never are). Non-2xx answers are results, not exceptions; failures to
 * reach Connect throw ProviderError (cancelled, timeout, network). The timeout is cut to `deadline`.
 */
export async function sendProxy(wire: ProxyWire, token: string, user: string, request: ProxyRequest, signal?: AbortSignal, deadlineAt?: number): Promise<ProxyResponse> {
  const cap = Math.max(1, request.maxBodyBytes ?? DEFAULT_MAX_UPSTREAM_BYTES);
  const operation = `proxy ${request.method} request`;
  const url = proxyUrl(wire, user, request);
  const headers = connectHeaders(wire, token);
  let callerAccept = false;
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (lower === "accept") callerAccept = true;
    headers[`x-pd-proxy-${lower}`] = value;
  }
  // The app gets an explicit Accept, as the SDK path this replaces sent.
  if (!callerAccept) headers["x-pd-proxy-accept"] = "*/*";
  const hasBody = request.method === "POST" || request.method === "PUT" || request.method === "PATCH";
  if (hasBody) headers["content-type"] = "application/json";
  const body = hasBody ? JSON.stringify(request.body ?? {}) : undefined;
  const timeoutMs = deadlineAt !== undefined ? Math.max(1, Math.min(wire.timeoutMs, deadlineAt - Date.now())) : wire.timeoutMs;
  {
    const exchange = deadline(timeoutMs, signal);
    try {
      // Redirects are the app's answer to show, not to follow with our bearer token.
      const res = await fetch(url, { method: request.method as HttpMethod, headers, body, signal: exchange.signal, redirect: "manual" });
      const answer = await readResponse(res, cap);
      // Close the connection if anything is left unread (cancel already asked undici to).
      if (answer.truncated) exchange.abort();
      return answer;
    } catch (err) {
      throw exchange.failure(err, operation);
    } finally {
      exchange.done();
    }
  }
}

export type TokenVerdict = "accepted" | "rejected" | "unknown";

/**
 * Does Connect accept `token`? Asked after a proxied request came back 401, to tell Connect's own
 * refusal from the app's: real Connect marks neither (a proxied upstream 401 keeps the app's status,
 * headers and body, and the app may well answer `{"error":"Unauthorized"}` exactly as Connect's
 * auth layer does), so no header or body of that answer can decide it. Connect itself can: one
 * cheap authenticated read (the account being used) with the very same token. Anything but a 401
 * means our token is good and the 401 was the app's; a network failure or timeout leaves it
 * unknown. The caller's cancellation still throws.
 */
export async function probeToken(wire: ProxyWire, token: string, accountId: string, signal?: AbortSignal): Promise<TokenVerdict> {
  const exchange = deadline(wire.timeoutMs, signal);
  try {
    const url = connectUrl(wire, `v1/connect/${encodeURIComponent(wire.projectId)}/accounts/${encodeURIComponent(accountId)}`, {});
    const res = await fetch(url, { headers: connectHeaders(wire, token), signal: exchange.signal, redirect: "manual" });
    await res.body?.cancel().catch(() => undefined);
    return res.status === 401 ? "rejected" : "accepted";
  } catch (err) {
    if (signal?.aborted) throw exchange.failure(err, "check the Connect access token");
    return "unknown";
  } finally {
    exchange.done();
  }
}
