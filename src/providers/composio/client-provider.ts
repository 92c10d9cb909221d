/**
 * ConnectProvider over the official `@composio/client` (2.0.0-rc.6, Composio API v3.1). With
 * ./errors.ts, the only code that imports the client.
 *
 * Client habits handled here (reference composio-api.md §1-2):
 * - it retries every method, POSTs included, and reads ambient COMPOSIO_* variables and logs
 *   through `console` (info/debug would reach stdout): it is built with `fromEnv({})` (nothing
 *   ambient), no retries of its own (reads are retried by core/retries.ts; writes — execute, proxy,
 *   link and auth-config creation, delete — never are), and a logger that only warns, on stderr;
 * - every request carries our timeout (cut to the call's deadline) and the call's abort signal;
 * - answers are checked: one that cannot be read is a ProviderError("malformed"), never an empty
 *   success; a tool failure (`successful: false`, HTTP 200) is a failed run, not a success.
 * There is no telemetry or version check in this client (that is `@composio/core`, not used).
 */
import Composio from "@composio/client";
import {
  ProviderError,
  type AccountFilter,
  type ActionDefinition,
  type ActionPage,
  type AppInfo,
  type AppPage,
  type CallOptions,
  type ConfigurePropOutput,
  type ConnectedAccount,
  type ConnectLink,
  type ConnectLinkOptions,
  type ConnectProvider,
  type ProviderName,
  type ProviderRef,
  type ProxyRequest,
  type ProxyResponse,
  type ReloadPropsOutput,
  type RunActionInput,
  type RunActionOutput,
} from "../provider.js";
import { statusError, toProviderError } from "./errors.js";
import { composioOwnerOf, ourAccountId, theirAccountId } from "./owner.js";
import { toolToAction } from "./schema.js";

export interface ComposioProviderOptions {
  apiKey: string;
  /** Without `/api` (the client appends `/api/v3.1`). */
  baseUrl: string;
  timeoutMs: number;
  /** toolkit slug → pinned version (`20250909_00`); others: the latest when first described. */
  toolkitVersions?: Record<string, string>;
  /** Warnings from the client (deprecations); never stdout. */
  warn?: (message: string) => void;
}

type Json = Record<string, unknown>;

const PAGE_LIMIT = 100;
const MAX_ACCOUNT_PAGES = 50;
/** Proxy answers: read at most this much beyond the body cap for Composio's own envelope. */
const ENVELOPE_SLACK_BYTES = 64 * 1024;
const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function malformed(what: string, operation: string): ProviderError {
  return new ProviderError(
    "malformed",
    `Composio's answer could not be read while trying to ${operation}: ${what}. Nothing was taken from it; this is usually temporary, so try again shortly.`,
    { operation },
  );
}

function objectAnswer(res: unknown, operation: string): Json {
  if (res === undefined || res === null || res === "") throw malformed("the body was empty", operation);
  if (!isObject(res)) throw malformed(typeof res === "string" ? "the body was not JSON" : `expected a JSON object, got ${Array.isArray(res) ? "an array" : typeof res}`, operation);
  return res;
}

/** A list envelope `{items, next_cursor}`. */
function listAnswer(res: unknown, operation: string): { items: Json[]; next?: string } {
  const body = objectAnswer(res, operation);
  if (!Array.isArray(body.items)) throw malformed("items is not a list", operation);
  if (!body.items.every(isObject)) throw malformed("an item is not an object", operation);
  const next = typeof body.next_cursor === "string" && body.next_cursor !== "" ? body.next_cursor : undefined;
  return { items: body.items, ...(next ? { next } : {}) };
}

function titleCase(slug: string): string {
  return slug.replace(/[_-]+/g, " ").replace(/\b\w/g, (c) => c.toUpperCase());
}

const DEAD = new Set(["EXPIRED", "FAILED", "REVOKED"]);
const PENDING = new Set(["INITIALIZING", "INITIATED"]);

export class ComposioProvider implements ConnectProvider {
  private readonly client: Composio;
  /** Toolkit display names seen in answers (accounts only carry the slug). */
  private readonly toolkitNames = new Map<string, string>();

  constructor(private readonly options: ComposioProviderOptions) {
    const warn = options.warn ?? (() => undefined);
    const quiet = () => undefined;
    this.client = Composio.fromEnv(
      {},
      {
        apiKey: options.apiKey,
        baseURL: options.baseUrl,
        maxRetries: 0,
        timeout: this.timeoutFor(),
        logLevel: "warn",
        logger: { error: (m: unknown) => warn(`Composio client: ${String(m)}`), warn: (m: unknown) => warn(`Composio client: ${String(m)}`), info: quiet, debug: quiet },
      },
    );
  }

