/**
 * A small Swagger Petstore (OpenAPI 3) on a loopback port for the local connector tests: a few of
 * its operations (getPetById, findPetsByStatus, addPet, deletePet, getInventory; placeOrder always
 * answers 503), each under one
 * base path per auth scheme, plus an OAuth2 token endpoint (client_credentials and refresh_token
 * grants). Every request is logged with the credential it carried, so tests can check what was
 * sent, for whom, and that mock mode sent nothing.
 *
 *   /apikey/api/v3/…   header api_key: one of apiKeys
 *   /query/api/v3/…    query ?api_key=: one of apiKeys
 *   /bearer/api/v3/…   Authorization: Bearer one of bearerTokens
 *   /basic/api/v3/…    Authorization: Basic user:password of basicUsers
 *   /oauth/api/v3/…    Authorization: Bearer a token the token endpoint issued (and not expired)
 *   /open/api/v3/…     no auth
 *   POST /oauth/token  form grant_type=client_credentials | refresh_token, client auth by HTTP Basic
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  /** The credential the request carried: an api key, bearer token, basic user or OAuth token. */
  credential?: string;
}

export interface PetstoreServer {
  url: string;
  log: LoggedRequest[];
  tokenRequests: Array<{ grant: string; client: string; refreshToken?: string }>;
  /** Make every OAuth access token issued so far invalid (the API answers 401 to them). */
  expireTokens(): void;
  close(): Promise<void>;
}

export interface PetstoreOptions {
  apiKeys: string[];
  bearerTokens: string[];
  basicUsers: Record<string, string>;
  /** OAuth2 clients: client_id → client_secret. */
  clients: Record<string, string>;
  /** Refresh tokens the token endpoint accepts (each rotates to a new one when used). */
  refreshTokens: string[];
}

interface Pet {
  id: number;
  name: string;
  status: string;
  photoUrls: string[];
  category?: { id: number; name: string };
  tags?: Array<{ id: number; name: string }>;
}

export async function startPetstore(options: PetstoreOptions): Promise<PetstoreServer> {
  const pets = new Map<number, Pet>([
    [1, { id: 1, name: "Rex", status: "available", photoUrls: [], category: { id: 1, name: "Dogs" } }],
    [2, { id: 2, name: "Tom", status: "sold", photoUrls: [], category: { id: 2, name: "Cats" } }],
  ]);
  let nextId = 100;
  const log: LoggedRequest[] = [];
  const tokenRequests: PetstoreServer["tokenRequests"] = [];
  const validTokens = new Set<string>();
  const refreshTokens = new Set(options.refreshTokens);
  let issued = 0;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body === undefined ? "" : JSON.stringify(body));
  };

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  function basic(header: string | undefined): [string, string] | undefined {
    const m = /^Basic (.+)$/.exec(header ?? "");
    if (!m) return undefined;
    const text = Buffer.from(m[1]!, "base64").toString("utf8");
    const i = text.indexOf(":");
    return i < 0 ? undefined : [decodeURIComponent(text.slice(0, i)), decodeURIComponent(text.slice(i + 1))];
  }

  function token(res: ServerResponse, form: URLSearchParams, auth: string | undefined) {
    const client = basic(auth);
    const grant = form.get("grant_type") ?? "";
    tokenRequests.push({ grant, client: client?.[0] ?? form.get("client_id") ?? "", ...(form.get("refresh_token") ? { refreshToken: form.get("refresh_token")! } : {}) });
    if (!client || options.clients[client[0]] !== client[1]) return json(res, 401, { error: "invalid_client" });
    const accessToken = `at-${++issued}-${Math.random().toString(36).slice(2)}`;
    if (grant === "client_credentials") {
      validTokens.add(accessToken);
      return json(res, 200, { access_token: accessToken, token_type: "Bearer", expires_in: 3600 });
    }
    if (grant === "refresh_token") {
      const rt = form.get("refresh_token") ?? "";
      if (!refreshTokens.has(rt)) return json(res, 400, { error: "invalid_grant" });
      // Rotation: the used refresh token is spent, a new one is handed out.
      refreshTokens.delete(rt);
      const next = `rt-${issued}-${Math.random().toString(36).slice(2)}`;
      refreshTokens.add(next);
      validTokens.add(accessToken);
      return json(res, 200, { access_token: accessToken, token_type: "Bearer", expires_in: 3600, refresh_token: next });
    }
    return json(res, 400, { error: "unsupported_grant_type" });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://x");
      const text = await readBody(req);
      if (url.pathname === "/oauth/token" && req.method === "POST") return token(res, new URLSearchParams(text), req.headers.authorization);
      const m = /^\/(apikey|query|bearer|basic|oauth|open)\/api\/v3(\/.*)$/.exec(url.pathname);
      if (!m) return json(res, 404, { code: 404, message: "no such path" });
      const [, scheme, path] = m as unknown as [string, string, string];
      let credential: string | undefined;
      let ok = false;
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (scheme === "apikey") ok = options.apiKeys.includes((credential = req.headers.api_key as string | undefined) ?? "");
      else if (scheme === "query") ok = options.apiKeys.includes((credential = url.searchParams.get("api_key") ?? undefined) ?? "");
      else if (scheme === "bearer") ok = options.bearerTokens.includes((credential = bearer) ?? "");
      else if (scheme === "oauth") ok = validTokens.has((credential = bearer) ?? "");
      else if (scheme === "basic") {
        const b = basic(req.headers.authorization);
        credential = b?.[0];
        ok = b !== undefined && options.basicUsers[b[0]] === b[1];
      } else ok = true;
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const query: Record<string, string[]> = {};
      for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
      log.push({ method: req.method ?? "", path: url.pathname, query, headers: req.headers, ...(body !== undefined ? { body } : {}), ...(credential ? { credential } : {}) });
      if (!ok) return json(res, 401, { code: 401, message: "unauthorized" });

      const pet = /^\/pet\/(\d+)$/.exec(path);
      if (pet && req.method === "GET") {
        const found = pets.get(Number(pet[1]));
        return found ? json(res, 200, found) : json(res, 404, { code: 404, message: "Pet not found" });
      }
      if (pet && req.method === "DELETE") {
        return pets.delete(Number(pet[1])) ? json(res, 200, undefined) : json(res, 404, { code: 404, message: "Pet not found" });
      }
      if (path === "/pet/findByStatus" && req.method === "GET") {
        const status = url.searchParams.get("status") ?? "available";
        return json(res, 200, [...pets.values()].filter((p) => p.status === status));
      }
      if (path === "/pet" && req.method === "POST") {
        const input = body as Partial<Pet> | undefined;
        if (!input || typeof input.name !== "string" || !Array.isArray(input.photoUrls)) return json(res, 422, { code: 422, message: "Validation exception" });
        const created: Pet = { ...(input as Pet), id: input.id ?? nextId++, status: input.status ?? "available" };
        pets.set(created.id, created);
        return json(res, 200, created);
      }
      // An order store that is down: a write whose outcome the caller cannot know.
      if (path === "/store/order" && req.method === "POST") return json(res, 503, { code: 503, message: "order service unavailable" });
      if (path === "/store/inventory" && req.method === "GET") {
        const counts: Record<string, number> = {};
        for (const p of pets.values()) counts[p.status] = (counts[p.status] ?? 0) + 1;
        return json(res, 200, counts);
      }
      return json(res, 404, { code: 404, message: "not implemented by the test server" });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    tokenRequests,
    expireTokens: () => validTokens.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
