/**
 * Streamable HTTP on one endpoint, `/mcp`, for both protocol eras:
 * - 2026-07-28 (modern): stateless, one server instance per request (`createMcpHandler`);
 * - 2025-era (legacy): `initialize` opens a session (Mcp-Session-Id) served by its own transport;
 *   session-less legacy POSTs get the SDK's stateless legacy fallback.
 * Cross-call state never lives in a session; sessions only exist because legacy clients expect them,
 * and a session can only be used by the credential principal that opened it.
 *
 * In front of both: CORS (configured browser origins), Host/Origin checks (DNS rebinding), a
 * body-size limit, and authentication → identity (core/identity.ts): failures answer 401 with a
 * `WWW-Authenticate: Bearer` challenge (pointing at the OAuth protected-resource metadata when JWTs
 * are configured). `GET /healthz` (alive) and `GET /readyz` (Connect and the database reachable) need no credential;
 * /readyz gives its reason only to a caller who could use /mcp. Every request gets an id
 * (`x-request-id`, echoed back) and one structured log line.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { isIPv6, type AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { toNodeHandler } from "@modelcontextprotocol/node";
import {
  type AuthInfo as SdkAuthInfo,
  bearerAuthChallengeResponse,
  buildOAuthProtectedResourceMetadata,
  createMcpHandler,
  getOAuthProtectedResourceMetadataUrl,
  isInitializeRequest,
  isLegacyRequest,
  legacyStatelessFallback,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  type McpHandlerRequestOptions,
  type OAuthMetadata,
  type OAuthProtectedResourceMetadata,
  validateHostHeader,
  validateOriginHeader,
  verifyBearerToken,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { ConfigError, isLoopbackHost, unauthenticatedExposure, type Config } from "../config.js";
import { describeFailure } from "../core/errors.js";
import { createTokenVerifier, credentialLabel, identityFromAuth, type AuthInfo } from "../core/identity.js";
import { saneRequestId } from "../core/request-id.js";
import { buildServer, type ServerDeps } from "../server.js";
import { VERSION } from "../version.js";

const MCP_PATH = "/mcp";
/** Legacy sessions idle longer than this are closed; their state was never authoritative anyway. */
const SESSION_IDLE_MS = 30 * 60_000;
const MAX_SESSIONS = 1000;
/**
 * Legacy sessions one credential (API key, JWT user, static token) may hold. A new one beyond it
 * closes that credential's least recently used session rather than failing: clients that restart
 * without closing their session (most do) heal themselves, and one credential can never take more
 * than this share of MAX_SESSIONS.
 */
const MAX_SESSIONS_PER_PRINCIPAL = 20;
const DRAIN_MS = 10_000;
/** A /readyz answer is reused this long, so probes cannot hammer Connect's token endpoint. */
const READY_CACHE_MS = 10_000;
const PRM_PATH = "/.well-known/oauth-protected-resource";
/** Headers a browser MCP client sends (and must be allowed to), and the ones it must be able to read. */
const CORS_ALLOW_HEADERS =
  "Authorization, Content-Type, Accept, Mcp-Method, Mcp-Name, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID, X-Conversation-Id, X-Request-Id";
const CORS_EXPOSE_HEADERS = "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate, X-Request-Id";

export interface RunningHttpServer {
  url: string;
  close(): Promise<void>;
}