  /** Whole milliseconds (the client insists), cut to the call's deadline. */
  private timeoutFor(options?: CallOptions): number {
    const left = options?.deadline !== undefined ? options.deadline - Date.now() : Infinity;
    return Math.max(1, Math.floor(Math.min(this.options.timeoutMs, left)));
  }

  private requestOptions(options?: CallOptions) {
    return { maxRetries: 0, timeout: this.timeoutFor(options), ...(options?.signal ? { signal: options.signal } : {}) };
  }

  private async call<T>(operation: string, options: CallOptions | undefined, fn: () => Promise<T>): Promise<T> {
    if (options?.signal?.aborted) throw new ProviderError("cancelled", `The call was cancelled before it could ${operation}; nothing was sent.`, { operation, notSent: true });
    try {
      return await fn();
    } catch (err) {
      throw toProviderError(err, operation, options?.signal);
    }
  }

  async checkCredentials(): Promise<void> {
    await this.call("check the API key", undefined, async () => {
      listAnswer(await this.client.authConfigs.list({ limit: 1 }, this.requestOptions()), "check the API key");
    });
  }

  ownerOf(ref: ProviderRef): ProviderName | undefined {
    return composioOwnerOf(ref);
  }

  /* ---------------- accounts ---------------- */

  private toAccount(a: Json): ConnectedAccount {
    const toolkit = isObject(a.toolkit) && typeof a.toolkit.slug === "string" ? a.toolkit.slug : "";
    const status = typeof a.status === "string" ? a.status : "UNKNOWN";
    const authConfigDisabled = isObject(a.auth_config) && a.auth_config.is_disabled === true;
    const disabled = a.is_disabled === true || authConfigDisabled;
    const healthy = status === "ACTIVE" && !disabled;
    const pending = PENDING.has(status);
    const reason = typeof a.status_reason === "string" && a.status_reason ? a.status_reason : undefined;
    const error = healthy
      ? undefined
      : pending
        ? "being connected: the user has not finished the connect link yet"
        : disabled
          ? `disabled${authConfigDisabled ? " (its auth config is disabled)" : ""}`
          : `${status.toLowerCase()}${reason ? `: ${reason}` : ""}`;
    const name = [a.alias, a.word_id].find((v): v is string => typeof v === "string" && v !== "") ?? `${toolkit} account`;
    return {
      id: ourAccountId(String(a.id)),
      provider: "composio",
      name,
      app: { slug: toolkit, name: this.toolkitNames.get(toolkit) ?? titleCase(toolkit), customFieldNames: [] },
      healthy,
      dead: DEAD.has(status),
      ...(pending ? { pending: true } : {}),
      ...(error ? { error } : {}),
      ...(typeof a.created_at === "string" ? { createdAt: a.created_at } : {}),
      ...(typeof a.updated_at === "string" ? { updatedAt: a.updated_at } : {}),
      // Composio resolves a /path against the account's own API base (which may include a path).
      proxyRelativeUrls: true,
    };
  }

  async listAccounts(user: string, filter: AccountFilter = {}, options?: CallOptions): Promise<ConnectedAccount[]> {
    const operation = "list connected accounts";
    return this.call(operation, options, async () => {
      const out: ConnectedAccount[] = [];
      const seen = new Set<string>();
      let cursor: string | undefined;
      for (let pages = 0; pages < MAX_ACCOUNT_PAGES; pages++) {
        const page = listAnswer(
          await this.client.connectedAccounts.list(
            {
              user_ids: [user],
              ...(filter.app ? { toolkit_slugs: [filter.app] } : {}),
              limit: PAGE_LIMIT,
              ...(cursor ? { cursor } : {}),
            },
            this.requestOptions(options),
          ),
          operation,
        );
        for (const item of page.items) {
          if (typeof item.id !== "string" || !item.id) throw malformed("an account has no id", operation);
          // `user_id` is deprecated and may vanish; when present it must be this user.
          if (typeof item.user_id === "string" && item.user_id !== user) continue;
          const account = this.toAccount(item);
          // A wanted id is picked out here, not sent: an id that is not this user's never leaves.
          if (!filter.accountId || account.id === filter.accountId) out.push(account);
        }
        if (!page.next) return out;
        if (seen.has(page.next)) throw malformed("its pages repeat the same cursor", operation);
        seen.add(page.next);
        cursor = page.next;
      }
      return out;
    });
  }

