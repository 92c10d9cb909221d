/**
 * ConnectProvider over the official `@pipedream/sdk` (3.1.x). The only module that imports the SDK.
 *
 * SDK quirks handled here (reference §0, §8):
 * - client-level timeout/retry options are ignored by the wrapper, so every call passes its own;
 * - POSTs are retried on 5xx/429 by default: runs and proxy writes pass `maxRetries: 0`;
 * - no refresh on 401 and no single-flight token fetch: our own token provider does both;
 * - a 2xx body that is not JSON comes back as the odd object `{ok:false, error:{reason:"non-json"}}`
 *   and a wrong shape passes unvalidated: every answer is checked here, and one that cannot be read
 *   is a ProviderError("malformed"), never an empty success;
 * - the proxy client reads whole bodies (JSON path, every error body): proxy calls go through
 *   ./proxy.ts instead, which streams to a byte cap and tells an app's 401 from Connect's.
 */
import { PipedreamClient } from "@pipedream/sdk";
import {
  ProviderError,
  type ActionDefinition,
  type ActionPage,
  type ActionProp,
  type AppInfo,
  type AppPage,
  type CallOptions,
  type ConfigurePropInput,
  type ConfigurePropOutput,
  type ConnectedAccount,
  type ConnectProvider,
  type ConnectToken,
  type Observation,
  type ProxyRequest,
  type ProxyResponse,
  type ReloadPropsInput,
  type ReloadPropsOutput,
  type RunActionInput,
  type RunActionOutput,
} from "../provider.js";
import { statusOf, toProviderError } from "./errors.js";
import { probeToken, sendProxy, type ProxyWire } from "./proxy.js";
import { SingleFlightTokenProvider } from "./token-provider.js";

export interface PipedreamProviderOptions {
  clientId: string;
  clientSecret: string;
  projectId: string;
  environment: "development" | "production";
  baseUrl: string;
  timeoutMs: number;
  /** Called once per token refresh forced by a 401 (for logs/metrics). */
  onTokenRejected?: () => void;
  /** Least spacing of forced refreshes of tokens Connect never accepted (default 30 s). */
  minForcedRefreshIntervalMs?: number;
}

/**
 * The SDK retries nothing: reads are retried by core/retries.ts (backoff, Retry-After, one budget
 * per call), and anything with side effects never is.
 */
const READ_RETRIES = 0;
const NO_RETRIES = 0;

type Json = Record<string, unknown>;

export class PipedreamProvider implements ConnectProvider {
  private readonly client: PipedreamClient;
  private readonly tokens: SingleFlightTokenProvider;
  private readonly timeoutInSeconds: number;
  private readonly wire: ProxyWire;

  constructor(private readonly options: PipedreamProviderOptions) {
    this.timeoutInSeconds = Math.max(0.001, options.timeoutMs / 1000);
    this.wire = { baseUrl: options.baseUrl, projectId: options.projectId, environment: options.environment, timeoutMs: options.timeoutMs };
    // The token endpoint is called through the same client: it does not use the token provider.
    this.tokens = new SingleFlightTokenProvider(async () => {
      try {
        const res = await this.client.oauthTokens.create(
          { clientId: options.clientId, clientSecret: options.clientSecret },
          { timeoutInSeconds: this.timeoutInSeconds, maxRetries: READ_RETRIES },
        );
        if (!res?.accessToken) throw new ProviderError("malformed", "Connect's token endpoint answered without an access token.");
        return { accessToken: res.accessToken, expiresInSeconds: Number(res.expiresIn) || 0 };
      } catch (err) {
        const status = statusOf(err);
        if (status === 400 || status === 401 || status === 403) {
          throw new ProviderError(
            "unauthorized",
            `Connect rejected the client credentials (HTTP ${status}). Check PIPEDREAM_CLIENT_ID and PIPEDREAM_CLIENT_SECRET (and that they belong to PIPEDREAM_PROJECT_ID).`,
            { status, operation: "get an access token" },
          );
        }
        throw toProviderError(err, "get an access token");
      }
    }, Date.now, options.minForcedRefreshIntervalMs);
    this.client = new PipedreamClient({
      baseUrl: options.baseUrl,
      projectId: options.projectId,
      projectEnvironment: options.environment,
      tokenProvider: { getToken: () => this.tokens.getToken() },
    });
  }

