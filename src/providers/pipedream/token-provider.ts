/**
 * Access-token cache for Connect's client-credentials flow, replacing the SDK's own provider, which
 * fetches tokens without single-flight and never refreshes on 401 (see reference §3).
 * - concurrent callers share one in-flight token request;
 * - `invalidate(token)` drops a token Connect rejected, once, however many callers saw the 401;
 * - forced refreshes are rate-limited (see `invalidate`), so a flood of 401s cannot hammer the
 *   token endpoint;
 * - a failed fetch is never cached.
 */
export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
}

/** Default spacing of forced refreshes of tokens Connect never accepted. */
export const MIN_FORCED_REFRESH_INTERVAL_MS = 30_000;

export class SingleFlightTokenProvider {
  private current?: { token: string; refreshAt: number; accepted: boolean };
  private inflight?: Promise<string>;
  private lastForcedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number = Date.now,
    private readonly minForcedRefreshIntervalMs = MIN_FORCED_REFRESH_INTERVAL_MS,
  ) {}

  async getToken(): Promise<string> {
    if (this.current && this.now() < this.current.refreshAt) return this.current.token;
    this.inflight ??= this.fetchToken()
      .then(({ accessToken, expiresInSeconds }) => {
        const lifetimeMs = Math.max(0, expiresInSeconds) * 1000;
        // Refresh 2 minutes early, or at half-life for short-lived tokens.
        const marginMs = lifetimeMs > 240_000 ? 120_000 : lifetimeMs / 2;
        this.current = { token: accessToken, refreshAt: this.now() + lifetimeMs - marginMs, accepted: false };
        return accessToken;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  /** Connect answered a request made with `token` without rejecting it. */
  accepted(token: string): void {
    if (this.current?.token === token) this.current.accepted = true;
  }

  /**
   * Connect rejected `token` (HTTP 401 from Connect itself). Drops it, so the next getToken fetches
   * a new one, and returns true: the caller may try again. A token that worked before and is now
   * rejected was revoked, and is replaced at once. A token Connect never accepted being rejected
   * means a fresh token did not help (bad credentials, wrong project or environment): then at most
   * one forced refresh per `minForcedRefreshIntervalMs` happens, and otherwise the token is kept and
   * false returned — the caller reports the 401 instead of fetching yet another token.
   */
  invalidate(token: string): boolean {
    const current = this.current;
    // Already replaced by another caller (or a newer token is in use): trying again is cheap.
    if (current?.token !== token) return true;
    const now = this.now();
    if (!current.accepted && now - this.lastForcedAt < this.minForcedRefreshIntervalMs) return false;
    this.lastForcedAt = now;
    this.current = undefined;
    return true;
  }
}
