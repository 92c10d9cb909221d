import { createHash } from "node:crypto";
import { z } from "zod";
import { resolveAccount } from "../core/accounts.js";
import { connectRequired } from "../core/connect.js";
import { ToolError } from "../core/errors.js";
import { requireEndUser } from "../core/identity.js";
import type { ToolResult } from "../core/results.js";
import { checkProxyUrl, confineToBase } from "../core/url-guard.js";
import type { ConnectedAccount, ProxyResponse } from "../providers/provider.js";
import { defineTool, OUTCOME, RESULT_ARGUMENTS_NOTE, resultArguments, stringMap } from "./define-tool.js";

/** Request bodies above this are refused before anything is sent. */
const MAX_REQUEST_BODY_BYTES = 1_048_576;
/** Response bodies are cut to this many characters (JSON/text) so one call cannot flood the context. */
const MAX_RESPONSE_CHARS = 100_000;
/** Binary bodies: size and SHA-256 always, base64 only up to this many bytes (a token budget, not a file channel). */
const MAX_BINARY_BYTES = 3_072;

/** Headers the caller may not set: transport-level, or Connect's own. */
const FORBIDDEN_HEADER = /^(host|content-length|connection|transfer-encoding|keep-alive|upgrade|te|trailer|proxy-.*|x-pd-.*)$/i;
/** Response headers not worth returning (hop-by-hop, cookies). */
const DROPPED_RESPONSE_HEADER = /^(set-cookie|connection|keep-alive|transfer-encoding|content-encoding)$/i;
/** App custom fields that mean "the API's domain is per account" (Zendesk subdomain, Zoho region…). */
const PER_ACCOUNT_DOMAIN_FIELD = /(sub)?domain|base_?url|instance|host|region|site|shop|tenant|org(anization)?_?url/i;

const TEXTUAL = /^(text\/|application\/(xml|javascript|x-www-form-urlencoded|[\w.+-]*\+xml|([\w.+-]*\+)?json))/i;

/**
 * The first MAX_RESPONSE_CHARS characters of a UTF-8 body, decoding no more bytes than needed (a
 * character takes at most 4), and whether that is all of it. A character cut by the byte cap at
 * the very end is left out rather than shown as U+FFFD.
 */
function textPrefix(bytes: Uint8Array): { text: string; cut: boolean } {
  const budget = MAX_RESPONSE_CHARS * 4;
  const head = bytes.subarray(0, budget);
  const text = new TextDecoder().decode(head, { stream: true });
  if (text.length > MAX_RESPONSE_CHARS) return { text: text.slice(0, MAX_RESPONSE_CHARS), cut: true };
  return { text, cut: bytes.length > budget };
}

interface DecodedBody {
  body: unknown;
  encoding: "json" | "text" | "base64" | "none";
  truncated: boolean;
  binary?: { size: number; sha256: string };
}

/**
 * JSON stays parsed whatever its size (the result budget cuts it keeping its structure, and keeps
 * the whole for result_id); text is kept up to MAX_RESPONSE_CHARS; binary is described.
 */
function decodeBody(res: ProxyResponse): DecodedBody {
  // A body cut by the byte cap (res.truncated) arrives as its first bytes; a cut JSON body cannot
  // be parsed, so it is shown as text.
  const cutUpstream = res.truncated !== undefined;
  if (res.body.kind === "empty") return { body: null, encoding: "none", truncated: cutUpstream };
  if (res.body.kind === "json") return { body: res.body.value, encoding: "json", truncated: false };
  const bytes = res.body.value;
  const { text, cut } = textPrefix(bytes);
  const looksTextual = res.contentType ? TEXTUAL.test(res.contentType) : !text.includes("\uFFFD") && !text.includes("\u0000");
  if (looksTextual) return { body: cut ? `${text}…` : text, encoding: "text", truncated: cut || cutUpstream };
  const truncated = bytes.length > MAX_BINARY_BYTES || cutUpstream;
  return {
    body: Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_BINARY_BYTES)).toString("base64"),
    encoding: "base64",
    truncated,
    binary: { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") },
  };
}

