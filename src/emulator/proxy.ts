// The Connect API proxy: `{METHOD} /v1/connect/:project/proxy/:url64`.
//
// Nothing is forwarded over the network. The "upstream" echoes what it would
// have received, and a few magic target paths (any host) produce particular
// upstream responses so tests can exercise status codes, non-JSON bodies,
// large bodies, slowness and empty replies.

import type { ServerResponse } from "node:http";
import { accountBaseUrl } from "./seed.js";
import { findAccount, type EnvState } from "./state.js";
import { HttpError } from "./types.js";
import { sleep } from "./util.js";

/** Real Connect gives up on the upstream after 30 s and answers 504. */
export const PROXY_UPSTREAM_TIMEOUT_MS = 30_000;
const MAX_LARGE_BYTES = 64 * 1024 * 1024;

export interface ProxyRequest {
  method: string;
  /** The raw (still percent-encoded) url64 path segment. */
  url64Segment: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  contentType: string | undefined;
  signal: AbortSignal;
}

/**
 * SDK 3.1.6 sends standard base64 with padding, percent-encoded; the docs and
 * SDK v1 use base64url without padding. Accept both.
 */
export function decodeUrl64(segment: string): string {
  let s: string;
  try {
    s = decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, "url_64 is not valid percent-encoding");
  }
  if (s === "" || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) throw new HttpError(400, "url_64 must be a base64 or base64url encoded URL");
  return Buffer.from(s, "base64").toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Resolves when `res` can take more data, or when its connection is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

/**
 * `{"data":"xxx…"}` of exactly max(n, 11) bytes (11 bytes of framing), written in chunks as the
 * client reads them (never held whole in memory); stops when the client goes away. `chunked`
 * leaves the Content-Length out, so the client cannot know the size in advance.
 */
async function streamLarge(res: ServerResponse, status: number, n: number, chunked: boolean, signal: AbortSignal): Promise<void> {
  const xs = Math.max(0, n - 11);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...(chunked ? {} : { "content-length": xs + 11 }) });
  const chunk = Buffer.alloc(64 * 1024, "x");
  if (!res.write('{"data":"')) await drained(res);
  for (let left = xs; left > 0; ) {
    if (signal.aborted || res.destroyed) return;
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    left -= piece.length;
    if (!res.write(piece)) await drained(res);
  }
  if (!signal.aborted && !res.destroyed) res.end('"}');
}

export async function handleProxy(state: EnvState, req: ProxyRequest, res: ServerResponse): Promise<void> {
  const externalUserId = req.query.get("external_user_id");
  const accountId = req.query.get("account_id");
  if (!externalUserId) throw new HttpError(400, "external_user_id is required");
  if (!accountId) throw new HttpError(400, "account_id is required");
  const account = findAccount(state, accountId);
  if (!account) throw new HttpError(404, "account not found");
  if (account.externalId !== externalUserId) {
    throw new HttpError(400, `account ${accountId} does not belong to external user ${externalUserId}`);
  }
  if (!account.healthy || account.dead) {
    throw new HttpError(400, `account ${accountId} is not healthy (${account.error ?? "unknown error"}); the user must reconnect it`);
  }

  const decoded = decodeUrl64(req.url64Segment);
  let target: URL;
  if (decoded.startsWith("/")) {
    // Relative paths only make sense for apps whose API host is per account.
    const base = accountBaseUrl(account.appSlug, account.customFields);
    if (!base) {
      throw new HttpError(400, `relative URLs are only supported for apps with account-specific domains; ${account.appSlug} needs an absolute URL`);
    }
    target = new URL(decoded, base);
  } else {
    try {
      target = new URL(decoded);
    } catch {
      throw new HttpError(400, `url_64 does not decode to a URL: ${JSON.stringify(decoded.slice(0, 200))}`);
    }
    if (target.protocol !== "https:" && target.protocol !== "http:") throw new HttpError(400, "only http(s) URLs can be proxied");
  }

  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith("x-pd-proxy-") || value === undefined) continue;
    forwarded[name.slice("x-pd-proxy-".length)] = Array.isArray(value) ? value.join(", ") : value;
  }

  let body: unknown = null;
  if (req.rawBody.length > 0) {
    const text = req.rawBody.toString("utf8");
    if (req.contentType?.includes("json")) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new HttpError(400, "malformed JSON body");
      }
    } else {
      body = text;
    }
  }

  const echo = (): void =>
    sendJson(res, 200, {
      method: req.method,
      url: target.toString(),
      query: Object.fromEntries(target.searchParams),
      headers: forwarded,
      body,
      account_id: account.id,
      external_user_id: externalUserId,
    });

  const path = target.pathname;
  let m: RegExpExecArray | null;
  if ((m = /^\/__emulator\/status\/(\d{3})$/.exec(path))) {
    const code = Number(m[1]);
    if (code < 200 || code > 599) throw new HttpError(400, "emulated status must be 200-599");
    if (code === 204 || code === 304) {
      res.writeHead(code);
      res.end();
    } else {
      if (code === 429) res.setHeader("retry-after", "7");
      sendJson(res, code, { error: `emulated ${code}` });
    }
  } else if ((m = /^\/__emulator\/items\/(\d+)$/.exec(path))) {
    // A long JSON list, e.g. for paging a result through result_id/offset.
    const count = Number(m[1]);
    if (count > 200_000) throw new HttpError(400, "at most 200000 items");
    const items = Array.from({ length: count }, (_, i) => ({ id: `item_${String(i).padStart(6, "0")}`, n: i, name: `Item ${i}`, text: `This is item number ${i} of ${count}.` }));
    sendJson(res, 200, { ok: true, count, items });
  } else if (path === "/__emulator/text") {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end("hello from the emulator");
  } else if (path === "/__emulator/binary") {
    // First 16 bytes of a PNG: signature + start of the IHDR chunk.
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    res.writeHead(200, { "content-type": "image/png", "content-length": png.length });
    res.end(png);
  } else if ((m = /^\/__emulator\/large\/(\d+)$/.exec(path))) {
    const n = Number(m[1]);
    if (n > MAX_LARGE_BYTES) throw new HttpError(400, `large body limited to ${MAX_LARGE_BYTES} bytes`);
    const status = Number(target.searchParams.get("status") ?? 200);
    if (!Number.isInteger(status) || status < 200 || status > 599 || status === 204 || status === 304) {
      throw new HttpError(400, "emulated status must be 200-599 (not 204/304)");
    }
    await streamLarge(res, status, n, target.searchParams.get("chunked") === "1", req.signal);
  } else if ((m = /^\/__emulator\/delay\/(\d+)$/.exec(path))) {
    const ms = Number(m[1]);
    await sleep(Math.min(ms, PROXY_UPSTREAM_TIMEOUT_MS), req.signal);
    if (ms > PROXY_UPSTREAM_TIMEOUT_MS) {
      sendJson(res, 504, { error: "upstream request timed out after 30s" });
    } else {
      echo();
    }
  } else if (path === "/__emulator/empty") {
    res.writeHead(204);
    res.end();
  } else {
    echo();
  }
}
