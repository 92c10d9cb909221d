/**
 * Credentials for multi-user e2e tests: API keys (random keys + their config entries) and JWTs
 * signed in the test, verified by the server against a JWKS served from a loopback port here.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";

export const ISSUER = "https://issuer.connect-mcp.test";
export const AUDIENCE = "connect-mcp-tests";

export interface TestApiKey {
  key: string;
  entry: { id: string; sha256: string; user: string; policy?: Record<string, unknown> };
  header: { Authorization: string };
}

export function apiKey(id: string, user: string, policy?: Record<string, unknown>): TestApiKey {
  const key = `cmk_${randomBytes(32).toString("base64url")}`;
  const sha256 = createHash("sha256").update(key).digest("hex");
  return { key, entry: { id, sha256, user, ...(policy ? { policy } : {}) }, header: { Authorization: `Bearer ${key}` } };
}

export interface Jwks {
  url: string;
  /** Sign claims with the served key; `iss`, `aud`, `exp` (5 min) default to valid values. */
  sign(claims: JWTPayload, options?: { key?: "served" | "stranger"; expiresIn?: string | number; alg?: string }): Promise<string>;
  /** How many times the server fetched the JWKS. */
  fetches(): number;
  close(): Promise<void>;
}

export async function startJwks(): Promise<Jwks> {
  const served = await generateKeyPair("ES256");
  const stranger = await generateKeyPair("ES256"); // same kid, different key: a forged signature
  const jwk = { ...(await exportJWK(served.publicKey)), kid: "test-key-1", alg: "ES256", use: "sig" };
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.url === "/jwks.json") {
      fetches++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    async sign(claims, options = {}) {
      const key = options.key === "stranger" ? stranger.privateKey : served.privateKey;
      let jwt = new SignJWT({ iss: ISSUER, aud: AUDIENCE, ...claims }).setProtectedHeader({ alg: options.alg ?? "ES256", kid: "test-key-1" }).setIssuedAt();
      if (options.expiresIn !== undefined) jwt = jwt.setExpirationTime(options.expiresIn);
      else if (claims.exp === undefined) jwt = jwt.setExpirationTime("5m");
      return jwt.sign(key);
    },
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** HS256 token signed with a shared secret (for the CONNECT_MCP_JWT_SECRET mode and alg-confusion checks). */
export async function signHs256(secret: string, claims: JWTPayload): Promise<string> {
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, ...claims }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("5m").sign(new TextEncoder().encode(secret));
}

/** A temporary directory with a JSON config file; `cleanup` removes it. */
export function tempConfig(config: Record<string, unknown>): { dir: string; path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "connect-mcp-auth-"));
  const path = join(dir, "config.json");
  writeFileSync(path, JSON.stringify(config));
  return { dir, path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