  /**
   * Run one SDK call with the current token; if Connect answers 401, drop that token, fetch a new one
   * (single-flight, rate-limited: see SingleFlightTokenProvider.invalidate) and try once more. Only
   * Connect answers these calls, so their 401 is always about our token.
   */
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const token = await this.tokens.getToken();
    try {
      const out = await fn();
      this.tokens.accepted(token);
      return out;
    } catch (err) {
      const status = statusOf(err);
      if (status !== 401) {
        if (status !== undefined && status < 500) this.tokens.accepted(token);
        throw toProviderError(err, operation);
      }
      if (!this.tokens.invalidate(token)) throw toProviderError(err, operation);
      this.options.onTokenRejected?.();
      const fresh = await this.tokens.getToken();
      try {
        const out = await fn();
        this.tokens.accepted(fresh);
        return out;
      } catch (retryErr) {
        throw toProviderError(retryErr, operation);
      }
    }
  }

  /** The SDK's per-request options: our timeout, cut to the call's deadline, and its abort signal. */
  private requestOptions(maxRetries: number, options?: CallOptions) {
    const left = options?.deadline !== undefined ? (options.deadline - Date.now()) / 1000 : Infinity;
    const timeoutInSeconds = Math.max(0.001, Math.min(this.timeoutInSeconds, left));
    return { timeoutInSeconds, maxRetries, ...(options?.signal ? { abortSignal: options.signal } : {}) };
  }

  async checkCredentials(): Promise<void> {
    await this.tokens.getToken();
  }

  async listAccounts(user: string, filter: { app?: string } = {}, options?: CallOptions): Promise<ConnectedAccount[]> {
    const operation = "list connected accounts";
    return this.call(operation, async () => {
      const page = await this.client.accounts.list({ externalUserId: user, app: filter.app }, this.requestOptions(READ_RETRIES, options));
      const out: ConnectedAccount[] = [];
      // Follow `after` cursors until Connect's last page, checking every page (the SDK's own
      // iterator takes an unreadable page for an empty one).
      const seen = new Set<string>();
      for (;;) {
        const { items, next } = readPage(page.response, operation, "id");
        out.push(...items.map(toAccount));
        if (!next) return out;
        if (seen.has(next)) throw malformed("its pages repeat the same cursor", operation);
        seen.add(next);
        await page.getNextPage();
      }
    });
  }

  async getApp(slug: string, options?: CallOptions): Promise<AppInfo> {
    const operation = `look up app "${slug}"`;
    return this.call(operation, async () => {
      const res = objectAnswer(await this.client.apps.retrieve(slug, this.requestOptions(READ_RETRIES, options)), operation);
      return toApp(item(res.data, "nameSlug", operation));
    });
  }

  async listApps(query: { query?: string; limit: number; after?: string }, options?: CallOptions): Promise<AppPage> {
    const operation = "list apps";
    return this.call(operation, async () => {
      const page = await this.client.apps.list({ q: query.query, limit: query.limit, after: query.after }, this.requestOptions(READ_RETRIES, options));
      const { items, next } = readPage(page.response, operation, "nameSlug");
      return { apps: items.map(toApp), ...(next ? { nextCursor: next } : {}) };
    });
  }

  async listActions(query: { app?: string; query?: string; limit: number; after?: string }, options?: CallOptions): Promise<ActionPage> {
    const operation = "list actions";
    return this.call(operation, async () => {
      const page = await this.client.actions.list(
        { app: query.app, q: query.query, limit: query.limit, after: query.after },
        this.requestOptions(READ_RETRIES, options),
      );
      const { items, next } = readPage(page.response, operation, "key");
      return { actions: items.map(toAction), ...(next ? { nextCursor: next } : {}) };
    });
  }

  async getAction(key: string, options?: CallOptions): Promise<ActionDefinition> {
    const operation = `retrieve action "${key}"`;
    return this.call(operation, async () => {
      const res = objectAnswer(await this.client.actions.retrieve(key, {}, this.requestOptions(READ_RETRIES, options)), operation);
      return toAction(item(res.data, "key", operation));
    });
  }

  async configureProp(user: string, input: ConfigurePropInput, options?: CallOptions): Promise<ConfigurePropOutput> {
    const operation = `load options for "${input.propName}"`;
    return this.call(operation, async () => {
      const answer = await this.client.actions.configureProp(
        {
          id: input.key,
          version: input.version,
          externalUserId: user,
          propName: input.propName,
          configuredProps: input.configuredProps,
          dynamicPropsId: input.dynamicPropsId,
          query: input.query,
          page: input.page,
          prevContext: input.prevContext,
        },
        this.requestOptions(READ_RETRIES, options),
      );
      const res = objectAnswer(answer, operation);
      listOrAbsent(res, ["options", "stringOptions", "errors", "observations"], operation);
      if (!["options", "stringOptions", "errors"].some((k) => Array.isArray(res[k]))) {
        throw malformed("it has no options, stringOptions or errors", operation);
      }
      const raw = Array.isArray(res.options) ? res.options : Array.isArray(res.stringOptions) ? res.stringOptions : [];
      return {
        options: raw.map(toOption),
        context: isObject(res.context) ? res.context : undefined,
        errors: toStringList(res.errors),
        observations: toObservations(res.observations),
      };
    });
  }

  async reloadProps(user: string, input: ReloadPropsInput, options?: CallOptions): Promise<ReloadPropsOutput> {
    const operation = `reload props of "${input.key}"`;
    return this.call(operation, async () => {
      const res = objectAnswer(
        await this.client.actions.reloadProps(
          { id: input.key, version: input.version, externalUserId: user, configuredProps: input.configuredProps, dynamicPropsId: input.dynamicPropsId },
          this.requestOptions(READ_RETRIES, options),
        ),
        operation,
      );
      listOrAbsent(res, ["errors", "observations"], operation);
      if (res.dynamicProps !== undefined && res.dynamicProps !== null) {
        if (!isObject(res.dynamicProps)) throw malformed("dynamicProps is not an object", operation);
        listOrAbsent(res.dynamicProps, ["configurableProps"], operation);
      } else if (!Array.isArray(res.errors)) {
        throw malformed("it has neither dynamicProps nor errors", operation);
      }
      const dyn = isObject(res.dynamicProps) ? res.dynamicProps : {};
      return {
        dynamicPropsId: typeof dyn.id === "string" ? dyn.id : undefined,
        props: Array.isArray(dyn.configurableProps) ? (dyn.configurableProps as ActionProp[]) : [],
        errors: toStringList(res.errors),
        observations: toObservations(res.observations),
      };
    });
  }

  async runAction(user: string, input: RunActionInput, options?: CallOptions): Promise<RunActionOutput> {
    // A 401 is answered by Connect's auth layer before anything runs, so the one retry after a
    // token refresh cannot duplicate a side effect; 5xx/timeouts are never retried.
    const operation = `run action "${input.key}"`;
    return this.call(operation, async () => {
      // An answer that cannot be read says nothing about whether the action ran: malformed, never
      // an empty success.
      const res = objectAnswer(
        await this.client.actions.run(
          { id: input.key, version: input.version, externalUserId: user, configuredProps: input.configuredProps, dynamicPropsId: input.dynamicPropsId },
          this.requestOptions(NO_RETRIES, options),
        ),
        operation,
      );
      if (!["exports", "ret", "os"].some((k) => k in res)) throw malformed("it has none of exports, ret or os", operation);
      listOrAbsent(res, ["os"], operation);
      if (res.exports !== undefined && res.exports !== null && !isObject(res.exports)) throw malformed("exports is not an object", operation);
      return {
        exports: isObject(res?.exports) ? res.exports : {},
        ret: res?.ret ?? null,
        observations: toObservations(res?.os),
      };
    });
  }

  async proxy(user: string, request: ProxyRequest, options?: CallOptions): Promise<ProxyResponse> {
    const signal = options?.signal;
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.getToken();
      const res = await sendProxy(this.wire, token, user, request, signal, options?.deadline);
      if (res.status !== 401) {
        // Connect passed the request on (or refused it for some other reason than our token).
        if (res.status < 500) this.tokens.accepted(token);
        return res;
      }
      // Connect's 401 (our token) or the app's (the account's credentials)? Connect marks neither,
      // so ask Connect with the same token; see probeToken.
      const verdict = await probeToken(this.wire, token, request.accountId, signal);
      if (verdict !== "rejected") {
        if (verdict === "accepted") this.tokens.accepted(token);
        return res; // the app's own 401: the token stays, nothing is repeated
      }
      // Connect refused our token before forwarding anything. A read is repeated once with a new
      // token; a write is not (it is reported, and the agent may send it again).
      const replaced = this.tokens.invalidate(token);
      if (replaced) this.options.onTokenRejected?.();
      const operation = `proxy ${request.method} request`;
      if (replaced && request.method === "GET" && attempt === 1) continue;
      throw new ProviderError(
        "unauthorized",
        replaced
          ? `Connect refused our access token for the ${operation} (HTTP 401); the request was not carried out. A new token will be used; send it again.`
          : `Connect refused our credentials while trying to ${operation} (HTTP 401). Check PIPEDREAM_CLIENT_ID, PIPEDREAM_CLIENT_SECRET, PIPEDREAM_PROJECT_ID and PIPEDREAM_PROJECT_ENVIRONMENT.`,
        { status: 401, operation },
      );
    }
  }

  async createConnectToken(
    user: string,
    options: { successRedirectUri?: string; errorRedirectUri?: string; webhookUri?: string } = {},
  ): Promise<ConnectToken> {
    return this.call("create a Connect token", async () => {
      const res = (await this.client.tokens.create(
        { externalUserId: user, ...options },
        this.requestOptions(NO_RETRIES),
      )) as unknown as { token: string; expiresAt?: Date | string; connectLinkUrl: string };
      return {
        token: res.token,
        expiresAt: res.expiresAt instanceof Date ? res.expiresAt.toISOString() : String(res.expiresAt ?? ""),
        connectLinkUrl: res.connectLinkUrl,
      };
    });
  }
}

