// HTTP layer of the Composio emulator: API-key auth, the v3.1 routes the provider uses, list
// envelopes with opaque cursors, Composio's error envelope, an echo upstream behind the proxy,
// fault injection and the request log. Never writes to stdout.

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isRecord, randomId, sleep, trackExchange } from "../util.js";
import {
  inputsAt,
  seedAuthConfigs,
  seedComposioAccounts,
  seedToolkits,
  seedTools,
  type SeedTool,
  type SeedToolkit,
  type StoredAuthConfig,
  type StoredComposioAccount,
} from "./seed.js";
import {
  COMPOSIO_EMULATOR_DEFAULTS,
  ComposioHttpError,
  type ComposioEmulatorOptions,
  type ComposioRecordedRequest,
  type RunningComposioEmulator,
} from "./types.js";

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_LIMIT = 1000;
const MAX_LARGE_BYTES = 64 * 1024 * 1024;
/** Composio gives up on a proxied upstream after this long. */
const PROXY_UPSTREAM_TIMEOUT_MS = 30_000;
const API = "/api/v3.1";

interface Fault {
  id: string;
  method?: string;
  pathContains: string;
  status?: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  delayMs: number;
  remaining: number;
}

interface State {
  toolkits: SeedToolkit[];
  tools: SeedTool[];
  authConfigs: StoredAuthConfig[];
  accounts: StoredComposioAccount[];
}

function freshState(): State {
  return { toolkits: seedToolkits(), tools: seedTools(), authConfigs: seedAuthConfigs(), accounts: seedComposioAccounts() };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, err: ComposioHttpError): void {
  sendJson(res, err.status, { error: { message: err.message, code: err.code, slug: err.slug, status: err.status, request_id: `req_${randomBytes(6).toString("hex")}` } });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ComposioHttpError(413, "request body too large", "Request_TooLarge"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function objectBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ComposioHttpError(400, "malformed JSON body", "Request_MalformedJson");
  }
  if (!isRecord(parsed)) throw new ComposioHttpError(400, "request body must be a JSON object", "Request_BadBody");
  return parsed;
}

/** Arrays arrive comma-joined in one parameter (what the client sends); repeated ones are accepted too. */
function listParam(q: URLSearchParams, name: string): string[] {
  return q.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

function queryRecord(q: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(q.keys())) out[key] = q.getAll(key).join(",");
  return out;
}

/** `{items, next_cursor, total_pages, current_page, total_items}`; cursors are opaque. */
function paginate<T>(items: T[], q: URLSearchParams, defaultSize: number): Record<string, unknown> {
  let limit = defaultSize;
  const rawLimit = q.get("limit");
  if (rawLimit) {
    if (!/^\d+$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_LIMIT) throw new ComposioHttpError(400, `limit must be an integer from 1 to ${MAX_LIMIT}`, "Request_InvalidLimit");
    limit = Number(rawLimit);
  }
  let start = 0;
  const cursor = q.get("cursor");
  if (cursor) {
    const m = /^o:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
    if (!m) throw new ComposioHttpError(400, "invalid cursor", "Request_InvalidCursor");
    start = Number(m[1]);
  }
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(`o:${start + limit}`).toString("base64") : null;
  return { items: page, next_cursor: next, total_pages: Math.max(1, Math.ceil(items.length / limit)), current_page: Math.floor(start / limit) + 1, total_items: items.length };
}

/** `a.b.example.com` → `example.com` (enough for the emulator's hosts). */
function registrableDomain(host: string): string {
  return host.split(".").slice(-2).join(".");
}