  async getAccount(user: string, accountId: string, options?: CallOptions): Promise<ConnectedAccount | undefined> {
    // The look-up by id is not scoped to a user: list the user's own instead.
    return (await this.listAccounts(user, { accountId }, options)).find((a) => a.id === accountId);
  }

  async deleteAccount(user: string, accountId: string, options?: CallOptions): Promise<void> {
    const operation = `delete account ${accountId}`;
    if (!(await this.getAccount(user, accountId, options))) {
      throw new ProviderError("not_found", `Account ${accountId} is not one of this user's connected accounts; nothing was deleted.`, { operation, notSent: true });
    }
    await this.call(operation, options, async () => {
      // revoke_on_delete: the app's tokens are revoked too, not only forgotten by Composio.
      objectAnswer(await this.client.connectedAccounts.delete(theirAccountId(accountId), { revoke_on_delete: true }, this.requestOptions(options)), operation);
    });
  }

  /* ---------------- apps (toolkits) ---------------- */

  private toApp(t: Json): AppInfo {
    const slug = String(t.slug ?? "");
    const meta = isObject(t.meta) ? t.meta : {};
    const name = typeof t.name === "string" && t.name ? t.name : titleCase(slug);
    this.toolkitNames.set(slug, name);
    const categories = Array.isArray(meta.categories) ? meta.categories.map((c) => (isObject(c) ? String(c.name ?? c.id ?? "") : String(c))).filter(Boolean) : undefined;
    return {
      slug,
      name,
      ...(typeof meta.description === "string" ? { description: meta.description } : {}),
      customFieldNames: [],
      ...(categories?.length ? { categories } : {}),
    };
  }

  async getApp(slug: string, options?: CallOptions): Promise<AppInfo> {
    const operation = `look up toolkit "${slug}"`;
    return this.call(operation, options, async () => {
      const t = objectAnswer(await this.client.toolkits.retrieve(slug, null, this.requestOptions(options)), operation);
      if (typeof t.slug !== "string" || !t.slug) throw malformed("the toolkit has no slug", operation);
      return this.toApp(t);
    });
  }

  async listApps(query: { query?: string; limit: number; after?: string }, options?: CallOptions): Promise<AppPage> {
    const operation = "list toolkits";
    // Composio searches toolkits by at least 3 characters.
    if (query.query !== undefined && query.query.trim().length < 3) return { apps: [] };
    return this.call(operation, options, async () => {
      const page = listAnswer(
        await this.client.toolkits.list({ ...(query.query ? { search: query.query.trim() } : {}), limit: Math.min(query.limit, PAGE_LIMIT), ...(query.after ? { cursor: query.after } : {}) }, this.requestOptions(options)),
        operation,
      );
      const apps = page.items.filter((t) => typeof t.slug === "string" && t.slug).map((t) => this.toApp(t));
      return { apps, ...(page.next ? { nextCursor: page.next } : {}) };
    });
  }

  /* ---------------- actions (tools) ---------------- */

  /** The pinned version of the toolkit a tool slug belongs to (longest toolkit prefix wins). */
  private pinnedFor(slug: string): string | undefined {
    const pins = Object.entries(this.options.toolkitVersions ?? {}).sort((a, b) => b[0].length - a[0].length);
    return pins.find(([toolkit]) => slug.startsWith(`${toolkit.toUpperCase()}_`))?.[1];
  }

  private toAction(tool: Json, operation: string): ActionDefinition {
    const action = toolToAction(tool, undefined);
    if (!action) throw malformed("a tool has no slug", operation);
    return action;
  }

  async listActions(query: { app?: string; query?: string; limit: number; after?: string }, options?: CallOptions): Promise<ActionPage> {
    const operation = "list tools";
    const pins = this.options.toolkitVersions ?? {};
    return this.call(operation, options, async () => {
      const page = listAnswer(
        await this.client.tools.list(
          {
            ...(query.app ? { toolkit_slug: query.app } : {}),
            ...(query.query ? { query: query.query } : {}),
            limit: Math.min(query.limit, PAGE_LIMIT),
            ...(query.after ? { cursor: query.after } : {}),
            ...(Object.keys(pins).length ? { toolkit_versions: pins } : {}),
          },
          this.requestOptions(options),
        ),
        operation,
      );
      return { actions: page.items.map((t) => this.toAction(t, operation)), ...(page.next ? { nextCursor: page.next } : {}) };
    });
  }