interface LegacySession {
  transport: WebStandardStreamableHTTPServerTransport;
  /** Who opened the session; another caller may not use it. */
  clientId: string;
  lastSeen: number;
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function rpcError(status: number, code: number, message: string): Response {
  return jsonResponse(status, { jsonrpc: "2.0", error: { code, message }, id: null });
}

/** A host name as the SDK's Host check compares it: lower case, IPv6 in brackets, IPv4 normalised. */
function hostName(name: string): string {
  const bare = name.replace(/^\[|\]$/g, "");
  try {
    return new URL(`http://${isIPv6(bare) ? `[${bare}]` : bare}`).hostname;
  } catch {
    return name.toLowerCase();
  }
}

/**
 * Host names accepted (DNS-rebinding protection), on every bind: the bind address itself — on a
 * wildcard bind (0.0.0.0, ::) the machine's own addresses — plus loopback names on a loopback bind,
 * plus --allowed-hosts. Never "any Host": a name a browser was tricked into resolving here is refused.
 */
function acceptedHostNames(config: Config): string[] {
  const names = new Set<string>(config.allowedHosts.map(hostName));
  const bind = config.host.replace(/^\[|\]$/g, "");
  if (isLoopbackHost(bind)) for (const n of localhostAllowedHostnames()) names.add(n);
  if (bind === "0.0.0.0" || bind === "::") {
    for (const addrs of Object.values(networkInterfaces())) {
      for (const a of addrs ?? []) if (bind === "::" || a.family === "IPv4") names.add(hostName(a.address));
    }
  } else {
    names.add(hostName(bind));
  }
  return [...names];
}

/** The authorization servers to advertise: configured ones, else the JWT issuer when it is a URL. */
function authorizationServers(config: Config): string[] {
  if (!config.jwtJwksUrl && !config.jwtSecret) return [];
  if (config.authorizationServers.length) return config.authorizationServers;
  return config.jwtIssuer && /^https?:\/\//.test(config.jwtIssuer) ? [config.jwtIssuer] : [];
}

/** RFC 9728 metadata for `resource`, built (and each issuer URL checked) by the MCP SDK. */
function protectedResourceMetadata(servers: string[], resource: URL): OAuthProtectedResourceMetadata {
  const docs = servers.map((issuer) => {
    try {
      return buildOAuthProtectedResourceMetadata({ oauthMetadata: { issuer } as OAuthMetadata, resourceServerUrl: resource, resourceName: "connect-mcp" });
    } catch (err) {
      throw new ConfigError(`authorization server ${issuer} cannot be advertised: ${(err as Error).message} (CONNECT_MCP_AUTHORIZATION_SERVERS / CONNECT_MCP_JWT_ISSUER)`);
    }
  });
  return { ...docs[0]!, authorization_servers: servers, bearer_methods_supported: ["header"] };
}

export async function startHttpServer(deps: ServerDeps): Promise<RunningHttpServer> {
  const { config, logger, controls } = deps;
  const exposed = unauthenticatedExposure(config);
  if (exposed) {
    throw new ConfigError(
      `${exposed.refusal}: set CONNECT_MCP_HTTP_TOKEN (a random secret of 16+ characters), configure apiKeys or CONNECT_MCP_JWT_*, or ${exposed.undo}.`,
    );
  }
  const verifier = createTokenVerifier(config, (reason) => logger.warn({ reason }, "could not fetch the JWT signing keys (CONNECT_MCP_JWT_JWKS_URL)"));
  const sdkVerifier = { verifyAccessToken: (token: string) => verifier.verifyAccessToken(token) as Promise<SdkAuthInfo> };
  const asServers = authorizationServers(config);
  if (asServers.length) protectedResourceMetadata(asServers, new URL(config.publicUrl ?? "http://127.0.0.1/mcp")); // fail fast on a bad issuer
  let prm: OAuthProtectedResourceMetadata | undefined;
  let resourceMetadataUrl: string | undefined;
  const maxRequestBodySize = config.maxBodyBytes;
  const factory = (c: { authInfo?: SdkAuthInfo }) => buildServer(deps, identityFromAuth(config, c.authInfo as AuthInfo | undefined));
  const modern = createMcpHandler(factory, {
    legacy: "reject",
    maxRequestBodySize,
    onerror: (err) => logger.debug({ err: err.message }, "mcp handler"),
  });
  const statelessLegacy = legacyStatelessFallback(factory, (err) => logger.debug({ err: err.message }, "legacy handler"), { maxRequestBodySize });
  const sessions = new Map<string, LegacySession>();

  const allowedHosts = acceptedHostNames(config);
  const corsAny = config.corsOrigins.includes("*");
  const corsOrigins = new Set(config.corsOrigins.filter((o) => o !== "*").map((o) => new URL(o).origin));
  const allowedOrigins = [...localhostAllowedOrigins(), ...config.allowedOrigins, ...[...corsOrigins].map((o) => new URL(o).hostname)];

  let ready: { at: number; body: { ready: boolean; reason?: string } } | undefined;
  let readyInflight: Promise<{ ready: boolean; reason?: string }> | undefined;
  let lastNotReady: string | undefined;
  /** The reason names credentials and Connect's answer: only for callers who could use /mcp (the log always has it). */
  async function readiness(showReason: boolean): Promise<Response> {
    const services = deps.services;
    let body: { ready: boolean; reason?: string };
    const database = await deps.controls.checkDatabase();
    if (!services.ok) body = { ready: false, reason: services.reason };
    else {
      if (!ready || Date.now() - ready.at > READY_CACHE_MS) {
        readyInflight ??= services.services.provider
          .checkCredentials()
          .then(() => ({ ready: true }), (err: unknown) => ({ ready: false, reason: describeFailure(err).message }))
          .finally(() => (readyInflight = undefined));
        ready = { at: Date.now(), body: await readyInflight };
      }
      body = ready.body;
    }
    const connect = { ok: body.ready };
    // The store is state every replica shares: without it no call can be served.
    if (!database.ok) body = { ready: false, reason: [body.reason, database.reason].filter(Boolean).join("; ") };
    if (body.reason !== lastNotReady) {
      if (body.reason) logger.warn({ reason: body.reason }, "not ready (/readyz)");
      lastNotReady = body.reason;
    }
    return jsonResponse(body.ready ? 200 : 503, showReason ? { ...body, checks: { connect, database } } : { ready: body.ready });
  }

  async function legacy(request: Request, options: McpHandlerRequestOptions, clientId: string): Promise<Response> {
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session || session.clientId !== clientId) {
        // Legacy sessions live in the process that opened them; behind a load balancer without sticky routing the
        // request may have reached another replica. The spec's answer is 404: the client starts a new session.
        return rpcError(
          404,
          -32001,
          "Session not found: this Mcp-Session-Id is not held by this server (it expired, the server restarted, or it belongs to another replica). Re-initialize: send initialize without the Mcp-Session-Id header to start a new session. Replicas behind a load balancer need sticky routing on the Mcp-Session-Id header for 2025-era sessions; 2026-07-28 clients need none.",
        );
      }
      session.lastSeen = Date.now();
      return session.transport.handleRequest(request, options);
    }
    if (request.method !== "POST") return rpcError(400, -32000, "Mcp-Session-Id header required");
    let body: unknown;
    try {
      body = await request.clone().json();
    } catch {
      return statelessLegacy(request, options); // the fallback answers malformed JSON properly
    }
    if (!isInitializeRequest(body)) return statelessLegacy(request, { ...options, parsedBody: body });
    // A credential at its own cap replaces one of its sessions, so only the others count against the global cap.
    const full = sessions.size >= MAX_SESSIONS && [...sessions.values()].filter((s) => s.clientId === clientId).length < MAX_SESSIONS_PER_PRINCIPAL;
    if (full) return rpcError(503, -32000, "Too many open sessions on this server; try again later, or use a client that speaks the 2026-07-28 protocol (no sessions)");
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, clientId, lastSeen: Date.now() });
        closeOldestBeyondCap(clientId);
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
      maxRequestBodySize,
    });
    const server = buildServer(deps, identityFromAuth(config, options.authInfo as AuthInfo | undefined));
    await server.connect(transport);
    return transport.handleRequest(request, { ...options, parsedBody: body });
  }

  /** One credential's sessions beyond MAX_SESSIONS_PER_PRINCIPAL: close its least recently used. */
  function closeOldestBeyondCap(clientId: string): void {
    const own = [...sessions].filter(([, s]) => s.clientId === clientId).sort(([, a], [, b]) => a.lastSeen - b.lastSeen);
    for (const [id, s] of own.slice(0, Math.max(0, own.length - MAX_SESSIONS_PER_PRINCIPAL))) {
      sessions.delete(id);
      void s.transport.close().catch(() => undefined);
      logger.info({ credential: clientId, open: MAX_SESSIONS_PER_PRINCIPAL }, "closed the least recently used legacy session of this credential (per-credential cap)");
    }
  }

  const mcp = toNodeHandler(
    {
      async fetch(request: Request, options: McpHandlerRequestOptions = {}): Promise<Response> {
        const clientId = options.authInfo?.clientId ?? "anonymous";
        if (await isLegacyRequest(request, undefined, { maxRequestBodySize })) return legacy(request, options, clientId);
        return modern.fetch(request, options);
      },
    },
    { maxRequestBodySize, onerror: (err) => logger.warn({ err: err.message }, "http adapter error") },
  );

  /** The SDK's DNS-rebinding checks, on the Node request's headers (no web Request built per request for them). */
  const hostOrOriginRejected = (req: IncomingMessage): Response | undefined => {
    const host = validateHostHeader(req.headers.host, allowedHosts);
    if (!host.ok) return rpcError(403, -32000, host.message);
    const origin = corsAny ? undefined : validateOriginHeader(req.headers.origin, allowedOrigins);
    return origin && !origin.ok ? rpcError(403, -32000, origin.message) : undefined;
  };

  /** Whether this request passes the checks in front of /mcp: Host/Origin and, when configured, a valid credential. */
  async function mayUseMcp(req: IncomingMessage, authorization: string | undefined): Promise<boolean> {
    if (hostOrOriginRejected(req)) return false;
    if (!verifier.required) return true;
    try {
      await verifyBearerToken(authorization, { verifier: sdkVerifier, resourceMetadataUrl });
      return true;
    } catch {
      return false;
    }
  }

  const reaper = setInterval(() => {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const [id, s] of sessions) {
      if (s.lastSeen < cutoff) {
        sessions.delete(id);
        void s.transport.close();
      }
    }
  }, 60_000);
  reaper.unref();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    // Only a sane client id reaches logs and audit rows; tool calls read it back from the request.
    const requestId = saneRequestId(req.headers["x-request-id"]) ?? randomUUID();
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    const who: { user?: string; credential?: string } = {};
    if (logger.isLevelEnabled("info")) {
      res.on("finish", () =>
        logger.info({ req_id: requestId, method: req.method, path, status: res.statusCode, ms: Date.now() - started, ...who }, "http request"),
      );
    }
    const send = async (response: Response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    };
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      return send(jsonResponse(200, { ok: true, name: "connect-mcp", version: VERSION }));
    }
    if (path === "/readyz" && (req.method === "GET" || req.method === "HEAD")) return send(await readiness(await mayUseMcp(req, req.headers.authorization)));
    if (prm && (path === PRM_PATH || path.startsWith(`${PRM_PATH}/`))) {
      if (req.method === "OPTIONS") return send(new Response(null, { status: 204, headers: { "access-control-allow-origin": "*", "access-control-allow-methods": "GET, HEAD, OPTIONS" } }));
      if (req.method !== "GET" && req.method !== "HEAD") return send(jsonResponse(405, { error: "method not allowed" }, { allow: "GET, HEAD, OPTIONS" }));
      return send(jsonResponse(200, prm, { "access-control-allow-origin": "*" }));
    }
    if (path !== MCP_PATH) return send(jsonResponse(404, { error: `not found; the MCP endpoint is ${MCP_PATH}` }));

    // CORS for configured browser origins: preflights answer here, before authentication.
    const origin = req.headers.origin;
    const corsOk = origin !== undefined && (corsAny || corsOrigins.has(origin));
    if (corsOk) {
      res.setHeader("access-control-allow-origin", corsAny ? "*" : origin);
      res.setHeader("access-control-expose-headers", CORS_EXPOSE_HEADERS);
      res.setHeader("vary", "Origin");
    }
    if (req.method === "OPTIONS") {
      if (!corsOk) return send(jsonResponse(403, { error: "CORS: this origin is not allowed (CONNECT_MCP_CORS_ORIGINS)" }));
      return send(
        new Response(null, {
          status: 204,
          headers: { "access-control-allow-methods": "GET, POST, DELETE, OPTIONS", "access-control-allow-headers": CORS_ALLOW_HEADERS, "access-control-max-age": "600" },
        }),
      );
    }
    const rejected = hostOrOriginRejected(req);
    if (rejected) {
      logger.info({ req_id: requestId, host: req.headers.host, origin: req.headers.origin }, "refused request: Host/Origin not allowed");
      return send(rejected);
    }
    let authInfo: AuthInfo;
    if (verifier.required) {
      try {
        authInfo = await verifyBearerToken(req.headers.authorization, { verifier: sdkVerifier, resourceMetadataUrl });
      } catch (err) {
        return send(bearerAuthChallengeResponse(err, { resourceMetadataUrl }));
      }
    } else {
      authInfo = verifier.anonymous();
    }
    const identity = identityFromAuth(config, authInfo);
    who.user = controls.userHash(identity.externalUserId);
    who.credential = credentialLabel(identity);
    (req as IncomingMessage & { auth?: SdkAuthInfo }).auth = authInfo as SdkAuthInfo;
    await mcp(req as IncomingMessage & { auth?: SdkAuthInfo }, res);
  };

  const server: HttpServer = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, "http request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "internal error" }));
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // tool calls may legitimately run long (SSE); upstream timeouts bound them
  server.maxHeadersCount = 100;
  if (config.maxConnections > 0) server.maxConnections = config.maxConnections;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${port}${MCP_PATH}`;
  if (asServers.length) {
    const resource = new URL(config.publicUrl ?? url);
    prm = protectedResourceMetadata(asServers, resource);
    resourceMetadataUrl = getOAuthProtectedResourceMetadataUrl(resource);
  }
  const auth = [config.httpToken && "static token", config.apiKeys.length && `${config.apiKeys.length} API key(s)`, (config.jwtJwksUrl || config.jwtSecret) && "JWT"].filter(Boolean);
  logger.info({ url, auth: auth.length ? auth.join(", ") : "none (loopback only)", hosts: allowedHosts }, "connect-mcp listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        clearInterval(reaper);
        // Stop accepting, let in-flight requests finish (bounded), then drop what is left.
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.all([...sessions.values()].map((s) => s.transport.close().catch(() => undefined)));
        sessions.clear();
        const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
        await drained;
        clearTimeout(timer);
        await modern.close();
      })();
      return closing;
    },
  };
}