/* ---------- normalisation of SDK (camelCased) shapes ---------- */

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function iso(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  return typeof v === "string" ? v : undefined;
}

function toApp(app: Json): AppInfo {
  let customFieldNames: string[] = [];
  const raw = app.customFieldsJson ?? app.custom_fields_json;
  if (typeof raw === "string" && raw.trim()) {
    try {
      const fields = JSON.parse(raw) as unknown;
      if (Array.isArray(fields)) customFieldNames = fields.filter(isObject).map((f) => String(f.name ?? "")).filter(Boolean);
    } catch {
      // An unreadable custom-fields string only means we know of no per-account fields.
    }
  }
  return {
    slug: String(app.nameSlug ?? app.name_slug ?? ""),
    name: String(app.name ?? app.nameSlug ?? ""),
    id: typeof app.id === "string" ? app.id : undefined,
    description: typeof app.description === "string" ? app.description : undefined,
    customFieldNames,
    ...(Array.isArray(app.categories) ? { categories: app.categories.map(String) } : {}),
    ...(typeof (app.featuredWeight ?? app.featured_weight) === "number" ? { featuredWeight: Number(app.featuredWeight ?? app.featured_weight) } : {}),
  };
}

function toAccount(a: Json): ConnectedAccount {
  const error = a.error;
  return {
    id: String(a.id),
    name: String(a.name ?? ""),
    app: toApp(isObject(a.app) ? a.app : {}),
    healthy: a.healthy === true,
    dead: a.dead === true,
    ...(typeof error === "string" && error ? { error } : isObject(error) && typeof error.message === "string" ? { error: error.message } : {}),
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

function toAction(c: Json): ActionDefinition {
  const annotations = isObject(c.annotations) ? c.annotations : undefined;
  return {
    key: String(c.key),
    name: String(c.name ?? c.key),
    version: String(c.version ?? ""),
    description: typeof c.description === "string" ? c.description : undefined,
    annotations: annotations as ActionDefinition["annotations"],
    props: Array.isArray(c.configurableProps) ? (c.configurableProps as ActionProp[]) : [],
  };
}

function toOption(o: unknown): { label: string; value: unknown } {
  if (isObject(o)) {
    const lv = isObject(o.__lv) ? o.__lv : o;
    if ("value" in lv) return { label: String(lv.label ?? lv.value), value: lv.value };
  }
  return { label: String(o), value: o };
}

function toStringList(v: unknown): string[] {
  return Array.isArray(v) ? v.map((e) => (typeof e === "string" ? e : JSON.stringify(e))) : [];
}

function toObservations(v: unknown): Observation[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((o) => ({
    ts: typeof o.ts === "number" ? o.ts : undefined,
    k: String(o.k ?? ""),
    msg: typeof o.msg === "string" ? o.msg : undefined,
    err: isObject(o.err) ? { name: o.err.name as string | undefined, message: o.err.message as string | undefined } : undefined,
  }));
}

/* ---------- reading answers: unreadable is malformed, never empty ---------- */

function malformed(what: string, operation: string): ProviderError {
  return new ProviderError(
    "malformed",
    `Connect's answer could not be read while trying to ${operation}: ${what}. Nothing was taken from it; this is usually temporary, so try again shortly.`,
    { operation },
  );
}

/** The SDK's stand-in for a 2xx body that was not JSON. */
function isNonJson(v: unknown): boolean {
  return isObject(v) && v.ok === false && isObject(v.error) && v.error.reason === "non-json";
}

/** The answer as a JSON object, or a malformed error saying what it was instead. */
function objectAnswer(res: unknown, operation: string): Json {
  if (res === undefined || res === null || res === "") throw malformed("the body was empty", operation);
  if (isNonJson(res)) throw malformed("the body was not JSON", operation);
  if (!isObject(res)) throw malformed(`expected a JSON object, got ${Array.isArray(res) ? "an array" : typeof res}`, operation);
  return res;
}

/** Fields that must be lists when present (null counts as absent). */
function listOrAbsent(res: Json, fields: string[], operation: string): void {
  for (const f of fields) {
    if (res[f] !== undefined && res[f] !== null && !Array.isArray(res[f])) throw malformed(`${f} is not a list`, operation);
  }
}

/** One entry of an answer: an object carrying a non-empty string `key` field (camelCased by the SDK or not). */
function item(v: unknown, key: string, operation: string): Json {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const ok = (k: string) => isObject(v) && typeof v[k] === "string" && v[k] !== "";
  if (!ok(key) && !ok(snake)) throw malformed(`an entry has no ${snake}`, operation);
  return v as Json;
}

/** A list page `{data: [...], pageInfo: {endCursor}}`; no pageInfo counts as the last page. */
function readPage(response: unknown, operation: string, key: string): { items: Json[]; next?: string } {
  const res = objectAnswer(response, operation);
  if (!Array.isArray(res.data)) throw malformed("data is not a list", operation);
  const items = res.data.map((v) => item(v, key, operation));
  const end = isObject(res.pageInfo) ? res.pageInfo.endCursor : undefined;
  return { items, ...(typeof end === "string" && end !== "" ? { next: end } : {}) };
}
