/**
 * Streamable HTTP on one endpoint, `/mcp`, for both protocol eras:
 * - 2026-07-28 (modern): stateless, one server instance per request (`createMcpHandler`);
 * - 2025-era (legacy): `initialize` opens a session (Mcp-Session-Id) served by its own transport;
 *   session-less legacy POSTs get the SDK's stateless legacy fallback.
 * Cross-call state never lives in a session; sessions only exist because legacy clients expect them.
 *
 * In front of both: Host/Origin checks (DNS rebinding), a body-size limit, and authentication →
 * identity (core/identity.ts). `GET /healthz` answers without authentication.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { toNodeHandler } from "@modelcontextprotocol/node";
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  isInitializeRequest,
  isLegacyRequest,
  legacyStatelessFallback,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo as SdkAuthInfo,
  type McpHandlerRequestOptions,
} from "@modelcontextprotocol/server";
import { ConfigError, isLoopbackHost } from "../config.js";
import { authenticateHttp, identityFromAuth, type AuthInfo } from "../core/identity.js";
import { buildServer, type ServerDeps } from "../server.js";
import { VERSION } from "../version.js";

const MCP_PATH = "/mcp";
/** Legacy sessions idle longer than this are closed; their state was never authoritative anyway. */
const SESSION_IDLE_MS = 30 * 60_000;
const MAX_SESSIONS = 1000;
const DRAIN_MS = 10_000;

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

export async function startHttpServer(deps: ServerDeps): Promise<RunningHttpServer> {
  const { config, logger } = deps;
  if (!isLoopbackHost(config.host) && !config.httpToken) {
    throw new ConfigError(
      `refusing to listen on ${config.host} without authentication: set CONNECT_MCP_HTTP_TOKEN (a random secret of 16+ characters), or bind 127.0.0.1.`,
    );
  }
  const maxRequestBodySize = config.maxBodyBytes;
  const factory = (c: { authInfo?: SdkAuthInfo }) => buildServer(deps, identityFromAuth(config, c.authInfo as AuthInfo | undefined));
  const modern = createMcpHandler(factory, {
    legacy: "reject",
    maxRequestBodySize,
    onerror: (err) => logger.debug({ err: err.message }, "mcp handler"),
  });
  const statelessLegacy = legacyStatelessFallback(factory, (err) => logger.debug({ err: err.message }, "legacy handler"), { maxRequestBodySize });
  const sessions = new Map<string, LegacySession>();

  // Host names accepted: loopback names on a loopback bind, plus configured ones. On a public bind
  // with none configured, the bearer token (required there) is what protects against rebinding.
  const allowedHosts = [...(isLoopbackHost(config.host) ? localhostAllowedHostnames() : []), ...config.allowedHosts];
  const allowedOrigins = [...localhostAllowedOrigins(), ...config.allowedOrigins];

  async function legacy(request: Request, options: McpHandlerRequestOptions, clientId: string): Promise<Response> {
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session || session.clientId !== clientId) return rpcError(404, -32001, "Session not found; start a new one with initialize");
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
    if (sessions.size >= MAX_SESSIONS) return rpcError(503, -32000, "Too many open sessions; try again later");
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, clientId, lastSeen: Date.now() });
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
    const path = (req.url ?? "/").split("?")[0];
    res.on("finish", () => logger.debug({ method: req.method, path, status: res.statusCode, ms: Date.now() - started }, "http"));
    const send = async (response: Response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    };
    const probe = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
      method: "GET",
      headers: Object.entries(req.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(", ") : v] as [string, string]])),
    });
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      return send(jsonResponse(200, { ok: true, name: "connect-mcp", version: VERSION }));
    }
    if (path !== MCP_PATH) return send(jsonResponse(404, { error: `not found; the MCP endpoint is ${MCP_PATH}` }));
    const rejected =
      (allowedHosts.length ? hostHeaderValidationResponse(probe, allowedHosts) : undefined) ?? originValidationResponse(probe, allowedOrigins);
    if (rejected) {
      logger.info({ host: req.headers.host, origin: req.headers.origin }, "refused request: Host/Origin not allowed");
      return send(rejected);
    }
    const auth = authenticateHttp(config, req.headers.authorization);
    if (!auth.ok) {
      return send(
        jsonResponse(
          401,
          { jsonrpc: "2.0", error: { code: -32001, message: `Unauthorized: ${auth.reason}` }, id: null },
          { "www-authenticate": `Bearer realm="connect-mcp", error="invalid_token", error_description="${auth.reason}"` },
        ),
      );
    }
    (req as IncomingMessage & { auth?: SdkAuthInfo }).auth = auth.authInfo as SdkAuthInfo;
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

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${port}${MCP_PATH}`;
  logger.info({ url, auth: config.httpToken ? "bearer token" : "none (loopback only)" }, "connect-mcp listening");

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
