/**
 * list_actions' `connected` hint (which apps a user has a usable account for), kept per user for
 * a short while: an agent lists actions several times per task, and each answer used to wait for
 * a full account listing upstream (~8 ms here) for a flag. The hint may be CONNECTED_APPS_TTL_MS
 * old; a user handed a Connect Link is asked again on the next call, and every full account
 * listing (list_accounts without app) refreshes it. Nothing else reads it: runs, the proxy and
 * list_accounts always ask upstream.
 */
import type { ConnectedAccount } from "../providers/provider.js";

export const CONNECTED_APPS_TTL_MS = 30_000;
const MAX_USERS = 10_000;

export class ConnectedApps {
  /** Map order doubles as least-recently-stored order, for the bound. */
  private readonly byUser = new Map<string, { at: number; apps: ReadonlySet<string> }>();

  constructor(
    private readonly ttlMs = CONNECTED_APPS_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user's usable apps: remembered if fresh, else from `listAccounts` (which may throw). */
  async of(user: string, listAccounts: () => Promise<ConnectedAccount[]>): Promise<ReadonlySet<string>> {
    const known = this.byUser.get(user);
    if (known && this.now() - known.at < this.ttlMs) return known.apps;
    return this.remember(user, await listAccounts());
  }

  /** A full listing of the user's accounts, however it was obtained. */
  remember(user: string, accounts: ConnectedAccount[]): ReadonlySet<string> {
    const apps = new Set(accounts.filter((a) => a.healthy && !a.dead).map((a) => a.app.slug));
    this.byUser.delete(user);
    if (this.byUser.size >= MAX_USERS) this.byUser.delete(this.byUser.keys().next().value as string);
    this.byUser.set(user, { at: this.now(), apps });
    return apps;
  }

  /** The user's accounts are about to change (a Connect Link was handed out): ask next time. */
  forget(user: string): void {
    this.byUser.delete(user);
  }
}
