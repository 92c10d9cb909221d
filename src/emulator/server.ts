// HTTP layer of the emulator: routing, OAuth client-credentials auth,
// environment/project checks, cursor paging, fault injection, the request
// log and the /__emulator admin routes. Never writes to stdout: the emulator
// may run inside another process's test run; logging goes to `options.log`.

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  appHasActions,
  componentMatchesApp,
  configureProp,
  getComponent,
  listComponents,
  reloadProps,
  runAction,
} from "./components.js";
import { CONNECT_PAGE_PATH, connectedPage, connectErrorPage, connectFormPage } from "./connect-page.js";
import { handleChatCompletion, listDemoModels } from "./demo-model.js";
import { handleProxy } from "./proxy.js";
import { toWireAccount } from "./seed.js";
import { createEnvState, ensureUser, findAccount, findApp, type ConnectTokenRecord, type EnvState } from "./state.js";
import {
  EMULATOR_DEFAULTS,
  ENVIRONMENTS,
  HttpError,
  type EmulatorOptions,
  type Environment,
  type RecordedRequest,
  type RunningEmulator,
  type StoredAccount,
  type WireApp,
  type WireComponent,
} from "./types.js";
import { isRecord, randomId, sleep, trackExchange } from "./util.js";

const MAX_BODY_BYTES = 50 * 1024 * 1024;
const MAX_PAGE_SIZE = 100;
const CONNECT_TOKEN_MAX_SECONDS = 4 * 60 * 60;
const PROJECT_ID_PATTERN = /^proj_[a-zA-Z0-9]+$/;

interface Fault {
  id: string;
  method?: string;
  pathContains: string;
  status?: number;
  body?: unknown;
  contentType?: string;
  /** Extra response headers (e.g. Retry-After). */
  headers?: Record<string, string>;
  delayMs: number;
  remaining: number;
}

// ---------------------------------------------------------------------------
// Response helpers

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

function sendEmpty(res: ServerResponse, status = 204): void {
  res.writeHead(status);
  res.end();
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, "request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new HttpError(400, "malformed JSON body");
  }
}

/** Connect endpoints take JSON objects; an absent body counts as `{}`. */
function objectBody(raw: Buffer): Record<string, unknown> {
  const parsed = parseJson(raw);
  if (parsed === undefined) return {};
  if (!isRecord(parsed)) throw new HttpError(400, "request body must be a JSON object");
  return parsed;
}

function queryRecord(q: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(q.keys())) out[key] = q.getAll(key).join(",");
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (v === "true") return true;
  if (v === "false") return false;
  throw new HttpError(400, `${name} must be true or false`);
}

// ---------------------------------------------------------------------------
// Paging. Cursors are opaque (base64url of a position). On the last page
// end_cursor is "" — a non-empty cursor there would make the SDK loop.

function encodeCursor(index: number): string {
  return Buffer.from(`c:${index}`).toString("base64url");
}

function decodeCursor(cursor: string, name: string): number {
  const m = /^c:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (m?.[1] === undefined) throw new HttpError(400, `invalid ${name} cursor`);
  return Number(m[1]);
}

function paginate<T>(items: T[], q: URLSearchParams, defaultSize: number): { data: T[]; page_info: Record<string, unknown> } {
  let limit = defaultSize;
  const rawLimit = q.get("limit");
  if (rawLimit !== null && rawLimit !== "") {
    if (!/^\d+$/.test(rawLimit) || Number(rawLimit) < 1) throw new HttpError(400, "limit must be a positive integer");
    limit = Math.min(Number(rawLimit), MAX_PAGE_SIZE);
  }
  let start = 0;
  let end: number;
  const after = q.get("after");
  const before = q.get("before");
  if (after) {
    start = decodeCursor(after, "after") + 1;
    end = Math.min(items.length, start + limit);
  } else if (before) {
    end = Math.min(items.length, decodeCursor(before, "before"));
    start = Math.max(0, end - limit);
  } else {
    end = Math.min(items.length, limit);
  }
  const data = items.slice(start, Math.max(start, end));
  const last = start + data.length - 1;
  return {
    data,
    page_info: {
      total_count: items.length,
      count: data.length,
      start_cursor: data.length > 0 ? encodeCursor(start) : "",
      end_cursor: data.length > 0 && last + 1 < items.length ? encodeCursor(last) : "",
    },
  };
}