/** A short, single-line excerpt of a decoded body for messages. */
function excerptOf(body: unknown): string | undefined {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text ? text.slice(0, 500) : undefined;
}

/** An upstream 429's Retry-After (seconds or HTTP date), or 60 s when it gives none. */
function retryAfterSeconds(headers: Record<string, string>): number {
  const raw = Object.entries(headers).find(([h]) => h.toLowerCase() === "retry-after")?.[1];
  const secs = raw === undefined ? NaN : /^\d+$/.test(raw.trim()) ? Number(raw) : (Date.parse(raw) - Date.now()) / 1000;
  return Number.isFinite(secs) ? Math.max(1, Math.ceil(secs)) : 60;
}

function allowsRelativeUrl(account: ConnectedAccount): boolean {
  return account.proxyRelativeUrls === true || account.app.customFieldNames.some((f) => PER_ACCOUNT_DOMAIN_FIELD.test(f));
}

// status/headers/body_encoding are absent on a needs_input (confirmation) preview and on
// connect_required (then `connect` and `message` instead).
// The schema names what a client branches on; status, headers, body and body_encoding are in every
// sent request's result (absent on a needs_input preview and on connect_required).
const outputSchema = z.looseObject({ outcome: OUTCOME });

export const apiProxy = defineTool({
  name: "api_proxy",
  description:
    "Call an app's HTTP API (e.g. https://slack.com/api/chat.postMessage) as the user's connected account, auth added; " +
    "returns status, headers, body. Writes are sent once, never retried. " +
    RESULT_ARGUMENTS_NOTE,
  inputSchema: z.strictObject({
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).optional(),
    url: z.string().max(8192).optional().describe("Absolute URL; a /path only for apps with per-account domains"),
    app: z.string().optional().describe("App slug (uses its one healthy account)"),
    account_id: z.string().optional().describe("From list_accounts"),
    query: stringMap(z.union([z.string(), z.number(), z.boolean()])).optional(),
    headers: stringMap(z.string()).optional(),
    body: stringMap(z.unknown()).optional().describe("JSON object"),
    confirmation_token: z.string().max(200).optional().describe("From a confirmation preview"),
    ...resultArguments,
  }),
  outputSchema,
  dataField: "body",
  title: "Call an app's API",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async handler(input, ctx) {
    const { provider, config } = ctx.services();
    const user = requireEndUser(ctx.identity);
    if (!input.method || !input.url) throw new ToolError("method and url are required (or result_id, to read a stored result again).");
    const args = { ...input, method: input.method, url: input.url };

    // A local connector's account reaches only its base_url (the operator's choice of host, maybe an
    // internal one): its URL is confined to that base instead of checked for a public host.
    const local = (args.account_id ? provider.ownerOf({ accountId: args.account_id }) : args.app ? provider.ownerOf({ app: args.app }) : undefined) === "local";
    const localAccount = local ? await resolveAccount(provider, user, { app: args.app, accountId: args.account_id }) : undefined;
    const confined = localAccount?.proxyBaseUrl ? confineToBase(localAccount.proxyBaseUrl, args.url, args.query) : undefined;
    const check = confined ? (confined.ok ? { ok: true as const, url: confined.url, relative: false as const, host: confined.host } : confined) : checkProxyUrl(args.url, args.query, { allowHttp: config.allowHttpProxyTargets });
    if (!check.ok) throw new ToolError(`url refused: ${check.reason}.`);
    if (args.body !== undefined && (args.method === "GET" || args.method === "DELETE")) {
      throw new ToolError(`A ${args.method} request cannot carry a body; put parameters in query instead.`);
    }
    if (args.body !== undefined && Buffer.byteLength(JSON.stringify(args.body)) > MAX_REQUEST_BODY_BYTES) {
      throw new ToolError(`body is larger than ${MAX_REQUEST_BODY_BYTES} bytes; send less data per request.`);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(args.headers ?? {})) {
      if (FORBIDDEN_HEADER.test(name)) throw new ToolError(`header "${name}" cannot be set through api_proxy.`);
      if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new ToolError(`header "${name}" contains a line break.`);
      headers[name] = value;
    }

    const account = localAccount ?? (await resolveAccount(provider, user, { app: args.app, accountId: args.account_id }));
    if (check.relative && !allowsRelativeUrl(account)) {
      throw new ToolError(
        `A relative url is only allowed for accounts whose API base the provider knows (apps whose domain differs per account, or the account's provider resolves paths); ${account.app.slug} account ${account.id} is not one. Give the absolute URL (https://…).`,
      );
    }

    // An idempotent write carries its key upstream too (Stripe and others honour Idempotency-Key).
    if (args.idempotency_key && args.method !== "GET" && !Object.keys(headers).some((h) => h.toLowerCase() === "idempotency-key")) {
      headers["Idempotency-Key"] = args.idempotency_key;
    }
    const held = await ctx.policy.proxy({ app: account.app.slug, accountId: account.id, method: args.method, url: check.url, host: check.relative ? account.app.slug : check.host, headers, body: args.body });
    if (held) return held;
    ctx.logger.debug({ method: args.method, host: check.relative ? account.app.slug : check.host, account: account.id }, "api_proxy");
    const { maxUpstreamBytes } = ctx.services().config;
    const res = await provider.proxy(user, { accountId: account.id, method: args.method, url: check.url, headers, body: args.body, maxBodyBytes: maxUpstreamBytes });
    const { body, encoding, truncated, binary } = decodeBody(res);
    const excerpt = excerptOf(body);
    if (res.status === 401) {
      // The provider reports Connect's own 401 (our token) as an error, so this one is the app's:
      // it no longer accepts the account's credentials. The user reconnects the account; the
      // request is not repeated.
      return connectRequired(ctx.services(), user, account.app.slug, [account], {
        status: 401,
        account_id: account.id,
        ...(excerpt ? { upstream_body: excerpt } : {}),
      });
    }
    const responseHeaders = Object.fromEntries(Object.entries(res.headers).filter(([h]) => !DROPPED_RESPONSE_HEADER.test(h)));
    const ok = res.status >= 200 && res.status < 400;
    const structured = {
      // An upstream error is not an outcome "ok": isError results carry no outcome.
      ...(ok ? { outcome: "ok" as const } : {}),
      ...(res.mock ? { mock: true } : {}),
      status: res.status,
      headers: responseHeaders,
      body,
      body_encoding: encoding,
      ...(res.contentType ? { content_type: res.contentType } : {}),
      ...(binary ? { body_size: binary.size, body_sha256: binary.sha256 } : {}),
      ...(truncated ? { body_truncated: true } : {}),
      // A read that was tried again (429/502/503/504, dropped connection) says so.
      ...(res.retried ? { retried: res.retried } : {}),
      // How much of the upstream body was read before the byte cap stopped the download.
      ...(res.truncated ? { body_bytes_seen: res.truncated.bytesSeen } : {}),
      ...(res.truncated?.bytesTotal !== undefined ? { body_bytes_total: res.truncated.bytesTotal } : {}),
      account_id: account.id,
    };
    const text = JSON.stringify(structured);
    if (ok) return { content: [{ type: "text", text }], structuredContent: structured };
    const limited = res.status === 429 ? `; rate limited upstream, retry after ${retryAfterSeconds(res.headers)} s` : "";
    // A read that failed on every attempt says so in its text too, not only in `retried`.
    const again = res.retried ? ` (tried ${res.retried.attempts} times; the earlier attempts got ${res.retried.reasons.join(", ")})` : "";
    const result: ToolResult = {
      content: [{ type: "text", text: `The ${account.app.slug} API answered HTTP ${res.status}${again}${limited}${excerpt ? `: ${excerpt}` : ""}\n${text}` }],
      structuredContent: structured,
      isError: true,
    };
    return result;
  },
});