  async getAction(key: string, options?: CallOptions): Promise<ActionDefinition> {
    const operation = `retrieve tool "${key}"`;
    const version = this.pinnedFor(key);
    return this.call(operation, options, async () => {
      const tool = objectAnswer(await this.client.tools.retrieve(key, version ? { version } : null, this.requestOptions(options)), operation);
      return this.toAction(tool, operation);
    });
  }

  async configureProp(): Promise<ConfigurePropOutput> {
    // Composio inputs are static JSON Schema: options are the schema's enum, nothing is fetched.
    throw new ProviderError("bad_request", "Composio tools have no remote options; the prop's schema lists any allowed values.", { operation: "list options", notSent: true });
  }

  async reloadProps(): Promise<ReloadPropsOutput> {
    // No dynamic props either: the props stay as described.
    return { props: [], errors: [], observations: [] };
  }

  async runAction(user: string, input: RunActionInput, options?: CallOptions): Promise<RunActionOutput> {
    const operation = `run tool "${input.key}"`;
    const accounts: string[] = [];
    const args: Json = {};
    for (const [name, value] of Object.entries(input.configuredProps)) {
      const id = isObject(value) ? value.authProvisionId : undefined;
      if (typeof id === "string") accounts.push(id);
      else args[name] = value;
    }
    if (accounts.length > 1) throw new ProviderError("bad_request", `A Composio tool runs as one connected account, got ${accounts.length}.`, { operation, notSent: true });
    return this.call(operation, options, async () => {
      const res = objectAnswer(
        await this.client.tools.execute(
          input.key,
          {
            user_id: user,
            ...(accounts[0] ? { connected_account_id: theirAccountId(accounts[0]) } : {}),
            arguments: args,
            ...(input.version ? { version: input.version } : {}),
          },
          this.requestOptions(options),
        ),
        operation,
      );
      // An answer that does not say whether the tool succeeded says nothing about whether it ran.
      if (typeof res.successful !== "boolean") throw malformed("it does not say whether the tool succeeded", operation);
      const logId = typeof res.log_id === "string" ? { log_id: res.log_id } : {};
      if (!res.successful) {
        const message = typeof res.error === "string" && res.error ? res.error : "the tool reported a failure without a message";
        return { exports: logId, ret: res.data ?? null, observations: [{ k: "error", err: { name: "ComposioToolError", message } }] };
      }
      return { exports: logId, ret: res.data ?? null, observations: [] };
    });
  }

  /* ---------------- proxy ---------------- */

