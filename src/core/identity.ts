/**
 * Who is calling → which Connect end user (`external_user_id`). The only place that decides it:
 * stdio takes it from configuration; HTTP from the authenticated request. Tool arguments never do.
 *
 * HTTP credentials, tried in this order on `Authorization: Bearer <credential>`:
 * - an API key: its SHA-256 is looked up among `apiKeys` (only hashes are configured); the key's
 *   `user` is the end user and its optional `policy` applies;
 * - a JWT (when CONNECT_MCP_JWT_JWKS_URL or CONNECT_MCP_JWT_SECRET is set), verified with `jose`:
 *   signature, `iss`, `aud` and `exp` are checked; the end user is the configured claim (`sub`);
 * - the static CONNECT_MCP_HTTP_TOKEN: the end user is PIPEDREAM_EXTERNAL_USER_ID (single user).
 * With none of these configured (loopback binds only), every request is that single user.
 * Failures are OAuthErrors the transport turns into `401` + `WWW-Authenticate`; their texts say
 * what was wrong with the credential, never anything about any user.
 */
import * as crypto from "node:crypto";
import { OAuthError, OAuthErrorCode } from "@modelcontextprotocol/server";
import { httpAuthConfigured, type ApiKeyEntry, type Config, type PolicyOverrides } from "../config.js";
import { ToolError } from "./errors.js";

export type Credential = "stdio-config" | "http-token" | "http-loopback" | "api-key" | "jwt";

export interface Identity {
  /** The Connect end user, or undefined when none is configured (every call then says how to set one). */
  externalUserId?: string;
  /** How the caller was identified, for logs and audit. */
  via: Credential;
  /** The API key's id (never the key), when `via` is "api-key". */
  keyId?: string;
  /** The API key's own policy fields, replacing the deployment's. */
  policy?: PolicyOverrides;
}

/** What the HTTP layer attaches to a request once authenticated (shape of the MCP SDK's AuthInfo). */
export interface AuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt?: number;
  extra?: Record<string, unknown>;
}

/** What identity needs from an authenticated request; carried in AuthInfo.extra. */
interface AuthExtra {
  via: Credential;
  user?: string;
  keyId?: string;
  policy?: PolicyOverrides;
}

export function stdioIdentity(config: Config): Identity {
  return { externalUserId: config.externalUserId, via: "stdio-config" };
}

/**
 * Once per HTTP request: crypto.hash costs ~2.5–3.4 µs here where createHash costs ~4.3–6.6 (hex
 * included). It came in Node 20.12, so it is looked up on the namespace (a named import of it
 * would not link on an older Node 20).
 */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, outputEncoding: "buffer") => Buffer }).hash;
const sha256: (value: string) => Buffer = oneShotHash ? (value) => oneShotHash("sha256", value, "buffer") : (value) => crypto.createHash("sha256").update(value).digest();

/** How an audit row and the logs name the credential: `api-key:<id>`, `jwt`, `http-token`… */
export function credentialLabel(identity: Identity): string {
  return identity.via === "api-key" ? `api-key:${identity.keyId}` : identity.via;
}

const FAR_FUTURE = () => Math.floor(Date.now() / 1000) + 10 * 365 * 24 * 3600;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const ASYMMETRIC_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];
const HMAC_ALGS = ["HS256", "HS384", "HS512"];

function invalid(message: string): OAuthError {
  return new OAuthError(OAuthErrorCode.InvalidToken, message);
}

function authInfo(clientId: string, extra: AuthExtra, expiresAt: number, scopes: string[] = []): AuthInfo {
  // The credential itself is never carried past this point (token: "").
  return { token: "", clientId, scopes, expiresAt, extra: { ...extra } };
}

export interface TokenVerifier {
  /** Whether HTTP requests must carry a credential at all. */
  required: boolean;
  /** AuthInfo for a bearer credential, or an OAuthError (invalid_token / server_error). */
  verifyAccessToken(token: string): Promise<AuthInfo>;
  /** AuthInfo for requests when no authentication is configured (loopback only). */
  anonymous(): AuthInfo;
}

type JwtCheck = (token: string) => Promise<{ payload: Record<string, unknown> }>;

