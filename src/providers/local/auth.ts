/**
 * A connector's auth: what its stored credential must look like, how it goes onto a request, and
 * OAuth2 access tokens (client_credentials or refresh_token grant) fetched from its token_url,
 * cached encrypted in the credential store, refreshed single-flight per credential.
 */
import type { ConnectorAuth } from "../../config.js";
import type { CredentialStore } from "../../store/credentials.js";
import { ProviderError } from "../provider.js";
import { send } from "./http.js";

type Json = Record<string, unknown>;

/** The credential fields each auth type needs (all strings), and the optional ones. */
export function credentialFields(auth: ConnectorAuth): { required: string[]; optional: string[] } {
  switch (auth.type) {
    case "none":
      return { required: [], optional: [] };
    case "api_key":
      return { required: ["api_key"], optional: [] };
    case "bearer":
      return { required: ["token"], optional: [] };
    case "basic":
      return { required: ["username", "password"], optional: [] };
    case "oauth2":
      return auth.grant === "client_credentials" ? { required: ["client_id", "client_secret"], optional: [] } : { required: ["client_id", "refresh_token"], optional: ["client_secret"] };
  }
}

/** Why `value` is not a credential for `auth` (one sentence), or undefined when it is. */
export function credentialProblem(auth: ConnectorAuth, value: unknown): string | undefined {
  if (auth.type === "none") return "this connector's auth is \"none\": it needs no credential";
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "the credential must be a JSON object";
  const { required, optional } = credentialFields(auth);
  const v = value as Json;
  const missing = required.filter((f) => typeof v[f] !== "string" || !(v[f] as string).length);
  if (missing.length) return `a ${auth.type}${auth.type === "oauth2" ? ` (${auth.grant})` : ""} credential needs ${required.map((f) => `"${f}"`).join(", ")} as strings; missing or empty: ${missing.join(", ")}`;
  const unknown = Object.keys(v).filter((f) => !required.includes(f) && !optional.includes(f));
  if (unknown.length) return `unknown field(s) ${unknown.join(", ")}; a ${auth.type} credential has ${[...required, ...optional].join(", ")}`;
  const bad = optional.filter((f) => v[f] !== undefined && typeof v[f] !== "string");
  if (bad.length) return `${bad.join(", ")} must be a string`;
  return undefined;
}

/** Put the credential (or the OAuth2 access token) on the request. Caller headers of the same name lose. */
export function applyAuth(auth: ConnectorAuth, credential: Json | undefined, accessToken: string | undefined, url: URL, headers: Record<string, string>): void {
  const drop = (name: string) => {
    for (const h of Object.keys(headers)) if (h.toLowerCase() === name.toLowerCase()) delete headers[h];
  };
  switch (auth.type) {
    case "none":
      return;
    case "api_key":
      if (auth.in === "header") {
        drop(auth.name);
        headers[auth.name] = String(credential?.api_key ?? "");
      } else url.searchParams.set(auth.name, String(credential?.api_key ?? ""));
      return;
    case "bearer":
      drop("authorization");
      headers.authorization = `Bearer ${String(credential?.token ?? "")}`;
      return;
    case "basic":
      drop("authorization");
      headers.authorization = `Basic ${Buffer.from(`${String(credential?.username ?? "")}:${String(credential?.password ?? "")}`).toString("base64")}`;
      return;
    case "oauth2":
      drop("authorization");
      headers.authorization = `Bearer ${accessToken ?? ""}`;
      return;
  }
}

/** Refresh a cached token this long before it expires. */
const EXPIRY_MARGIN_MS = 30_000;

export interface TokenContext {
  connector: string;
  connectorName: string;
  auth: Extract<ConnectorAuth, { type: "oauth2" }>;
  credential: Json;
  /** Whose credential it is (undefined: the connector's default); the token is cached beside it. */
  owner?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export class OAuthTokens {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly store: CredentialStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** A usable access token: the cached one while it is valid, else a new one. */
  async token(ctx: TokenContext): Promise<string> {
    const cached = await this.store.getToken(ctx.connector, ctx.owner);
    if (cached && typeof cached.access_token === "string" && (typeof cached.expires_at !== "number" || cached.expires_at - EXPIRY_MARGIN_MS > this.now())) return cached.access_token;
    return this.refresh(ctx);
  }

  /**
   * A new access token, one request at a time per credential: callers arriving while one is being
   * fetched share it. `rejected` is a token the API just refused; if the cache already holds
   * another (someone else refreshed meanwhile), that one is used without asking again.
   */
  async refresh(ctx: TokenContext, rejected?: string): Promise<string> {
    const key = `${ctx.connector}\u0000${ctx.owner ?? ""}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = (async () => {
      const cached = await this.store.getToken(ctx.connector, ctx.owner);
      if (rejected !== undefined && cached && typeof cached.access_token === "string" && cached.access_token !== rejected) return cached.access_token;
      return this.fetchToken(ctx, typeof cached?.refresh_token === "string" ? cached.refresh_token : undefined);
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async fetchToken(ctx: TokenContext, rotatedRefreshToken: string | undefined): Promise<string> {
    const { auth, credential } = ctx;
    const operation = `get an OAuth2 access token for ${ctx.connectorName}`;
    const form = new URLSearchParams();
    form.set("grant_type", auth.grant);
    if (auth.grant === "refresh_token") form.set("refresh_token", rotatedRefreshToken ?? String(credential.refresh_token ?? ""));
    if (auth.scopes?.length) form.set("scope", auth.scopes.join(" "));
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    const clientId = String(credential.client_id ?? "");
    if (typeof credential.client_secret === "string") {
      // RFC 6749 §2.3.1: client_id and secret form-encoded, in HTTP Basic.
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(credential.client_secret)}`).toString("base64")}`;
    } else form.set("client_id", clientId);
    const res = await send({
      method: "POST",
      url: new URL(auth.token_url),
      headers,
      body: form.toString(),
      maxBodyBytes: 1_048_576,
      timeoutMs: ctx.timeoutMs,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      operation,
      target: `the token endpoint of ${ctx.connectorName}`,
    });
    const body = res.body.kind === "json" && typeof res.body.value === "object" && res.body.value !== null ? (res.body.value as Json) : undefined;
    if (res.status < 200 || res.status >= 300 || typeof body?.access_token !== "string") {
      const code = typeof body?.error === "string" ? ` (${body.error.slice(0, 60)})` : "";
      const refused = res.status === 400 || res.status === 401;
      throw new ProviderError(
        refused ? "unauthorized" : "upstream",
        refused
          ? `The token endpoint of ${ctx.connectorName} refused its OAuth2 credential${code}. An operator sets a working one with: connect-mcp credentials set ${ctx.connector}${ctx.owner ? " --user <user>" : ""}.`
          : `The token endpoint of ${ctx.connectorName} answered HTTP ${res.status} without an access token; try again later.`,
        { operation, status: res.status },
      );
    }
    const expiresIn = typeof body.expires_in === "number" ? body.expires_in : typeof body.expires_in === "string" ? Number(body.expires_in) : undefined;
    const record: Json = {
      access_token: body.access_token,
      ...(expiresIn !== undefined && Number.isFinite(expiresIn) ? { expires_at: this.now() + expiresIn * 1000 } : {}),
      // A rotated refresh token replaces the stored one for later refreshes.
      ...(typeof body.refresh_token === "string" ? { refresh_token: body.refresh_token } : rotatedRefreshToken ? { refresh_token: rotatedRefreshToken } : {}),
    };
    await this.store.putToken(ctx.connector, ctx.owner, record);
    return body.access_token;
  }
}