// ---------------------------------------------------------------------------

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const cfg = {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    projectId: options.projectId ?? EMULATOR_DEFAULTS.projectId,
    clientId: options.clientId ?? EMULATOR_DEFAULTS.clientId,
    clientSecret: options.clientSecret ?? EMULATOR_DEFAULTS.clientSecret,
    tokenTtl: options.accessTokenTtlSeconds ?? 3600,
    pageSize: options.pageSize ?? 5,
    log: options.log,
  };

  const extraApps = options.extraCatalog?.apps ?? [];
  const extraComponents = options.extraCatalog?.components ?? [];
  const seedComponents = (): WireComponent[] => (options.extraCatalog?.withoutSeedComponents ? [] : listComponents());
  const withExtraApps = (state: EnvState): EnvState => {
    state.apps.push(...structuredClone(extraApps));
    return state;
  };
  const makeEnvs = (): Record<Environment, EnvState> => ({
    development: withExtraApps(createEnvState("development")),
    production: withExtraApps(createEnvState("production")),
  });
  let envs = makeEnvs();
  /** Issued OAuth access tokens → expiry (epoch ms). */
  const accessTokens = new Map<string, number>();
  let faults: Fault[] = [];
  let recorded: RecordedRequest[] = [];
  /** This emulator's own URL (known once listening): Connect Links point at its link page. */
  let selfUrl = "";
  /** Aborted on close() so pending delays end at once. */
  const lifetime = new AbortController();

  // -------------------------------------------------------------------------
  // Admin routes (no auth)

  function handleAdmin(method: string, segs: string[], raw: Buffer, res: ServerResponse): void {
    const route = `${method} /${segs.join("/")}`;
    switch (route) {
      case "GET /__emulator/requests":
        sendJson(res, 200, recorded.map((r) => ({ ...r, query: { ...r.query } })));
        return;
      case "DELETE /__emulator/requests":
        recorded = [];
        sendEmpty(res);
        return;
      case "GET /__emulator/faults":
        sendJson(res, 200, faults.map(faultToWire));
        return;
      case "POST /__emulator/faults": {
        const fault = parseFault(objectBody(raw));
        faults.push(fault);
        sendJson(res, 201, faultToWire(fault));
        return;
      }
      case "DELETE /__emulator/faults":
        faults = [];
        sendEmpty(res);
        return;
      case "POST /__emulator/revoke-tokens": {
        const revoked = accessTokens.size;
        accessTokens.clear();
        sendJson(res, 200, { revoked });
        return;
      }
      case "POST /__emulator/connect":
        sendJson(res, 200, completeConnect(objectBody(raw)));
        return;
      case "POST /__emulator/reset":
        reset();
        sendJson(res, 200, { ok: true });
        return;
      default:
        sendError(res, 404, "not found");
    }
  }

  function parseFault(body: Record<string, unknown>): Fault {
    const pathContains = body["path_contains"];
    if (typeof pathContains !== "string" || pathContains === "") throw new HttpError(400, "path_contains is required");
    const method = body["method"];
    if (method !== undefined && typeof method !== "string") throw new HttpError(400, "method must be a string");
    const status = body["status"];
    if (status !== undefined && (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599)) {
      throw new HttpError(400, "status must be an HTTP status code");
    }
    const delay = body["delay_ms"] ?? 0;
    if (typeof delay !== "number" || delay < 0) throw new HttpError(400, "delay_ms must be a non-negative number");
    const times = body["times"] ?? 1;
    if (typeof times !== "number" || !Number.isInteger(times) || times < 1) throw new HttpError(400, "times must be a positive integer");
    if (status === undefined && delay === 0) throw new HttpError(400, "a fault needs a status and/or delay_ms");
    const fault: Fault = { id: randomId("flt_"), pathContains, delayMs: delay, remaining: times };
    if (method !== undefined) fault.method = method.toUpperCase();
    if (status !== undefined) fault.status = status;
    if (body["body"] !== undefined) fault.body = body["body"];
    const contentType = body["content_type"];
    if (contentType !== undefined) {
      if (typeof contentType !== "string" || contentType === "" || /[\r\n]/.test(contentType)) throw new HttpError(400, "content_type must be a header value");
      if (typeof fault.body !== "string") throw new HttpError(400, "content_type needs a string body");
      fault.contentType = contentType;
    }
    const headers = body["headers"];
    if (headers !== undefined) {
      if (!headers || typeof headers !== "object" || Array.isArray(headers)) throw new HttpError(400, "headers must be an object of header values");
      for (const [k, v] of Object.entries(headers)) {
        if (typeof v !== "string" || /[\r\n]/.test(v) || !/^[A-Za-z0-9-]+$/.test(k)) throw new HttpError(400, `header ${k} must be a plain header value`);
      }
      fault.headers = headers as Record<string, string>;
    }
    return fault;
  }

  function faultToWire(f: Fault): Record<string, unknown> {
    return { id: f.id, method: f.method ?? null, path_contains: f.pathContains, status: f.status ?? null, body: f.body ?? null, content_type: f.contentType ?? null, headers: f.headers ?? null, delay_ms: f.delayMs, times: f.remaining };
  }

  function takeFault(method: string, rawPath: string): Fault | undefined {
    const decoded = safeDecode(rawPath);
    const fault = faults.find(
      (f) => (f.method === undefined || f.method === method) && (rawPath.includes(f.pathContains) || decoded.includes(f.pathContains)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults = faults.filter((f) => f !== fault);
    return fault;
  }

  /** The live Connect token `token` and the environment it belongs to (unknown after a reset or restart). */
  function connectToken(token: unknown): { state: EnvState; record: ConnectTokenRecord } {
    if (typeof token !== "string" || token === "") throw new HttpError(400, "token is required");
    for (const env of ENVIRONMENTS) {
      const record = envs[env].connectTokens.get(token);
      if (record) {
        if (record.expiresAt <= Date.now()) throw new HttpError(400, "connect token expired");
        return { state: envs[env], record };
      }
    }
    throw new HttpError(400, "unknown connect token");
  }

  /** Simulates the end user finishing Connect Link for `token`. */
  function completeConnect(body: Record<string, unknown>): Record<string, unknown> {
    const { state, record } = connectToken(body["token"]);
    const appRef = body["app"];
    if (typeof appRef !== "string" || appRef === "") throw new HttpError(400, "app is required");
    const app = findApp(state, appRef);
    if (!app) throw new HttpError(400, `unknown app ${appRef}`);
    const name = typeof body["name"] === "string" && body["name"] !== "" ? body["name"] : `${record.externalUserId}'s ${app.name}`;
    const customFields: Record<string, string> = {};
    const given = isRecord(body["custom_fields"]) ? body["custom_fields"] : {};
    const fields = JSON.parse(app.custom_fields_json) as { name: string }[];
    for (const field of fields) {
      const v = given[field.name];
      if (typeof v === "string") customFields[field.name] = v;
      else if (field.name === "subdomain") customFields[field.name] = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "acme";
      else customFields[field.name] = `emulated-${field.name}`;
    }
    const now = new Date();
    const iso = now.toISOString();
    const account: StoredAccount = {
      id: randomId("apn_"),
      name,
      externalId: record.externalUserId,
      appSlug: app.name_slug,
      healthy: true,
      dead: false,
      error: null,
      createdAt: iso,
      updatedAt: iso,
      expiresAt: app.auth_type === "oauth" ? new Date(now.getTime() + 3600_000).toISOString() : null,
      lastRefreshedAt: app.auth_type === "oauth" ? iso : null,
      nextRefreshAt: app.auth_type === "oauth" ? new Date(now.getTime() + 2700_000).toISOString() : null,
      authorizedScopes: [],
      customFields,
    };
    state.accounts.push(account);
    ensureUser(state, record.externalUserId, iso).updatedAt = iso;
    return toWireAccount(account, state.apps, false);
  }

  /** GET shows the Connect Link page; its form POSTs back here and finishes the connection. */
  function handleLinkPage(method: string, q: URLSearchParams, raw: Buffer, res: ServerResponse): void {
    const html = (status: number, text: string): void => {
      res.writeHead(status, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
        "cache-control": "no-store",
      });
      res.end(text);
    };
    try {
      if (method === "GET") {
        const { state, record } = connectToken(q.get("token"));
        const appRef = q.get("app");
        const app = appRef ? findApp(state, appRef) : undefined;
        if (appRef && !app) throw new HttpError(400, `unknown app ${appRef}`);
        const apps = state.apps.filter((a) => appHasActions(a.name_slug) || a.name_slug === appRef);
        return html(200, connectFormPage({ token: record.token, user: record.externalUserId, apps, expiresAt: new Date(record.expiresAt).toISOString(), ...(app ? { app } : {}) }));
      }
      if (method === "POST") {
        const form = Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
        const { state, record } = connectToken(form["token"]);
        const account = completeConnect(form);
        if (record.successRedirectUri) {
          res.writeHead(303, { location: record.successRedirectUri });
          res.end();
          return;
        }
        const app = findApp(state, String(form["app"]))!;
        return html(200, connectedPage({ user: record.externalUserId, app, accountId: String(account["id"]), accountName: String(account["name"]) }));
      }
      res.writeHead(405, { allow: "GET, POST" });
      res.end();
    } catch (err) {
      if (err instanceof HttpError) return html(err.status, connectErrorPage(err.message));
      throw err;
    }
  }

  function reset(): void {
    envs = makeEnvs();
    faults = [];
    recorded = [];
    accessTokens.clear();
  }

  // -------------------------------------------------------------------------
  // OAuth

  function issueToken(req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    let body: Record<string, unknown>;
    if ((req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded")) {
      body = Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
    } else {
      body = objectBody(raw);
    }
    if (body["grant_type"] !== "client_credentials") throw new HttpError(400, "unsupported_grant_type");
    if (body["client_id"] !== cfg.clientId || body["client_secret"] !== cfg.clientSecret) throw new HttpError(401, "Unauthorized");
    const token = `pd_emu_${randomBytes(24).toString("base64url")}`;
    accessTokens.set(token, Date.now() + cfg.tokenTtl * 1000);
    sendJson(res, 200, { access_token: token, token_type: "Bearer", expires_in: cfg.tokenTtl });
  }

  function checkAuth(req: IncomingMessage): void {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    const expiry = m?.[1] === undefined ? undefined : accessTokens.get(m[1]);
    if (expiry === undefined || expiry <= Date.now()) throw new HttpError(401, "Unauthorized");
  }

  function environmentOf(req: IncomingMessage): Environment {
    const env = req.headers["x-pd-environment"];
    if (env === "development" || env === "production") return env;
    throw new HttpError(400, "x-pd-environment header must be 'development' or 'production'");
  }

  // -------------------------------------------------------------------------
  // Connect routes

  function listApps(state: EnvState, q: URLSearchParams): unknown {
    let apps: WireApp[] = [...state.apps];
    const search = q.get("q")?.toLowerCase();
    if (search) apps = apps.filter((a) => a.name.toLowerCase().includes(search) || a.name_slug.toLowerCase().includes(search));
    const hasActions = boolParam(q, "has_actions") ?? boolParam(q, "has_components");
    if (hasActions !== undefined) apps = apps.filter((a) => appHasActions(a.name_slug) === hasActions);
    // The emulator has no triggers.
    if (boolParam(q, "has_triggers") === true) apps = [];
    const categories = q.getAll("category_ids");
    if (categories.length > 0) {
      const catId = (c: string): string => `appcat_${c.toLowerCase().replace(/[^a-z0-9]+/g, "_")}`;
      apps = apps.filter((a) => a.categories.some((c) => categories.includes(c) || categories.includes(catId(c))));
    }
    const sortKey = q.get("sort_key") || "featured_weight";
    if (!["name", "name_slug", "featured_weight"].includes(sortKey)) throw new HttpError(400, "sort_key must be one of name, name_slug, featured_weight");
    const direction = q.get("sort_direction") || (sortKey === "featured_weight" ? "desc" : "asc");
    if (direction !== "asc" && direction !== "desc") throw new HttpError(400, "sort_direction must be asc or desc");
    const sign = direction === "asc" ? 1 : -1;
    apps.sort((a, b) => {
      const primary =
        sortKey === "featured_weight"
          ? a.featured_weight - b.featured_weight
          : String(a[sortKey as "name" | "name_slug"]).localeCompare(String(b[sortKey as "name" | "name_slug"]));
      return primary !== 0 ? sign * primary : a.name_slug.localeCompare(b.name_slug);
    });
    return paginate(apps, q, cfg.pageSize);
  }

  function accountsMatching(state: EnvState, q: URLSearchParams, externalUserId: string | null): StoredAccount[] | undefined {
    let accounts = state.accounts;
    if (externalUserId) accounts = accounts.filter((a) => a.externalId === externalUserId);
    const appRef = q.get("app");
    if (appRef) {
      const app = findApp(state, appRef);
      if (!app) return [];
      accounts = accounts.filter((a) => a.appSlug === app.name_slug);
    }
    return accounts;
  }

  function listComponentsFor(state: EnvState, kind: string, q: URLSearchParams): unknown {
    if (kind === "triggers" || q.get("component_type") === "trigger") return paginate([], q, cfg.pageSize);
    const registry = q.get("registry");
    if (registry !== null && registry !== "" && !["public", "private", "all"].includes(registry)) {
      throw new HttpError(400, "registry must be one of public, private, all");
    }
    let comps = registry === "private" ? [] : [...seedComponents(), ...structuredClone(extraComponents)];
    const appRef = q.get("app");
    if (appRef) {
      const slug = findApp(state, appRef)?.name_slug ?? appRef;
      comps = comps.filter((c) => componentMatchesApp(c, slug));
    }
    const search = q.get("q")?.toLowerCase();
    if (search) {
      comps = comps.filter(
        (c) => c.name.toLowerCase().includes(search) || c.key.toLowerCase().includes(search) || c.description.toLowerCase().includes(search),
      );
    }
    return paginate(comps, q, cfg.pageSize);
  }

  function createConnectToken(state: EnvState, body: Record<string, unknown>): unknown {
    const externalUserId = body["external_user_id"];
    if (typeof externalUserId !== "string" || externalUserId === "") throw new HttpError(400, "external_user_id is required");
    if (externalUserId.length > 250) throw new HttpError(400, "external_user_id must be at most 250 characters");
    const expiresIn = body["expires_in"] ?? CONNECT_TOKEN_MAX_SECONDS;
    if (typeof expiresIn !== "number" || !Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > CONNECT_TOKEN_MAX_SECONDS) {
      throw new HttpError(400, `expires_in must be an integer between 1 and ${CONNECT_TOKEN_MAX_SECONDS}`);
    }
    const optionalString = (name: string): string | undefined => {
      const v = body[name];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== "string") throw new HttpError(400, `${name} must be a string`);
      return v;
    };
    const origins = body["allowed_origins"];
    if (origins !== undefined && origins !== null && !(Array.isArray(origins) && origins.every((o) => typeof o === "string"))) {
      throw new HttpError(400, "allowed_origins must be an array of strings");
    }
    const token = `ctok_${randomBytes(16).toString("hex")}`;
    const expiresAt = Date.now() + expiresIn * 1000;
    const record: ConnectTokenRecord = { token, externalUserId, expiresAt };
    const success = optionalString("success_redirect_uri");
    const error = optionalString("error_redirect_uri");
    const webhook = optionalString("webhook_uri");
    if (success !== undefined) record.successRedirectUri = success;
    if (error !== undefined) record.errorRedirectUri = error;
    if (webhook !== undefined) record.webhookUri = webhook;
    if (Array.isArray(origins)) record.allowedOrigins = origins as string[];
    state.connectTokens.set(token, record);
    return {
      token,
      expires_at: new Date(expiresAt).toISOString(),
      // The emulator's own page (see connect-page.ts), so a link can be finished offline in a browser.
      connect_link_url: `${selfUrl}${CONNECT_PAGE_PATH}?token=${token}&connectLink=true`,
    };
  }

  async function handleConnect(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    rawSegs: string[],
    q: URLSearchParams,
    raw: Buffer,
    record: RecordedRequest | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    checkAuth(req);
    const state = envs[environmentOf(req)];
    const segs = rawSegs.map(safeDecode);
    const [, , first, ...rest] = segs; // ["v1","connect",first,...]
    const route = (m: string, ...parts: string[]): boolean =>
      method === m && rest.length === parts.length && parts.every((p, i) => p === "*" || p === rest[i]);

    if (first === "apps") {
      if (method === "GET" && rest.length === 0) return sendJson(res, 200, listApps(state, q));
      if (method === "GET" && rest.length === 1) {
        const app = findApp(state, rest[0] ?? "");
        if (!app) throw new HttpError(404, "app not found");
        return sendJson(res, 200, { data: app });
      }
      throw new HttpError(404, "not found");
    }
    if (first === undefined || !PROJECT_ID_PATTERN.test(first) || first !== cfg.projectId) throw new HttpError(404, "project not found");

    const includeCredentials = q.get("include_credentials") === "true";
    const body = (): Record<string, unknown> => {
      const b = objectBody(raw);
      if (record) {
        if (typeof b["external_user_id"] === "string") record.externalUserId = b["external_user_id"];
        const cp = b["configured_props"];
        if (isRecord(cp) && record.accountId === undefined) {
          for (const v of Object.values(cp)) {
            if (isRecord(v) && typeof v["authProvisionId"] === "string") {
              record.accountId = v["authProvisionId"];
              break;
            }
          }
        }
      }
      return b;
    };

    // Accounts
    if (route("GET", "accounts")) {
      const accounts = accountsMatching(state, q, q.get("external_user_id")) ?? [];
      const page = paginate(accounts, q, cfg.pageSize);
      return sendJson(res, 200, { data: page.data.map((a) => toWireAccount(a, state.apps, includeCredentials)), page_info: page.page_info });
    }
    if (route("GET", "accounts", "*") || route("DELETE", "accounts", "*")) {
      const id = rest[1] ?? "";
      if (record) record.accountId = id;
      const acc = findAccount(state, id);
      if (!acc) throw new HttpError(404, "account not found");
      if (method === "GET") return sendJson(res, 200, toWireAccount(acc, state.apps, includeCredentials));
      state.accounts = state.accounts.filter((a) => a !== acc);
      return sendEmpty(res);
    }
    if (route("DELETE", "apps", "*", "accounts")) {
      const app = findApp(state, rest[1] ?? "");
      if (!app) throw new HttpError(404, "app not found");
      state.accounts = state.accounts.filter((a) => a.appSlug !== app.name_slug);
      return sendEmpty(res);
    }

    // External users
    if (route("GET", "users")) {
      const search = q.get("q")?.toLowerCase();
      const users = state.users.filter((u) => !search || u.externalId.toLowerCase().includes(search));
      const page = paginate(users, q, cfg.pageSize);
      return sendJson(res, 200, {
        data: page.data.map((u) => ({ id: u.id, external_id: u.externalId, created_at: u.createdAt, updated_at: u.updatedAt })),
        page_info: page.page_info,
      });
    }
    if (route("GET", "users", "*", "accounts")) {
      const euid = rest[1] ?? "";
      if (record) record.externalUserId = euid;
      // Bare array, no paging: that is what SDK 3.1.6 expects here.
      const accounts = accountsMatching(state, q, euid) ?? [];
      return sendJson(res, 200, accounts.map((a) => toWireAccount(a, state.apps, includeCredentials)));
    }
    if (route("DELETE", "users", "*")) {
      const euid = rest[1] ?? "";
      if (record) record.externalUserId = euid;
      if (!state.users.some((u) => u.externalId === euid) && !state.accounts.some((a) => a.externalId === euid)) {
        throw new HttpError(404, "user not found");
      }
      state.users = state.users.filter((u) => u.externalId !== euid);
      state.accounts = state.accounts.filter((a) => a.externalId !== euid);
      return sendEmpty(res);
    }

    // Components
    const kind = rest[0];
    if (kind === "actions" || kind === "components" || kind === "triggers") {
      if (route("GET", kind)) return sendJson(res, 200, listComponentsFor(state, kind, q));
      if (kind === "triggers") throw new HttpError(404, "component not found");
      if (route("POST", kind, "configure")) return sendJson(res, 200, configureProp(state, body()));
      if (route("POST", kind, "props")) return sendJson(res, 200, reloadProps(state, body()));
      if (route("POST", kind, "run")) return sendJson(res, 200, runAction(state, body()));
      if (route("GET", kind, "*")) {
        const comp = (options.extraCatalog?.withoutSeedComponents ? undefined : getComponent(rest[1] ?? "")) ?? structuredClone(extraComponents.find((c) => c.key === rest[1]));
        const version = q.get("version");
        if (!comp || (version && version !== comp.version)) throw new HttpError(404, "component not found");
        return sendJson(res, 200, { data: comp });
      }
      throw new HttpError(404, "not found");
    }

    // Connect tokens
    if (route("POST", "tokens")) return sendJson(res, 200, createConnectToken(state, body()));

    // Proxy
    // A client that forgot to percent-encode "/" in the base64 still arrives here (rest.length > 2).
    if (kind === "proxy" && rest.length >= 2 && ["GET", "POST", "PUT", "PATCH", "DELETE"].includes(method)) {
      return handleProxy(
        state,
        {
          method,
          url64Segment: rawSegs.slice(4).join("/"),
          query: q,
          headers: req.headers,
          rawBody: raw,
          contentType: req.headers["content-type"],
          signal,
        },
        res,
      );
    }

    throw new HttpError(404, "not found");
  }

  // -------------------------------------------------------------------------
  // Dispatcher

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const rawUrl = req.url ?? "/";
    const qIndex = rawUrl.indexOf("?");
    const rawPath = qIndex >= 0 ? rawUrl.slice(0, qIndex) : rawUrl;
    const q = new URLSearchParams(qIndex >= 0 ? rawUrl.slice(qIndex + 1) : "");
    const isAdmin = rawPath.startsWith("/__emulator/");
    // A person's browser on the Connect Link page, not a Connect API call: neither logged nor faulted.
    const isLinkPage = rawPath === CONNECT_PAGE_PATH;

    let record: RecordedRequest | undefined;
    if (!isAdmin && !isLinkPage) {
      record = { method, path: rawPath, query: queryRecord(q), status: 0, at: new Date(started).toISOString() };
      const euid = q.get("external_user_id");
      const accountId = q.get("account_id");
      if (euid) record.externalUserId = euid;
      if (accountId) record.accountId = accountId;
      recorded.push(record);
    }
    // Per-request signal: fires when the client goes away or the server closes.
    const ac = trackExchange(res, lifetime.signal, record, { method, path: rawPath, started, log: cfg.log });

    try {
      const raw = await readBody(req);
      const segs = rawPath.split("/").slice(1);

      if (isAdmin) return handleAdmin(method, segs, raw, res);
      if (isLinkPage) return handleLinkPage(method, q, raw, res);

      const fault = takeFault(method, rawPath);
      if (fault) {
        if (fault.delayMs > 0) await sleep(fault.delayMs, ac.signal);
        if (fault.status !== undefined) {
          for (const [k, v] of Object.entries(fault.headers ?? {})) res.setHeader(k, v);
          const b = fault.body;
          if (typeof b === "string") {
            // Served verbatim (with a JSON content-type unless told otherwise), to emulate malformed bodies.
            res.writeHead(fault.status, { "content-type": fault.contentType ?? "application/json; charset=utf-8" });
            res.end(b);
          } else {
            sendJson(res, fault.status, b === undefined ? { error: `emulated fault ${fault.status}` } : b);
          }
          return;
        }
      }

      if (method === "GET" && rawPath === "/healthz") return sendJson(res, 200, { ok: true });
      if (method === "POST" && rawPath === "/v1/oauth/token") return issueToken(req, raw, res);
      if (segs[0] === "v1" && segs[1] === "connect") return await handleConnect(req, res, method, segs, q, raw, record, ac.signal);
      // The demo model (demo-model.ts): an OpenAI-compatible endpoint for trying sub-agent mode offline.
      if (method === "POST" && rawPath === "/v1/chat/completions") {
        try {
          return sendJson(res, 200, handleChatCompletion(objectBody(raw), envs.development));
        } catch (err) {
          // OpenAI's error shape, so client libraries show the message.
          if (err instanceof HttpError) return sendJson(res, err.status, { error: { message: err.message, type: "invalid_request_error", code: err.status === 404 ? "model_not_found" : null } });
          throw err;
        }
      }
      if (method === "GET" && rawPath === "/v1/models") return sendJson(res, 200, listDemoModels());
      sendError(res, 404, "not found");
    } catch (err) {
      if (ac.signal.aborted) {
        // Client gone or server closing: nothing useful can be sent.
        if (!res.writableEnded) res.destroy();
        return;
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) return sendError(res, err.status, err.message);
      cfg.log?.(`internal error on ${method} ${rawPath}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      sendError(res, 500, `internal emulator error: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.port, cfg.host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const urlHost =
    cfg.host === "0.0.0.0" ? "127.0.0.1" : cfg.host === "::" ? "[::1]" : cfg.host.includes(":") ? `[${cfg.host}]` : cfg.host;
  selfUrl = `http://${urlHost}:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url: selfUrl,
    port,
    requests: () => recorded.map((r) => ({ ...r, query: { ...r.query } })),
    reset,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        lifetime.abort();
        server.close(() => resolve());
        // Drop idle keep-alive sockets (the SDK's fetch keeps them) and any in-flight ones.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