export async function startComposioEmulator(options: ComposioEmulatorOptions = {}): Promise<RunningComposioEmulator> {
  const cfg = {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    apiKey: options.apiKey ?? COMPOSIO_EMULATOR_DEFAULTS.apiKey,
    pageSize: options.pageSize ?? 5,
    linkTtlMs: (options.linkTtlSeconds ?? 600) * 1000,
    log: options.log,
  };
  let state = freshState();
  let faults: Fault[] = [];
  let recorded: ComposioRecordedRequest[] = [];
  const lifetime = new AbortController();

  /* ---------------- state helpers ---------------- */

  function toolkit(slug: string): SeedToolkit | undefined {
    return state.toolkits.find((t) => t.slug === slug);
  }

  /** An INITIATED account whose link ran out is EXPIRED from then on (Composio's 10-minute rule). */
  function settle(a: StoredComposioAccount): StoredComposioAccount {
    if ((a.status === "INITIATED" || a.status === "INITIALIZING") && a.linkExpiresAt !== undefined && a.linkExpiresAt <= Date.now()) {
      a.status = "EXPIRED";
      a.statusReason = "Connection initiation did not complete within 10 minutes";
      a.updatedAt = new Date(a.linkExpiresAt).toISOString();
    }
    return a;
  }

  function account(id: string): StoredComposioAccount {
    const a = state.accounts.find((x) => x.id === id);
    if (!a) throw new ComposioHttpError(404, `Connected account ${id} not found`, "ConnectedAccount_NotFound", 1800);
    return settle(a);
  }

  function wireAccount(a: StoredComposioAccount): Record<string, unknown> {
    const ac = state.authConfigs.find((c) => c.id === a.authConfigId);
    return {
      id: a.id,
      toolkit: { slug: a.toolkit },
      auth_config: { id: a.authConfigId, auth_scheme: ac?.auth_scheme ?? "OAUTH2", is_composio_managed: ac?.is_composio_managed ?? true, is_disabled: ac?.status === "DISABLED" },
      word_id: a.wordId,
      alias: a.alias,
      user_id: a.userId,
      status: a.status,
      status_reason: a.statusReason,
      is_disabled: a.isDisabled,
      created_at: a.createdAt,
      updated_at: a.updatedAt,
      state: { authScheme: ac?.auth_scheme ?? "OAUTH2", val: { status: a.status, ...(a.status === "ACTIVE" ? { access_token: "gho_***" } : {}) } },
      data: {},
      params: {},
      test_request_endpoint: "",
    };
  }

  function wireToolkit(t: SeedToolkit): Record<string, unknown> {
    return {
      slug: t.slug,
      name: t.name,
      meta: {
        description: t.description,
        logo: `https://logos.composio.dev/api/${t.slug}`,
        tools_count: state.tools.filter((x) => x.toolkit === t.slug).length,
        triggers_count: 0,
        version: t.versions[0],
        available_versions: t.versions,
        categories: t.categories.map((c) => ({ id: c.replace(/\s+/g, "-"), name: c })),
        created_at: "2025-01-01T00:00:00.000Z",
        updated_at: "2025-09-09T00:00:00.000Z",
      },
      auth_schemes: [t.authScheme],
      composio_managed_auth_schemes: t.managedAuth ? [t.authScheme] : [],
      no_auth: false,
      is_local_toolkit: false,
    };
  }

  function wireTool(tool: SeedTool, version: string): Record<string, unknown> {
    const t = toolkit(tool.toolkit)!;
    return {
      slug: tool.slug,
      name: tool.name,
      description: tool.description,
      human_description: tool.description,
      toolkit: { slug: t.slug, name: t.name, logo: `https://logos.composio.dev/api/${t.slug}` },
      input_parameters: inputsAt(tool, version),
      output_parameters: tool.output_parameters,
      version,
      available_versions: t.versions,
      tags: tool.tags,
      scopes: [],
      scope_requirements: null,
      no_auth: false,
      is_deprecated: false,
      deprecated: { displayName: tool.name, version, available_versions: t.versions, is_deprecated: false, toolkit: { logo: `https://logos.composio.dev/api/${t.slug}` } },
    };
  }

  function wireAuthConfig(c: StoredAuthConfig): Record<string, unknown> {
    return {
      id: c.id,
      uuid: `uuid-${c.id}`,
      type: c.type,
      toolkit: { slug: c.toolkit, logo: `https://logos.composio.dev/api/${c.toolkit}` },
      name: `${c.toolkit} auth config`,
      auth_scheme: c.auth_scheme,
      is_composio_managed: c.is_composio_managed,
      status: c.status,
      no_of_connections: state.accounts.filter((a) => a.authConfigId === c.id).length,
      created_at: "2025-01-01T00:00:00.000Z",
      last_updated_at: "2025-01-01T00:00:00.000Z",
    };
  }

  /** The version a request means for a toolkit: an exact available one, or `latest`. */
  function versionFor(t: SeedToolkit, wanted: string | null | undefined): string {
    if (!wanted || wanted === "latest") return t.versions[0]!;
    if (!t.versions.includes(wanted)) throw new ComposioHttpError(400, `Version ${wanted} of toolkit ${t.slug} does not exist (available: ${t.versions.join(", ")})`, "Tool_VersionNotFound", 1810);
    return wanted;
  }

  /** `toolkit_versions=latest` or `toolkit_versions[github]=20250801_00`. */
  function toolkitVersions(q: URLSearchParams): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of q) {
      const m = /^toolkit_versions\[([^\]]+)\]$/.exec(k);
      if (m) out[m[1]!] = v;
    }
    return out;
  }

  /* ---------------- routes ---------------- */

  function listAccounts(q: URLSearchParams): Record<string, unknown> {
    const users = listParam(q, "user_ids");
    const toolkits = listParam(q, "toolkit_slugs");
    const statuses = listParam(q, "statuses");
    const ids = listParam(q, "connected_account_ids");
    const configs = listParam(q, "auth_config_ids");
    let accounts = state.accounts.map(settle);
    if (users.length) accounts = accounts.filter((a) => users.includes(a.userId));
    if (toolkits.length) accounts = accounts.filter((a) => toolkits.includes(a.toolkit));
    if (statuses.length) accounts = accounts.filter((a) => statuses.includes(a.status));
    if (ids.length) accounts = accounts.filter((a) => ids.includes(a.id));
    if (configs.length) accounts = accounts.filter((a) => configs.includes(a.authConfigId));
    const desc = (q.get("order_direction") ?? "desc") !== "asc";
    const key = q.get("order_by") === "updated_at" ? "updatedAt" : "createdAt";
    accounts = [...accounts].sort((a, b) => (a[key] === b[key] ? a.id.localeCompare(b.id) : (a[key] < b[key] ? -1 : 1) * (desc ? -1 : 1)));
    const page = paginate(accounts, q, cfg.pageSize);
    return { ...page, items: (page.items as StoredComposioAccount[]).map(wireAccount) };
  }

  function listTools(q: URLSearchParams): Record<string, unknown> {
    const slugs = listParam(q, "tool_slugs");
    const kits = listParam(q, "toolkit_slug");
    const tags = listParam(q, "tags");
    const text = (q.get("query") ?? q.get("search") ?? "").toLowerCase().trim();
    const pinned = toolkitVersions(q);
    const all = q.get("toolkit_versions");
    let tools = state.tools;
    if (slugs.length) tools = tools.filter((t) => slugs.includes(t.slug));
    if (kits.length) tools = tools.filter((t) => kits.includes(t.toolkit));
    if (tags.length) tools = tools.filter((t) => tags.some((tag) => t.tags.includes(tag)));
    if (q.get("important") === "true") tools = tools.filter((t) => t.tags.includes("important"));
    if (text) {
      const words = text.split(/\s+/);
      tools = tools.filter((t) => {
        const hay = `${t.slug} ${t.name} ${t.description} ${t.toolkit}`.toLowerCase().replace(/_/g, " ");
        return words.some((w) => hay.includes(w));
      });
    }
    const page = paginate(tools, q, cfg.pageSize);
    const items = (page.items as SeedTool[]).map((t) => wireTool(t, versionFor(toolkit(t.toolkit)!, pinned[t.toolkit] ?? (all && all !== "latest" ? undefined : all))));
    return { ...page, items };
  }

  function listToolkits(q: URLSearchParams): Record<string, unknown> {
    let kits = state.toolkits;
    const search = (q.get("search") ?? "").toLowerCase();
    if (search) {
      if (search.length < 3) throw new ComposioHttpError(400, "search must be at least 3 characters", "Request_InvalidSearch");
      kits = kits.filter((t) => `${t.slug} ${t.name} ${t.description}`.toLowerCase().includes(search));
    }
    const category = q.get("category");
    if (category) kits = kits.filter((t) => t.categories.some((c) => c.replace(/\s+/g, "-") === category || c === category));
    const page = paginate(kits, q, cfg.pageSize);
    return { ...page, items: (page.items as SeedToolkit[]).map(wireToolkit) };
  }

  function execute(slug: string, body: Record<string, unknown>, record: ComposioRecordedRequest | undefined): Record<string, unknown> {
    const tool = state.tools.find((t) => t.slug === slug);
    if (!tool) throw new ComposioHttpError(404, `Tool ${slug} not found`, "Tool_NotFound", 1600);
    const kit = toolkit(tool.toolkit)!;
    const version = versionFor(kit, typeof body.version === "string" ? body.version : undefined);
    if (record) record.version = typeof body.version === "string" ? body.version : "latest";
    const userId = typeof body.user_id === "string" ? body.user_id : typeof body.entity_id === "string" ? body.entity_id : undefined;
    if (!userId) throw new ComposioHttpError(400, "user_id is required", "ActionExecute_UserIdRequired", 1801);
    let acc: StoredComposioAccount | undefined;
    if (typeof body.connected_account_id === "string") {
      acc = account(body.connected_account_id);
      if (acc.userId !== userId) {
        throw new ComposioHttpError(400, `Connected account ${acc.id} does not belong to user ${userId}`, "ActionExecute_ConnectedAccountEntityIdMismatch", 1812);
      }
    } else {
      acc = state.accounts.map(settle).find((a) => a.userId === userId && a.toolkit === kit.slug && a.status === "ACTIVE" && !a.isDisabled);
      if (!acc) throw new ComposioHttpError(400, `No connected account found for user ${userId} and toolkit ${kit.slug}`, "ActionExecute_ConnectedAccountNotFound", 1803);
    }
    if (acc.toolkit !== kit.slug) throw new ComposioHttpError(400, `Connected account ${acc.id} is a ${acc.toolkit} account, not ${kit.slug}`, "ActionExecute_ToolkitMismatch", 1813);
    if (acc.status !== "ACTIVE" || acc.isDisabled) {
      throw new ComposioHttpError(422, `Connected account ${acc.id} is ${acc.isDisabled ? "disabled" : acc.status}; it cannot execute tools`, "ConnectedAccount_NotActive", 1805);
    }
    const args = body.arguments === undefined ? {} : body.arguments;
    if (!isRecord(args)) throw new ComposioHttpError(400, "arguments must be an object", "ActionExecute_InvalidArguments", 1806);
    const schema = inputsAt(tool, version) as { properties: Record<string, { type?: string }>; required: string[] };
    const missing = schema.required.filter((r) => args[r] === undefined || args[r] === null);
    if (missing.length) throw new ComposioHttpError(400, `Invalid request data: missing required field(s) ${missing.join(", ")}`, "ActionExecute_InvalidArguments", 1806);
    const unknown = Object.keys(args).filter((k) => !(k in schema.properties));
    if (unknown.length) throw new ComposioHttpError(400, `Invalid request data: unknown field(s) ${unknown.join(", ")} for version ${version}`, "ActionExecute_InvalidArguments", 1806);
    const logId = `log_${randomBytes(6).toString("hex")}`;
    if (Object.values(args).some((v) => v === "__fail__")) {
      return { data: {}, error: "Emulated tool failure: the upstream API refused the request (422 Validation Failed)", successful: false, log_id: logId };
    }
    return { data: tool.run(args), error: null, successful: true, log_id: logId };
  }

  async function proxy(body: Record<string, unknown>, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const id = body.connected_account_id;
    if (typeof id !== "string" || !id) throw new ComposioHttpError(400, "connected_account_id is required for proxy execute", "MissingAuthContext", 1900);
    const acc = account(id);
    if (acc.status !== "ACTIVE" || acc.isDisabled) throw new ComposioHttpError(400, `Connected account ${acc.id} is ${acc.status}; it cannot be used`, "ConnectedAccount_NotActive", 1805);
    const method = body.method;
    if (typeof method !== "string" || !["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"].includes(method)) throw new ComposioHttpError(400, "method must be GET, POST, PUT, DELETE, PATCH or HEAD", "Proxy_InvalidMethod");
    const endpoint = body.endpoint;
    if (typeof endpoint !== "string" || !endpoint) throw new ComposioHttpError(400, "endpoint is required", "Proxy_InvalidEndpoint");
    const base = new URL(toolkit(acc.toolkit)!.baseUrl);
    let target: URL;
    if (/^https?:\/\//i.test(endpoint)) {
      target = new URL(endpoint);
      if (registrableDomain(target.hostname) !== registrableDomain(base.hostname)) {
        throw new ComposioHttpError(400, `Endpoint ${target.origin} is not on ${acc.toolkit}'s API domain (${base.hostname})`, "OriginMismatch", 1910);
      }
    } else {
      target = new URL(`${base.href.replace(/\/$/, "")}/${endpoint.replace(/^\//, "")}`);
    }
    const forwarded: Record<string, string> = {};
    const params = Array.isArray(body.parameters) ? body.parameters : [];
    for (const p of params) {
      if (!isRecord(p) || typeof p.name !== "string" || typeof p.value !== "string" || (p.type !== "header" && p.type !== "query")) {
        throw new ComposioHttpError(400, "parameters must be [{name, value, type: header|query}]", "Proxy_InvalidParameters");
      }
      if (p.type === "query") target.searchParams.append(p.name, p.value);
      else forwarded[p.name.toLowerCase()] = p.value;
    }
    const answer = (status: number, data: unknown, headers: Record<string, string> = { "content-type": "application/json" }, extra: Record<string, unknown> = {}) =>
      sendJson(res, 200, { data, status, headers, ...extra });
    const echo = () =>
      answer(200, { method, url: target.toString(), query: Object.fromEntries(target.searchParams), headers: forwarded, body: body.body ?? null, connected_account_id: acc.id, user_id: acc.userId });
    const path = target.pathname.replace(/^.*(?=\/__emulator\/)/, "");
    let m: RegExpExecArray | null;
    if ((m = /^\/__emulator\/status\/(\d{3})$/.exec(path))) {
      const code = Number(m[1]);
      const headers: Record<string, string> = { "content-type": "application/json", ...(code === 429 ? { "retry-after": "7" } : {}) };
      answer(code, code === 204 ? null : { error: `emulated ${code}` }, headers);
    } else if (path === "/__emulator/text") {
      answer(200, "hello from the emulator", { "content-type": "text/plain; charset=utf-8" });
    } else if (path === "/__emulator/binary") {
      answer(200, null, { "content-type": "image/png" }, { binary_data: { url: "https://files.composio.dev/emulated/image.png", content_type: "image/png", size: 16, expires_at: new Date(Date.now() + 3600_000).toISOString() } });
    } else if ((m = /^\/__emulator\/large\/(\d+)$/.exec(path))) {
      const n = Number(m[1]);
      if (n > MAX_LARGE_BYTES) throw new ComposioHttpError(400, `large body limited to ${MAX_LARGE_BYTES} bytes`, "Emulator_TooLarge");
      answer(200, { data: "x".repeat(Math.max(0, n - 11)) });
    } else if ((m = /^\/__emulator\/items\/(\d+)$/.exec(path))) {
      const count = Math.min(Number(m[1]), 200_000);
      answer(200, { ok: true, count, items: Array.from({ length: count }, (_, i) => ({ id: `item_${String(i).padStart(6, "0")}`, n: i, name: `Item ${i}` })) });
    } else if ((m = /^\/__emulator\/delay\/(\d+)$/.exec(path))) {
      const ms = Number(m[1]);
      await sleep(Math.min(ms, PROXY_UPSTREAM_TIMEOUT_MS), signal);
      if (ms > PROXY_UPSTREAM_TIMEOUT_MS) answer(504, { error: "upstream request timed out after 30s" });
      else echo();
    } else if (path === "/__emulator/empty") {
      answer(204, null, {});
    } else {
      echo();
    }
  }

  function createAuthConfig(body: Record<string, unknown>): Record<string, unknown> {
    const slug = isRecord(body.toolkit) && typeof body.toolkit.slug === "string" ? body.toolkit.slug : undefined;
    if (!slug) throw new ComposioHttpError(400, "toolkit.slug is required", "AuthConfig_InvalidRequest");
    const kit = toolkit(slug);
    if (!kit) throw new ComposioHttpError(404, `Toolkit ${slug} not found`, "Toolkit_NotFound", 1500);
    const type = isRecord(body.auth_config) ? body.auth_config.type : "use_composio_managed_auth";
    if (type !== "use_composio_managed_auth" && type !== undefined) throw new ComposioHttpError(400, "the emulator only creates Composio-managed auth configs", "AuthConfig_InvalidRequest");
    if (!kit.managedAuth) throw new ComposioHttpError(400, `Composio-managed auth is not available for ${slug}; create an auth config with your own credentials`, "AuthConfig_NoManagedAuth", 1400);
    const config: StoredAuthConfig = { id: randomId(`ac_${slug}_`, 6), toolkit: slug, status: "ENABLED", is_composio_managed: true, auth_scheme: kit.authScheme, type: "default" };
    state.authConfigs.push(config);
    return { toolkit: { slug }, auth_config: { id: config.id, auth_scheme: config.auth_scheme, is_composio_managed: true, restrict_to_following_tools: [] } };
  }

  function createLink(body: Record<string, unknown>): Record<string, unknown> {
    const acId = body.auth_config_id;
    const userId = body.user_id;
    if (typeof acId !== "string" || !acId) throw new ComposioHttpError(400, "auth_config_id is required", "ConnectedAccount_BadRequest", 600);
    if (typeof userId !== "string" || !userId) throw new ComposioHttpError(400, "user_id is required", "ConnectedAccount_BadRequest", 600);
    const ac = state.authConfigs.find((c) => c.id === acId);
    if (!ac) throw new ComposioHttpError(404, `Auth config ${acId} not found`, "AuthConfig_NotFound", 1401);
    if (ac.status !== "ENABLED") throw new ComposioHttpError(400, `Auth config ${acId} is disabled`, "AuthConfig_Disabled", 1402);
    const now = Date.now();
    const token = `lt_${randomBytes(12).toString("hex")}`;
    const acc: StoredComposioAccount = {
      id: randomId("ca_", 12),
      userId,
      toolkit: ac.toolkit,
      authConfigId: ac.id,
      status: "INITIATED",
      statusReason: null,
      isDisabled: false,
      alias: typeof body.alias === "string" ? body.alias : null,
      wordId: `${ac.toolkit}-${randomBytes(3).toString("hex")}`,
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
      linkToken: token,
      linkExpiresAt: now + cfg.linkTtlMs,
      ...(typeof body.callback_url === "string" ? { callbackUrl: body.callback_url } : {}),
    };
    state.accounts.push(acc);
    return { link_token: token, redirect_url: `https://connect.composio.dev/link/${token}`, expires_at: new Date(acc.linkExpiresAt!).toISOString(), connected_account_id: acc.id };
  }

  /** The user finishing (or failing) a link in the browser. */
  function completeLink(body: Record<string, unknown>): Record<string, unknown> {
    const acc =
      typeof body.link_token === "string"
        ? state.accounts.find((a) => a.linkToken === body.link_token)
        : typeof body.connected_account_id === "string"
          ? state.accounts.find((a) => a.id === body.connected_account_id)
          : undefined;
    if (!acc) throw new ComposioHttpError(400, "unknown link_token / connected_account_id", "Emulator_UnknownLink");
    settle(acc);
    if (acc.status !== "INITIATED" && acc.status !== "INITIALIZING") throw new ComposioHttpError(400, `the link cannot be completed: the account is ${acc.status}`, "Emulator_LinkNotPending");
    const outcome = body.status ?? "ACTIVE";
    if (outcome !== "ACTIVE" && outcome !== "FAILED") throw new ComposioHttpError(400, "status must be ACTIVE or FAILED", "Emulator_BadStatus");
    acc.status = outcome;
    acc.statusReason = outcome === "FAILED" ? "The user denied access on the consent screen" : null;
    if (typeof body.alias === "string") acc.alias = body.alias;
    acc.updatedAt = new Date().toISOString();
    return wireAccount(acc);
  }

  async function handleApi(method: string, segs: string[], q: URLSearchParams, raw: Buffer, res: ServerResponse, record: ComposioRecordedRequest | undefined, signal: AbortSignal): Promise<void> {
    const route = (m: string, ...parts: string[]): boolean => method === m && segs.length === parts.length && parts.every((p, i) => p === "*" || p === segs[i]);
    const body = (): Record<string, unknown> => {
      const b = objectBody(raw);
      if (record) {
        if (typeof b.user_id === "string") record.userId = b.user_id;
        if (typeof b.connected_account_id === "string") record.accountId = b.connected_account_id;
      }
      return b;
    };
    if (record) {
      const users = listParam(q, "user_ids");
      const ids = listParam(q, "connected_account_ids");
      if (users.length === 1) record.userId = users[0];
      if (ids.length === 1) record.accountId = ids[0];
    }

    if (route("GET", "connected_accounts")) return sendJson(res, 200, listAccounts(q));
    if (route("POST", "connected_accounts", "link")) return sendJson(res, 201, createLink(body()));
    if (route("GET", "connected_accounts", "*") || route("DELETE", "connected_accounts", "*")) {
      const id = segs[1]!;
      if (record) record.accountId = id;
      const acc = account(id);
      if (method === "GET") return sendJson(res, 200, wireAccount(acc));
      state.accounts = state.accounts.filter((a) => a !== acc);
      return sendJson(res, 200, { success: true, ...(q.get("revoke_on_delete") === "true" ? { revoke_job_id: `rj_${randomBytes(4).toString("hex")}` } : {}) });
    }
    if (route("POST", "connected_accounts", "*", "revoke")) {
      const acc = account(segs[1]!);
      if (record) record.accountId = acc.id;
      if (acc.status !== "ACTIVE" && acc.status !== "REVOKED") throw new ComposioHttpError(409, `Connected account ${acc.id} is ${acc.status}; only ACTIVE accounts can be revoked`, "ConnectedAccount_NotActive", 1805);
      acc.status = "REVOKED";
      acc.updatedAt = new Date().toISOString();
      return sendJson(res, 200, { revoked_tokens: ["access_token", "refresh_token"], connected_account: { id: acc.id, status: "REVOKED" } });
    }
    if (route("PATCH", "connected_accounts", "*", "status")) {
      const acc = account(segs[1]!);
      if (record) record.accountId = acc.id;
      const b = objectBody(raw);
      if (typeof b.enabled !== "boolean") throw new ComposioHttpError(400, "enabled must be a boolean", "ConnectedAccount_BadRequest", 600);
      acc.isDisabled = !b.enabled;
      if (!b.enabled && acc.status === "ACTIVE") acc.status = "INACTIVE";
      else if (b.enabled && acc.status === "INACTIVE") acc.status = "ACTIVE";
      acc.updatedAt = new Date().toISOString();
      return sendJson(res, 200, { success: true });
    }
    if (route("GET", "auth_configs")) {
      const kits = listParam(q, "toolkit_slug");
      const showDisabled = q.get("show_disabled") === "true";
      const configs = state.authConfigs.filter((c) => (!kits.length || kits.includes(c.toolkit)) && (showDisabled || c.status === "ENABLED"));
      const page = paginate(configs, q, cfg.pageSize);
      return sendJson(res, 200, { ...page, items: (page.items as StoredAuthConfig[]).map(wireAuthConfig) });
    }
    if (route("POST", "auth_configs")) return sendJson(res, 201, createAuthConfig(body()));
    if (route("GET", "toolkits")) return sendJson(res, 200, listToolkits(q));
    if (route("GET", "toolkits", "*")) {
      const kit = toolkit(segs[1]!);
      if (!kit) throw new ComposioHttpError(404, `Toolkit ${segs[1]} not found`, "Toolkit_NotFound", 1500);
      return sendJson(res, 200, wireToolkit(kit));
    }
    if (route("GET", "tools")) return sendJson(res, 200, listTools(q));
    if (route("POST", "tools", "execute", "proxy")) return proxy(body(), res, signal);
    if (route("POST", "tools", "execute", "*")) {
      if (record) record.toolSlug = segs[2];
      return sendJson(res, 200, execute(segs[2]!, body(), record));
    }
    if (route("GET", "tools", "*")) {
      const tool = state.tools.find((t) => t.slug === segs[1]);
      if (!tool) throw new ComposioHttpError(404, `Tool ${segs[1]} not found`, "Tool_NotFound", 1600);
      return sendJson(res, 200, wireTool(tool, versionFor(toolkit(tool.toolkit)!, q.get("version"))));
    }
    throw new ComposioHttpError(404, `No route for ${method} ${API}/${segs.join("/")}`, "Route_NotFound", 4040);
  }

  /* ---------------- admin ---------------- */

  function parseFault(b: Record<string, unknown>): Fault {
    const pathContains = b.path_contains;
    if (typeof pathContains !== "string" || !pathContains) throw new ComposioHttpError(400, "path_contains is required", "Emulator_BadFault");
    const status = b.status;
    if (status !== undefined && (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599)) throw new ComposioHttpError(400, "status must be an HTTP status code", "Emulator_BadFault");
    const delay = b.delay_ms ?? 0;
    const times = b.times ?? 1;
    if (typeof delay !== "number" || delay < 0) throw new ComposioHttpError(400, "delay_ms must be a non-negative number", "Emulator_BadFault");
    if (typeof times !== "number" || !Number.isInteger(times) || times < 1) throw new ComposioHttpError(400, "times must be a positive integer", "Emulator_BadFault");
    if (status === undefined && delay === 0) throw new ComposioHttpError(400, "a fault needs a status and/or delay_ms", "Emulator_BadFault");
    const fault: Fault = { id: randomId("flt_"), pathContains, delayMs: delay, remaining: times };
    if (typeof b.method === "string") fault.method = b.method.toUpperCase();
    if (status !== undefined) fault.status = status as number;
    if (b.body !== undefined) fault.body = b.body;
    if (typeof b.content_type === "string") fault.contentType = b.content_type;
    if (isRecord(b.headers)) fault.headers = Object.fromEntries(Object.entries(b.headers).map(([k, v]) => [k, String(v)]));
    return fault;
  }

  function takeFault(method: string, rawPath: string): Fault | undefined {
    const fault = faults.find((f) => (f.method === undefined || f.method === method) && rawPath.includes(f.pathContains));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults = faults.filter((f) => f !== fault);
    return fault;
  }

  function reset(): void {
    state = freshState();
    faults = [];
    recorded = [];
  }

  function handleAdmin(method: string, path: string, raw: Buffer, res: ServerResponse): void {
    switch (`${method} ${path}`) {
      case "GET /__emulator/requests":
        return sendJson(res, 200, recorded);
      case "DELETE /__emulator/requests":
        recorded = [];
        res.writeHead(204).end();
        return;
      case "GET /__emulator/faults":
        return sendJson(res, 200, faults);
      case "POST /__emulator/faults": {
        const f = parseFault(objectBody(raw));
        faults.push(f);
        return sendJson(res, 201, f);
      }
      case "DELETE /__emulator/faults":
        faults = [];
        res.writeHead(204).end();
        return;
      case "POST /__emulator/connect":
        return sendJson(res, 200, completeLink(objectBody(raw)));
      case "POST /__emulator/expire": {
        const b = objectBody(raw);
        const acc = typeof b.connected_account_id === "string" ? state.accounts.find((a) => a.id === b.connected_account_id) : undefined;
        if (!acc) throw new ComposioHttpError(400, "unknown connected_account_id", "Emulator_UnknownAccount");
        acc.status = "EXPIRED";
        acc.statusReason = typeof b.reason === "string" ? b.reason : "The access token expired and could not be refreshed";
        acc.updatedAt = new Date().toISOString();
        return sendJson(res, 200, wireAccount(acc));
      }
      case "POST /__emulator/reset":
        reset();
        return sendJson(res, 200, { ok: true });
      default:
        throw new ComposioHttpError(404, "not found", "Route_NotFound", 4040);
    }
  }

  /* ---------------- dispatcher ---------------- */

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const rawUrl = req.url ?? "/";
    const qi = rawUrl.indexOf("?");
    const rawPath = qi >= 0 ? rawUrl.slice(0, qi) : rawUrl;
    const q = new URLSearchParams(qi >= 0 ? rawUrl.slice(qi + 1) : "");
    const isAdmin = rawPath.startsWith("/__emulator/") || rawPath === "/healthz";
    let record: ComposioRecordedRequest | undefined;
    if (!isAdmin) {
      record = { method, path: rawPath, query: queryRecord(q), status: 0, at: new Date(started).toISOString() };
      recorded.push(record);
    }
    const ac = trackExchange(res, lifetime.signal, record, { method, path: rawPath, started, log: cfg.log });
    try {
      const raw = await readBody(req);
      if (method === "GET" && rawPath === "/healthz") return sendJson(res, 200, { ok: true });
      if (isAdmin) return handleAdmin(method, rawPath, raw, res);
      const fault = takeFault(method, rawPath);
      if (fault) {
        if (fault.delayMs > 0) await sleep(fault.delayMs, ac.signal);
        if (fault.status !== undefined) {
          for (const [k, v] of Object.entries(fault.headers ?? {})) res.setHeader(k, v);
          if (typeof fault.body === "string") {
            res.writeHead(fault.status, { "content-type": fault.contentType ?? "application/json" });
            res.end(fault.body);
          } else if (fault.body !== undefined) {
            sendJson(res, fault.status, fault.body);
          } else {
            sendError(res, new ComposioHttpError(fault.status, `emulated fault ${fault.status}`, "Emulator_Fault"));
          }
          return;
        }
      }
      if (!rawPath.startsWith(`${API}/`)) throw new ComposioHttpError(404, `Only ${API} is served (the client appends it to the base URL)`, "Route_NotFound", 4040);
      const keys = ["x-api-key", "x-user-api-key", "x-org-api-key"].filter((h) => req.headers[h] !== undefined);
      if (keys.length !== 1 || req.headers["x-api-key"] !== cfg.apiKey) {
        throw new ComposioHttpError(401, keys.length > 1 ? "Send exactly one credential header" : "Invalid API key", "Auth_InvalidApiKey", 10401);
      }
      const segs = rawPath.slice(API.length + 1).split("/").map((s) => decodeURIComponent(s));
      await handleApi(method, segs, q, raw, res, record, ac.signal);
    } catch (err) {
      if (ac.signal.aborted) {
        if (!res.writableEnded) res.destroy();
        return;
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof ComposioHttpError) return sendError(res, err);
      cfg.log?.(`internal error on ${method} ${rawPath}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      sendError(res, new ComposioHttpError(500, `internal emulator error: ${err instanceof Error ? err.message : String(err)}`, "Internal_Error", 5000));
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
  const urlHost = cfg.host === "0.0.0.0" ? "127.0.0.1" : cfg.host === "::" ? "[::1]" : cfg.host.includes(":") ? `[${cfg.host}]` : cfg.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests: () => recorded.map((r) => ({ ...r, query: { ...r.query } })),
    reset,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        lifetime.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
