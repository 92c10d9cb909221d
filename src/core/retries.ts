/**
 * Reads that ride out blips: accounts, action list/retrieve, app look-ups, remote options, prop
 * reloads and proxy GETs are tried again on 429, 502, 503, 504 and dropped connections, with
 * exponential backoff and full jitter, waiting at least what `Retry-After` asks, and all within
 * one budget per call (the upstream timeout): each attempt's timeout is cut to what is left, and
 * no retry starts that could not finish in time. Runs and proxy writes are never retried here:
 * they may have reached the app.
 *
 * A retried proxy GET says so in its response (`retried: {attempts, reasons}`).
 */
import type { CallOptions, ConnectProvider, ProxyRequest, ProxyResponse } from "../providers/provider.js";
import { ProviderError } from "../providers/provider.js";

export interface RetryPolicy {
  /** Total time one call may take, all attempts and waits included. */
  budgetMs: number;
  maxAttempts: number;
  /** First backoff step; doubles each attempt (full jitter below it). */
  baseDelayMs: number;
  /** Never wait longer than this between attempts (a longer Retry-After ends the retries). */
  maxDelayMs: number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export const DEFAULT_RETRY_POLICY: Omit<RetryPolicy, "budgetMs"> = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 10_000 };

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** Why a failed attempt is worth another, or undefined when it is not. */
function retryableError(err: unknown): { reason: string; retryAfterMs?: number } | undefined {
  if (!(err instanceof ProviderError)) return undefined;
  const status = err.details.status;
  if (err.kind === "rate_limited") return { reason: "429", ...(err.details.retryAfterSeconds !== undefined ? { retryAfterMs: err.details.retryAfterSeconds * 1000 } : {}) };
  if (status !== undefined && RETRYABLE_STATUS.has(status)) {
    return { reason: String(status), ...(err.details.retryAfterSeconds !== undefined ? { retryAfterMs: err.details.retryAfterSeconds * 1000 } : {}) };
  }
  if (err.kind === "network") return { reason: "connection failed" };
  return undefined;
}

function retryAfterMs(headers: Record<string, string>, now: number): number | undefined {
  const raw = headers["retry-after"];
  if (raw === undefined) return undefined;
  const secs = /^\d+$/.test(raw.trim()) ? Number(raw) : (Date.parse(raw) - now) / 1000;
  return Number.isFinite(secs) ? Math.max(0, secs * 1000) : undefined;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

type Attempt<T> = { ok: true; value: T } | { ok: false; retry?: { reason: string; retryAfterMs?: number }; error?: unknown; value?: T };

/**
 * Run `attempt` until it succeeds, fails for good, or the budget runs out. An attempt reports a
 * retryable outcome either by throwing (ProviderError) or by returning `{ok: false, value}` (a
 * proxy answer with a retryable status): the last such value is returned as it is.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  options: CallOptions | undefined,
  attempt: (options: CallOptions) => Promise<Attempt<T>>,
): Promise<{ value: T; attempts: number; reasons: string[] }> {
  const now = policy.now ?? Date.now;
  const sleep = policy.sleep ?? defaultSleep;
  const random = policy.random ?? Math.random;
  const deadline = Math.min(options?.deadline ?? Infinity, now() + policy.budgetMs);
  const reasons: string[] = [];
  for (let n = 1; ; n++) {
    let outcome: Attempt<T>;
    try {
      outcome = await attempt({ ...options, deadline });
    } catch (err) {
      const retry = retryableError(err);
      outcome = retry ? { ok: false, retry, error: err } : { ok: false, error: err };
    }
    if (outcome.ok) return { value: outcome.value, attempts: n, reasons };
    const giveUp = () => {
      if (outcome.value !== undefined) return { value: outcome.value, attempts: n, reasons };
      throw outcome.error;
    };
    if (!outcome.retry || n >= policy.maxAttempts || options?.signal?.aborted) return giveUp();
    const backoff = random() * policy.baseDelayMs * 2 ** (n - 1);
    const wait = Math.max(backoff, outcome.retry.retryAfterMs ?? 0);
    // Leave the next attempt at least a second of the budget, or do not start it.
    if (wait > policy.maxDelayMs || now() + wait + 1000 > deadline) return giveUp();
    reasons.push(outcome.retry.reason);
    try {
      await sleep(wait, options?.signal);
    } catch {
      return giveUp();
    }
  }
}

/** The provider with every read retried under `policy`; writes pass straight through. */
export function retryingReads(provider: ConnectProvider, policy: RetryPolicy): ConnectProvider {
  const read = async <T>(options: CallOptions | undefined, fn: (o: CallOptions) => Promise<T>): Promise<T> =>
    (await withRetries(policy, options, async (o) => ({ ok: true, value: await fn(o) }))).value;
  return {
    checkCredentials: () => provider.checkCredentials(),
    listAccounts: (user, filter, options) => read(options, (o) => provider.listAccounts(user, filter, o)),
    getApp: (slug, options) => read(options, (o) => provider.getApp(slug, o)),
    listApps: (query, options) => read(options, (o) => provider.listApps(query, o)),
    listActions: (query, options) => read(options, (o) => provider.listActions(query, o)),
    getAction: (key, options) => read(options, (o) => provider.getAction(key, o)),
    configureProp: (user, input, options) => read(options, (o) => provider.configureProp(user, input, o)),
    reloadProps: (user, input, options) => read(options, (o) => provider.reloadProps(user, input, o)),
    runAction: (user, input, options) => provider.runAction(user, input, options),
    createConnectToken: (user, options) => provider.createConnectToken(user, options),
    proxy: async (user, request: ProxyRequest, options) => {
      if (request.method !== "GET") return provider.proxy(user, request, options);
      const now = policy.now ?? Date.now;
      const { value, attempts, reasons } = await withRetries<ProxyResponse>(policy, options, async (o) => {
        const res = await provider.proxy(user, request, o);
        if (!RETRYABLE_STATUS.has(res.status)) return { ok: true, value: res };
        const after = retryAfterMs(res.headers, now());
        return { ok: false, value: res, retry: { reason: String(res.status), ...(after !== undefined ? { retryAfterMs: after } : {}) } };
      });
      return attempts > 1 ? { ...value, retried: { attempts, reasons } } : value;
    },
  };
}
