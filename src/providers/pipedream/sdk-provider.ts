/**
 * ConnectProvider over the official `@pipedream/sdk` (3.1.x). The only module that imports the SDK.
 *
 * SDK quirks handled here (reference §0, §8):
 * - client-level timeout/retry options are ignored by the wrapper, so every call passes its own;
 * - POSTs are retried on 5xx/429 by default: runs and proxy writes pass `maxRetries: 0`;
 * - no refresh on 401 and no single-flight token fetch: our own token provider does both;
 * - proxy `params` break URLs that already have a query string: callers merge the query into `url`;
 * - non-JSON proxy replies come back in odd wrappers: we always ask for raw bytes unless the caller
 *   asked for JSON explicitly, and decode by content type ourselves.
 */
import { PipedreamClient, PipedreamError } from "@pipedream/sdk";
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
}

/** Reads are retried once by the SDK on 5xx/429/408; anything with side effects never is. */
const READ_RETRIES = 1;
const NO_RETRIES = 0;

type Json = Record<string, unknown>;

export class PipedreamProvider implements ConnectProvider {
  private readonly client: PipedreamClient;
  private readonly tokens: SingleFlightTokenProvider;
  private readonly timeoutInSeconds: number;

  constructor(private readonly options: PipedreamProviderOptions) {
    this.timeoutInSeconds = Math.max(0.001, options.timeoutMs / 1000);
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
    });
    this.client = new PipedreamClient({
      baseUrl: options.baseUrl,
      projectId: options.projectId,
      projectEnvironment: options.environment,
      tokenProvider: { getToken: () => this.tokens.getToken() },
    });
  }

  /**
   * Run one SDK call with the current token; if Connect answers 401, drop that token, fetch a new one
   * (single-flight) and try once more. `retryOn401: false` for calls where a 401 may come from
   * someone other than Connect and a repeat could have side effects (proxy writes).
   */
  private async call<T>(operation: string, fn: () => Promise<T>, retryOn401 = true): Promise<T> {
    const token = await this.tokens.getToken();
    try {
      return await fn();
    } catch (err) {
      if (statusOf(err) !== 401) throw toProviderError(err, operation);
      this.tokens.invalidate(token);
      this.options.onTokenRejected?.();
      if (!retryOn401) throw toProviderError(err, operation);
      await this.tokens.getToken();
      try {
        return await fn();
      } catch (retryErr) {
        throw toProviderError(retryErr, operation);
      }
    }
  }

  private requestOptions(maxRetries: number, options?: CallOptions) {
    return { timeoutInSeconds: this.timeoutInSeconds, maxRetries, ...(options?.signal ? { abortSignal: options.signal } : {}) };
  }

  async checkCredentials(): Promise<void> {
    await this.tokens.getToken();
  }

  async listAccounts(user: string, filter: { app?: string } = {}, options?: CallOptions): Promise<ConnectedAccount[]> {
    return this.call("list connected accounts", async () => {
      const page = await this.client.accounts.list({ externalUserId: user, app: filter.app }, this.requestOptions(READ_RETRIES, options));
      const out: ConnectedAccount[] = [];
      // `for await` follows `after` cursors until Connect's last page.
      for await (const account of page) out.push(toAccount(account as unknown as Json));
      return out;
    });
  }

  async getApp(slug: string): Promise<AppInfo> {
    return this.call(`look up app "${slug}"`, async () => {
      const res = (await this.client.apps.retrieve(slug, this.requestOptions(READ_RETRIES))) as unknown as { data?: Json };
      if (!res?.data) throw new ProviderError("malformed", `Connect's answer for app "${slug}" had no data.`);
      return toApp(res.data);
    });
  }

  async listApps(query: { query?: string; limit: number; after?: string }): Promise<AppPage> {
    return this.call("list apps", async () => {
      const page = await this.client.apps.list({ q: query.query, limit: query.limit, after: query.after }, this.requestOptions(READ_RETRIES));
      const response = page.response as unknown as { pageInfo?: { endCursor?: string } };
      const next = response?.pageInfo?.endCursor;
      return {
        apps: (page.data as unknown as Json[]).map(toApp),
        ...(next ? { nextCursor: next } : {}),
      };
    });
  }

  async listActions(query: { app?: string; query?: string; limit: number; after?: string }): Promise<ActionPage> {
    return this.call("list actions", async () => {
      const page = await this.client.actions.list(
        { app: query.app, q: query.query, limit: query.limit, after: query.after },
        this.requestOptions(READ_RETRIES),
      );
      const response = page.response as unknown as { pageInfo?: { endCursor?: string } };
      const next = response?.pageInfo?.endCursor;
      return {
        actions: (page.data as unknown as Json[]).map(toAction),
        ...(next ? { nextCursor: next } : {}),
      };
    });
  }

  async getAction(key: string): Promise<ActionDefinition> {
    return this.call(`retrieve action "${key}"`, async () => {
      const res = (await this.client.actions.retrieve(key, {}, this.requestOptions(READ_RETRIES))) as unknown as { data?: Json };
      if (!res?.data) throw new ProviderError("malformed", `Connect's answer for action "${key}" had no data.`);
      return toAction(res.data);
    });
  }

  async configureProp(user: string, input: ConfigurePropInput, options?: CallOptions): Promise<ConfigurePropOutput> {
    return this.call(`load options for "${input.propName}"`, async () => {
      const res = (await this.client.actions.configureProp(
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
      )) as unknown as Json;
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
    return this.call(`reload props of "${input.key}"`, async () => {
      const res = (await this.client.actions.reloadProps(
        { id: input.key, version: input.version, externalUserId: user, configuredProps: input.configuredProps, dynamicPropsId: input.dynamicPropsId },
        this.requestOptions(READ_RETRIES, options),
      )) as unknown as Json;
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
    return this.call(`run action "${input.key}"`, async () => {
      const res = (await this.client.actions.run(
        { id: input.key, version: input.version, externalUserId: user, configuredProps: input.configuredProps, dynamicPropsId: input.dynamicPropsId },
        this.requestOptions(NO_RETRIES, options),
      )) as unknown as Json;
      return {
        exports: isObject(res?.exports) ? res.exports : {},
        ret: res?.ret ?? null,
        observations: toObservations(res?.os),
      };
    });
  }

  async proxy(user: string, request: ProxyRequest, options?: CallOptions): Promise<ProxyResponse> {
    const isRead = request.method === "GET";
    const hasAccept = Object.keys(request.headers).some((h) => h.toLowerCase() === "accept");
    // Without an explicit JSON Accept the SDK hands back raw bytes, which we decode by content type.
    const headers = hasAccept ? request.headers : { ...request.headers, accept: "*/*" };
    const base = { url: request.url, externalUserId: user, accountId: request.accountId, headers };
    const opts = this.requestOptions(isRead ? READ_RETRIES : NO_RETRIES, options);
    const proxy = this.client.proxy;
    const send = () => {
      switch (request.method) {
        case "GET":
          return proxy.get(base, opts).withRawResponse();
        case "DELETE":
          return proxy.delete(base, opts).withRawResponse();
        case "POST":
          return proxy.post({ ...base, body: request.body ?? {} }, opts).withRawResponse();
        case "PUT":
          return proxy.put({ ...base, body: request.body ?? {} }, opts).withRawResponse();
        case "PATCH":
          return proxy.patch({ ...base, body: request.body ?? {} }, opts).withRawResponse();
      }
    };
    const operation = `proxy ${request.method} request`;
    // Upstream non-2xx answers are results for the caller to read, not provider failures.
    const attempt = async (): Promise<ProxyResponse> => {
      try {
        const { data, rawResponse } = await send();
        return await toProxyResponse(rawResponse.status, rawResponse.headers, data);
      } catch (err) {
        if (err instanceof PipedreamError && typeof err.statusCode === "number") {
          return errorAsProxyResponse(err.statusCode, err.rawResponse?.headers, err.body);
        }
        throw toProviderError(err, operation);
      }
    };
    const token = await this.tokens.getToken();
    const first = await attempt();
    if (first.status !== 401) return first;
    // The 401 may be Connect's (our token) or the upstream API's; drop our token either way, but
    // repeat only reads: a write that reached the upstream must not run twice.
    this.tokens.invalidate(token);
    this.options.onTokenRejected?.();
    return isRead ? attempt() : first;
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

function headerRecord(headers: Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  headers?.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json(\s*;|$)|^text\/json/i;

async function toProxyResponse(status: number, rawHeaders: Headers, data: unknown): Promise<ProxyResponse> {
  const headers = headerRecord(rawHeaders);
  const contentType = headers["content-type"];
  if (data === undefined || data === null) return { status, headers, contentType, body: { kind: "empty" } };
  if (isObject(data) && typeof (data as { arrayBuffer?: unknown }).arrayBuffer === "function") {
    const bytes = new Uint8Array(await (data as unknown as { arrayBuffer(): Promise<ArrayBuffer> }).arrayBuffer());
    if (bytes.length === 0) return { status, headers, contentType, body: { kind: "empty" } };
    if (contentType && JSON_TYPE.test(contentType)) {
      try {
        return { status, headers, contentType, body: { kind: "json", value: JSON.parse(Buffer.from(bytes).toString("utf8")) } };
      } catch {
        // Mislabelled JSON: hand back the bytes as they are.
      }
    }
    return { status, headers, contentType, body: { kind: "bytes", value: bytes } };
  }
  // The SDK's wrapper for a 2xx non-JSON body read on the JSON path.
  if (isObject(data) && data.ok === false && isObject(data.error) && data.error.reason === "non-json") {
    return { status, headers, contentType, body: { kind: "bytes", value: Buffer.from(String(data.error.rawBody ?? ""), "utf8") } };
  }
  return { status, headers, contentType, body: { kind: "json", value: data } };
}

function errorAsProxyResponse(status: number, rawHeaders: Headers | undefined, body: unknown): ProxyResponse {
  const headers = headerRecord(rawHeaders);
  const contentType = headers["content-type"];
  if (body === undefined || body === null || body === "") return { status, headers, contentType, body: { kind: "empty" } };
  if (typeof body === "string") return { status, headers, contentType, body: { kind: "bytes", value: Buffer.from(body, "utf8") } };
  return { status, headers, contentType, body: { kind: "json", value: body } };
}
