/**
 * Access-token cache for Connect's client-credentials flow, replacing the SDK's own provider, which
 * fetches tokens without single-flight and never refreshes on 401 (see reference §3).
 * - concurrent callers share one in-flight token request;
 * - `invalidate(token)` drops a token Connect rejected, once, however many callers saw the 401;
 * - a failed fetch is never cached.
 */
export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
}

export class SingleFlightTokenProvider {
  private current?: { token: string; refreshAt: number };
  private inflight?: Promise<string>;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  async getToken(): Promise<string> {
    if (this.current && this.now() < this.current.refreshAt) return this.current.token;
    this.inflight ??= this.fetchToken()
      .then(({ accessToken, expiresInSeconds }) => {
        const lifetimeMs = Math.max(0, expiresInSeconds) * 1000;
        // Refresh 2 minutes early, or at half-life for short-lived tokens.
        const marginMs = lifetimeMs > 240_000 ? 120_000 : lifetimeMs / 2;
        this.current = { token: accessToken, refreshAt: this.now() + lifetimeMs - marginMs };
        return accessToken;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  /** Forget `token` if it is still the current one (a later token is kept). */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }
}