  async proxy(user: string, request: ProxyRequest, options?: CallOptions): Promise<ProxyResponse> {
    const operation = `proxy ${request.method} request`;
    // The proxy call names no user: make sure the account is this user's before sending anything.
    const account = await this.getAccount(user, request.accountId, options);
    if (!account) {
      throw new ProviderError("forbidden", `Account ${request.accountId} is not one of this user's connected accounts; nothing was sent.`, { operation, notSent: true });
    }
    const absolute = /^https?:\/\//i.test(request.url);
    const url = new URL(request.url, "https://relative.invalid");
    const endpoint = absolute ? `${url.origin}${url.pathname}` : url.pathname;
    const parameters = [
      ...[...url.searchParams].map(([name, value]) => ({ name, value, type: "query" as const })),
      ...Object.entries(request.headers).map(([name, value]) => ({ name, value, type: "header" as const })),
    ];
    const body = {
      endpoint,
      method: request.method,
      connected_account_id: theirAccountId(request.accountId),
      ...(parameters.length ? { parameters } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
    };
    // Our own abort controller: it also ends the body read after the headers came (timeout, cancel).
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options?.signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(), this.timeoutFor(options));
    try {
      if (options?.signal?.aborted) throw new ProviderError("cancelled", `The call was cancelled before it could send the ${operation}; nothing was sent.`, { operation, notSent: true });
      let response: Response;
      try {
        response = await this.client.tools.proxy(body, { maxRetries: 0, timeout: this.timeoutFor(options), signal: controller.signal }).asResponse();
      } catch (err) {
        throw this.abortReason(err, operation, options, controller);
      }
      const cap = (request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES) + ENVELOPE_SLACK_BYTES;
      let text: string;
      try {
        text = await readCapped(response, cap);
      } catch (err) {
        if (err instanceof TooLarge) {
          throw new ProviderError(
            "bad_request",
            `The app answered the ${operation}, but the answer is larger than CONNECT_MCP_MAX_UPSTREAM_BYTES allows (${request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes) and Composio only sends whole answers, so none of it was read. The request was carried out; do not send a write again. Ask for less (pagination, filters).`,
            { operation, status: 200 },
          );
        }
        throw this.abortReason(err, operation, options, controller);
      }
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        if (!response.ok) throw statusError(response.status, undefined, operation, response.headers);
        throw malformed("the body was not JSON", operation);
      }
      if (!response.ok) throw statusError(response.status, parsed, operation, response.headers);
      return toProxyResponse(objectAnswer(parsed, operation), operation);
    } finally {
      clearTimeout(timer);
      options?.signal?.removeEventListener("abort", onAbort);
    }
  }

  private abortReason(err: unknown, operation: string, options: CallOptions | undefined, controller: AbortController): ProviderError {
    if (err instanceof ProviderError) return err;
    if (options?.signal?.aborted) return new ProviderError("cancelled", `The call was cancelled during the ${operation}; the request to Composio was aborted.`, { operation });
    if (controller.signal.aborted) return new ProviderError("timeout", `Composio did not answer the ${operation} in time.`, { operation });
    return toProviderError(err, operation);
  }

  /* ---------------- connecting ---------------- */

  async createConnectLink(user: string, app: string, options: ConnectLinkOptions = {}): Promise<ConnectLink> {
    const operation = `create a connect link for ${app}`;
    return this.call(operation, undefined, async () => {
      const configs = listAnswer(await this.client.authConfigs.list({ toolkit_slug: app, show_disabled: false, limit: 50 }, this.requestOptions()), operation).items;
      let authConfigId = configs.find((c) => typeof c.id === "string" && (c.status === undefined || c.status === "ENABLED"))?.id as string | undefined;
      if (!authConfigId) {
        // No auth config yet: Composio-managed auth, when Composio offers it for the toolkit.
        const created = objectAnswer(
          await this.client.authConfigs
            .create({ toolkit: { slug: app }, auth_config: { type: "use_composio_managed_auth" } }, this.requestOptions())
            .catch((err: unknown) => {
              const e = toProviderError(err, operation);
              if (e.kind !== "bad_request") throw e;
              throw new ProviderError("bad_request", `Composio has no auth config for ${app} and cannot create a Composio-managed one (${e.message}). Create an auth config for ${app} in the Composio dashboard.`, { operation, status: e.details.status });
            }),
          operation,
        );
        authConfigId = isObject(created.auth_config) && typeof created.auth_config.id === "string" ? created.auth_config.id : undefined;
        if (!authConfigId) throw malformed("the new auth config has no id", operation);
      }
      const link = objectAnswer(
        await this.client.link.create(
          { auth_config_id: authConfigId, user_id: user, ...(options.successRedirectUri ? { callback_url: options.successRedirectUri } : {}) },
          this.requestOptions(),
        ),
        operation,
      );
      if (typeof link.redirect_url !== "string" || !/^https?:\/\//.test(link.redirect_url)) throw malformed("it has no redirect_url", operation);
      return {
        url: link.redirect_url,
        expiresAt: typeof link.expires_at === "string" ? link.expires_at : "",
        provider: "composio",
        ...(typeof link.connected_account_id === "string" ? { accountId: ourAccountId(link.connected_account_id) } : {}),
      };
    });
  }
}

class TooLarge extends Error {}

/** The body as text, or TooLarge once more than `cap` bytes arrived (the rest is not downloaded). */
async function readCapped(response: Response, cap: number): Promise<string> {
  const length = Number(response.headers.get("content-length"));
  if (Number.isFinite(length) && length > cap) {
    await response.body?.cancel().catch(() => undefined);
    throw new TooLarge();
  }
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > cap) {
      await reader.cancel().catch(() => undefined);
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Composio's proxy envelope `{data, binary_data?, status, headers?}` → the upstream's answer. */
function toProxyResponse(env: Json, operation: string): ProxyResponse {
  if (typeof env.status !== "number" || !Number.isInteger(env.status)) throw malformed("it has no upstream status", operation);
  const headers: Record<string, string> = {};
  if (isObject(env.headers)) for (const [k, v] of Object.entries(env.headers)) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
  const contentType = headers["content-type"];
  let body: ProxyResponse["body"];
  if (isObject(env.binary_data)) {
    // Composio keeps binary answers and hands out a link; connect-mcp does not fetch it.
    body = { kind: "json", value: { binary_data: env.binary_data } };
  } else if (env.data === undefined || env.data === null) {
    body = { kind: "empty" };
  } else if (typeof env.data === "string") {
    body = { kind: "bytes", value: new Uint8Array(Buffer.from(env.data, "utf8")) };
  } else {
    body = { kind: "json", value: env.data };
  }
  return { status: env.status, headers, ...(contentType ? { contentType } : {}), body };
}