export function createTokenVerifier(config: Config, onJwksError?: (message: string) => void): TokenVerifier {
  const keysByHash = new Map<string, ApiKeyEntry>(config.apiKeys.map((k) => [k.sha256, k]));
  const staticToken = config.httpToken ? sha256(config.httpToken) : undefined;
  let jwt: Promise<JwtCheck> | undefined;
  const jwtCheck = (): Promise<JwtCheck> =>
    // jose is loaded only when JWTs are configured and the first one arrives.
    (jwt ??= import("jose").then((jose) => {
      const options = { issuer: config.jwtIssuer!, audience: config.jwtAudience!, requiredClaims: ["exp"], clockTolerance: 30 };
      if (config.jwtJwksUrl) {
        const keys = jose.createRemoteJWKSet(new URL(config.jwtJwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
        return (token: string) => jose.jwtVerify(token, keys, { ...options, algorithms: ASYMMETRIC_ALGS });
      }
      const secret = new TextEncoder().encode(config.jwtSecret!);
      return (token: string) => jose.jwtVerify(token, secret, { ...options, algorithms: HMAC_ALGS });
    }));
  const jwtEnabled = Boolean(config.jwtJwksUrl || config.jwtSecret);

  async function verifyJwt(token: string): Promise<AuthInfo> {
    let payload: Record<string, unknown>;
    try {
      payload = (await (await jwtCheck())(token)).payload;
    } catch (err) {
      throw jwtFailure(err, onJwksError);
    }
    const user = payload[config.jwtUserClaim];
    if (typeof user !== "string" || user.length === 0 || user.length > 250) {
      throw invalid(`Token has no usable "${config.jwtUserClaim}" claim (the end user id: a string of 1-250 characters)`);
    }
    const scopes = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : [];
    return authInfo(`jwt:${user}`, { via: "jwt", user }, Number(payload.exp), scopes);
  }

  return {
    required: httpAuthConfigured(config),
    async verifyAccessToken(token) {
      const key = keysByHash.get(sha256(token).toString("hex"));
      if (key) return authInfo(`api-key:${key.id}`, { via: "api-key", user: key.user, keyId: key.id, ...(key.policy ? { policy: key.policy } : {}) }, FAR_FUTURE());
      if (jwtEnabled && JWT_SHAPE.test(token)) return verifyJwt(token);
      if (staticToken && crypto.timingSafeEqual(sha256(token), staticToken)) return authInfo("static-token", { via: "http-token" }, FAR_FUTURE());
      throw invalid(jwtEnabled ? "Unknown API key, token or JWT" : "Unknown API key or token");
    },
    anonymous() {
      return authInfo("loopback", { via: "http-loopback" }, FAR_FUTURE());
    },
  };
}

/** jose's failure → a short, user-neutral reason. */
function jwtFailure(err: unknown, onJwksError?: (message: string) => void): OAuthError {
  const e = err as { code?: string; claim?: string; message?: string };
  switch (e.code) {
    case "ERR_JWT_EXPIRED":
      return invalid("Token has expired");
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (e.claim === "aud") return invalid("Token audience is not accepted here");
      if (e.claim === "iss") return invalid("Token issuer is not accepted here");
      if (e.claim === "exp") return invalid("Token has no expiry (exp)");
      if (e.claim === "nbf") return invalid("Token is not valid yet (nbf)");
      return invalid(`Token claim "${String(e.claim).slice(0, 40)}" is not valid`);
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return invalid("Token signature is not valid");
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return invalid("Token is not signed by a known key");
    case "ERR_JOSE_ALG_NOT_ALLOWED":
    case "ERR_JOSE_NOT_SUPPORTED":
      return invalid("Token algorithm is not accepted");
    case "ERR_JWKS_TIMEOUT":
    case "ERR_JWKS_INVALID":
      onJwksError?.(e.code);
      return new OAuthError(OAuthErrorCode.ServerError, "Could not fetch the token signing keys; try again shortly");
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
    case "ERR_JWT_CLAIM_INVALID":
      return invalid("Token is malformed");
    default:
      // Network failures fetching the JWKS surface as plain errors.
      onJwksError?.(e.message ?? String(err));
      return new OAuthError(OAuthErrorCode.ServerError, "Could not verify the token right now; try again shortly");
  }
}

export function identityFromAuth(config: Config, authInfo: AuthInfo | undefined): Identity {
  const extra = (authInfo?.extra ?? {}) as Partial<AuthExtra>;
  switch (extra.via) {
    case "api-key":
      return { externalUserId: extra.user, via: "api-key", keyId: extra.keyId, ...(extra.policy ? { policy: extra.policy } : {}) };
    case "jwt":
      return { externalUserId: extra.user, via: "jwt" };
    case "http-token":
      return { externalUserId: config.externalUserId, via: "http-token" };
    case "http-loopback":
      // Only ever minted when no authentication is configured; fail closed otherwise.
      return { externalUserId: httpAuthConfigured(config) ? undefined : config.externalUserId, via: "http-loopback" };
    default:
      return { externalUserId: undefined, via: "http-loopback" };
  }
}

/** The end user for a tool call, or a ToolError telling the operator how to configure one. */
export function requireEndUser(identity: Identity): string {
  if (identity.externalUserId) return identity.externalUserId;
  throw new ToolError(
    "No end user is configured, so there are no accounts to act for. Set CONNECT_MCP_EXTERNAL_USER_ID or PIPEDREAM_EXTERNAL_USER_ID (or --external-user-id) to the end user's id and restart the server.",
  );
}
