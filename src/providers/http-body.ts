/**
 * Reading an HTTP answer without ever holding more than a cap in memory, for the providers that
 * call over plain fetch (Pipedream's API proxy, local connectors): the body is read as a stream up
 * to the cap and the rest cancelled, JSON is parsed when it is labelled so and parses.
 */
import type { ProxyResponse } from "./provider.js";

const JSON_TYPE = /^application\/([\w.+-]*\+)?json(\s*;|$)|^text\/json/i;

/**
 * How much of a body cut by the cap is kept: it cannot be parsed, and callers show only its start.
 */
export const CUT_BODY_KEEP_BYTES = 1024 * 1024;

/** The first `n` bytes of `chunks`, in one new array. */
function joinChunks(chunks: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    if (at >= n) break;
    const part = c.subarray(0, n - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Read `body` until it ends or more than `cap` bytes arrived; then cancel the rest, so it is never
 * downloaded. Chunks are kept as they arrive and joined once at the end (copying them into a
 * growing buffer would add that buffer to the chunks, which linger until GC anyway). A cut body
 * hands back only its first CUT_BODY_KEEP_BYTES. A body whose Content-Length (`sizeHint`)
 * already exceeds the cap will be cut whatever comes, so only that kept part is read: receiving
 * bytes costs about twice their size in short-lived buffers, and reading on to the cap would buy
 * nothing.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  cap: number,
  sizeHint?: number,
): Promise<{ bytes: Uint8Array; seen: number; cut: boolean }> {
  if (!body) return { bytes: new Uint8Array(0), seen: 0, cut: false };
  const willCut = sizeHint !== undefined && sizeHint > cap;
  const keep = Math.min(cap, CUT_BODY_KEEP_BYTES);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: joinChunks(chunks, seen), seen, cut: false };
      chunks.push(value);
      seen += value.length;
      if (willCut ? seen >= keep : seen > cap) {
        // Stop the download: the upstream's remaining bytes are never read.
        await reader.cancel().catch(() => undefined);
        return { bytes: joinChunks(chunks, keep), seen, cut: true };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

function contentLength(headers: Record<string, string>): number | undefined {
  const raw = headers["content-length"];
  return raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw) : undefined;
}

/**
 * `res` as a ProxyResponse: lower-cased headers, the body read up to `cap` (a cut one comes back
 * as its first bytes with `truncated`), JSON parsed when labelled so and it parses.
 */
export async function readResponse(res: Response, cap: number): Promise<ProxyResponse> {
  const headers = headerRecord(res.headers);
  const contentType = headers["content-type"];
  const total = contentLength(headers);
  const { bytes, seen, cut } = await readCapped(res.body, cap, total);
  const base = { status: res.status, headers, ...(contentType ? { contentType } : {}) };
  if (cut) return { ...base, body: { kind: "bytes", value: bytes }, truncated: { bytesSeen: seen, ...(total !== undefined ? { bytesTotal: total } : {}) } };
  return { ...base, body: decode(bytes, contentType) };
}

/** JSON (when labelled so and it parses), else the bytes; nothing for an empty body. */
function decode(bytes: Uint8Array, contentType: string | undefined): ProxyResponse["body"] {
  if (bytes.length === 0) return { kind: "empty" };
  if (contentType && JSON_TYPE.test(contentType)) {
    try {
      return { kind: "json", value: JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8")) };
    } catch {
      // Mislabelled JSON: hand back the bytes as they are.
    }
  }
  return { kind: "bytes", value: bytes };
}
