/**
 * Who is calling → which Connect end user (`external_user_id`). The only place that decides it:
 * stdio takes it from configuration; HTTP from the authenticated request. Tool arguments never do.
 * Multi-user authentication (API keys, JWTs) plugs in at `authenticateHttp` / `identityFromAuth`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Config } from "../config.js";
import { ToolError } from "./errors.js";

export interface Identity {
  /** The Connect end user, or undefined when none is configured (every call then says how to set one). */
  externalUserId?: string;
  /** How the caller was identified, for logs and audit. */
  via: "stdio-config" | "http-token" | "http-loopback";
}

/** What the HTTP layer attaches to a request once authenticated (shape of the MCP SDK's AuthInfo). */
export interface AuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt?: number;
  extra?: Record<string, unknown>;
}

export type HttpAuthOutcome = { ok: true; authInfo: AuthInfo } | { ok: false; reason: string };

export function stdioIdentity(config: Config): Identity {
  return { externalUserId: config.externalUserId, via: "stdio-config" };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * Check an HTTP request's Authorization header. With CONNECT_MCP_HTTP_TOKEN set, a matching bearer
 * token is required (compared in constant time); without it (loopback binds only) every request is
 * the single configured end user.
 */
export function authenticateHttp(config: Config, authorization: string | undefined): HttpAuthOutcome {
  const tenYears = Math.floor(Date.now() / 1000) + 10 * 365 * 24 * 3600;
  if (!config.httpToken) {
    return { ok: true, authInfo: { token: "", clientId: "loopback", scopes: [], expiresAt: tenYears, extra: { via: "http-loopback" } } };
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) return { ok: false, reason: "Missing Authorization: Bearer token" };
  if (!timingSafeEqual(digest(match[1]!), digest(config.httpToken))) return { ok: false, reason: "Invalid bearer token" };
  // The token itself is never carried past this point.
  return { ok: true, authInfo: { token: "", clientId: "static-token", scopes: [], expiresAt: tenYears, extra: { via: "http-token" } } };
}

export function identityFromAuth(config: Config, authInfo: AuthInfo | undefined): Identity {
  const via = authInfo?.extra?.via === "http-token" ? "http-token" : "http-loopback";
  return { externalUserId: config.externalUserId, via };
}

/** The end user for a tool call, or a ToolError telling the operator how to configure one. */
export function requireEndUser(identity: Identity): string {
  if (identity.externalUserId) return identity.externalUserId;
  throw new ToolError(
    "No end user is configured, so there are no accounts to act for. Set PIPEDREAM_EXTERNAL_USER_ID (or --external-user-id) to the Connect external user id and restart the server.",
  );
}
