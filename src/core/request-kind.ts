/**
 * Is an api_proxy request a write? For REST APIs the method says it: anything but GET writes. But
 * RPC-style APIs also write over GET (`GET https://slack.com/api/chat.postMessage?text=hi` posts a
 * message), so for the RPC hosts we know, the API method named in the URL decides:
 * - Slack Web API (`slack.com/api/<method>`, also workspace subdomains and GovSlack): reads are the
 *   methods Slack names as such — `*.list*`, `*.info`, `*.history`, `*.replies`, `*.members`,
 *   `*.get*`, `*.lookup*`, `search.*` / `*.search`, `api.test`, `auth.test` and a few named ones
 *   (`users.conversations`, `users.identity`, `dnd.teamInfo`…); every other method is a write.
 * - Telegram Bot API (`api.telegram.org/bot<token>/<method>`): `get*` methods read, except
 *   `getUpdates` (its offset acknowledges updates); file downloads read; everything else writes.
 * A method-override header or `_method` query parameter asking for anything but GET is a write on
 * any host. Other GETs are reads, as before. Pure: no I/O.
 */
export type RequestKind = { write: false } | { write: true; why: string };

const READ: RequestKind = { write: false };

/** Headers some servers and gateways honour to turn a GET into another method. */
const METHOD_OVERRIDE_HEADERS = /^(x-http-method-override|x-http-method|x-method-override)$/i;

/** Slack method verbs (the last dotted segment, lowercased) that only read. */
const SLACK_READ_VERB = /^(list\w*|get\w*|lookup\w*|info|history|replies|members|search|test|conversations|identity|userinfo|teaminfo|billableinfo|accesslogs|integrationlogs)$/;
/** Named like reads, but are not: reserving an upload URL starts a file upload. */
const SLACK_WRITES_NAMED_LIKE_READS = new Set(["files.getuploadurlexternal"]);

export function classifyProxyRequest(method: string, url: string, headers: Record<string, string> = {}): RequestKind {
  const m = method.toUpperCase();
  if (m !== "GET") return { write: true, why: `${m} is a write method` };
  for (const [name, value] of Object.entries(headers)) {
    if (METHOD_OVERRIDE_HEADERS.test(name) && value.trim().toUpperCase() !== "GET") return { write: true, why: `header ${name} asks for ${value.trim().slice(0, 20)}` };
  }
  let parsed: URL;
  try {
    // A relative URL goes to a per-account domain (a REST API such as Zendesk's): no RPC host.
    parsed = new URL(url, "https://relative.invalid");
  } catch {
    return { write: true, why: "the URL cannot be read" };
  }
  const override = parsed.searchParams.get("_method");
  if (override !== null && override.trim().toUpperCase() !== "GET") return { write: true, why: `query parameter _method asks for ${override.trim().slice(0, 20)}` };
  const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
  const path = decodedPath(parsed);
  if (path === undefined) return { write: true, why: "the URL path cannot be decoded" };
  if (host === "slack.com" || host.endsWith(".slack.com") || host === "slack-gov.com" || host.endsWith(".slack-gov.com")) return slackKind(path);
  if (host === "api.telegram.org") return telegramKind(path);
  return READ;
}

/** The usual question, as a boolean. */
export function proxyRequestIsWrite(method: string, url: string, headers?: Record<string, string>): boolean {
  return classifyProxyRequest(method, url, headers).write;
}

/** The path with percent-escapes decoded and repeated slashes collapsed, as a server would route it. */
function decodedPath(url: URL): string | undefined {
  try {
    return decodeURIComponent(url.pathname).replace(/\/{2,}/g, "/");
  } catch {
    return undefined;
  }
}

function slackKind(path: string): RequestKind {
  const rpc = /^\/api\/(.*?)\/*$/i.exec(path);
  if (!rpc) return READ; // Slack's web pages, not the Web API
  const name = rpc[1]!;
  const lower = name.toLowerCase();
  const verb = lower.slice(lower.lastIndexOf(".") + 1);
  const read = !lower.includes("/") && !SLACK_WRITES_NAMED_LIKE_READS.has(lower) && (lower.startsWith("search.") || SLACK_READ_VERB.test(verb));
  return read ? READ : { write: true, why: `Slack Web API method "${name.slice(0, 80)}" is not a read (reads are *.list, *.info, *.history, *.replies, *.members, *.get…, *.lookup…, search.*)` };
}

function telegramKind(path: string): RequestKind {
  if (/^\/file\/bot[^/]+\//i.test(path)) return READ; // downloading a file
  const rpc = /^\/bot[^/]+\/([^/]*)\/*$/i.exec(path);
  if (!rpc) return READ;
  const name = rpc[1]!;
  // Telegram method names are case-insensitive.
  const lower = name.toLowerCase();
  const read = lower.startsWith("get") && lower !== "getupdates";
  return read ? READ : { write: true, why: `Telegram Bot API method "${name.slice(0, 80)}" is not a read (reads are get… methods other than getUpdates)` };
}
