/**
 * Several providers behind one ConnectProvider: the one place that decides which provider answers.
 * - An account id or action key goes to the provider that claims it (`ownerOf`): Pipedream's
 *   `apn_…` ids and hyphenated keys (`slack-send-message`), Composio's `ca_…` ids and upper-case
 *   slugs (`GITHUB_CREATE_AN_ISSUE`). The formats are disjoint, so ids and keys stay as each
 *   provider gives them and can never be mistaken for another provider's.
 * - Listings (accounts, apps, actions) ask every provider; each item carries its `provider`.
 *   Paged listings go provider after provider behind one opaque cursor; searches ask all at once
 *   and interleave the answers (the catalog ranks them together).
 * - An app offered by several providers is one app (same slug); its `providers` say which.
 *   A connect link goes to the provider of the user's existing (unusable) account of the app,
 *   else to the first provider, in configuration order, that offers it.
 * - An app a provider owns outright (a local connector's slug, `ownerOf({app})`) is that
 *   provider's alone: its accounts, actions, app info and links come only from it, and other
 *   providers' apps and accounts of that slug are neither listed nor usable (even by id). A connector named like a hosted app (say
 *   "github") thus hides the hosted one: the operator chose the slug.
 * With one provider, everything goes to it unchanged (cursors included).
 */
import {
  ProviderError,
  type AccountFilter,
  type ActionDefinition,
  type ActionPage,
  type AppInfo,
  type AppPage,
  type CallOptions,
  type ConfigurePropInput,
  type ConnectedAccount,
  type ConnectLink,
  type ConnectLinkOptions,
  type ConnectProvider,
  type ExternalUserId,
  type ProviderName,
  type ProviderRef,
  type ProxyRequest,
  type ReloadPropsInput,
  type RunActionInput,
} from "./provider.js";

export interface NamedProvider {
  name: ProviderName;
  provider: ConnectProvider;
}

export class ProviderRegistry implements ConnectProvider {
  private readonly entries: NamedProvider[];

  constructor(entries: NamedProvider[]) {
    if (entries.length === 0) throw new Error("ProviderRegistry needs at least one provider");
    if (new Set(entries.map((e) => e.name)).size !== entries.length) throw new Error("ProviderRegistry: a provider is listed twice");
    this.entries = [...entries];
  }

  get names(): ProviderName[] {
    return this.entries.map((e) => e.name);
  }

  /** The provider named `name`, if it is on (for `doctor` and the accounts CLI). */
  get(name: ProviderName): ConnectProvider | undefined {
    return this.entries.find((e) => e.name === name)?.provider;
  }

  ownerOf(ref: ProviderRef): ProviderName | undefined {
    if (this.entries.length === 1) return this.entries[0]!.provider.ownerOf(ref) ? this.entries[0]!.name : undefined;
    return this.entries.find((e) => e.provider.ownerOf(ref) === e.name)?.name;
  }

  /** The provider that owns `app` outright (a local connector's slug), if any: it alone answers for it. */
  private appOwner(app: string | undefined): NamedProvider | undefined {
    if (!app || this.entries.length === 1) return undefined;
    return this.route({ app });
  }

  /** The provider answering for `ref`; with one provider, always that one. */
  private route(ref: ProviderRef): NamedProvider | undefined {
    if (this.entries.length === 1) return this.entries[0];
    const name = this.ownerOf(ref);
    return this.entries.find((e) => e.name === name);
  }

  private routeOrThrow(ref: ProviderRef, operation: string): NamedProvider {
    const entry = this.route(ref);
    if (entry) return entry;
    const what = "accountId" in ref ? `account id "${ref.accountId.slice(0, 100)}"` : "actionKey" in ref ? `action key "${ref.actionKey.slice(0, 100)}"` : `app "${ref.app.slice(0, 100)}"`;
    throw new ProviderError("not_found", `No configured provider (${this.names.join(", ")}) has an ${what}.`, { operation, notSent: true });
  }

  async checkCredentials(): Promise<void> {
    await Promise.all(this.entries.map((e) => e.provider.checkCredentials()));
  }

  /* ---------------- accounts ---------------- */

  async listAccounts(user: ExternalUserId, filter: AccountFilter = {}, options?: CallOptions): Promise<ConnectedAccount[]> {
    const owner = filter.accountId ? this.route({ accountId: filter.accountId }) : this.appOwner(filter.app);
    const asked = owner ? [owner] : filter.provider ? this.entries.filter((e) => e.name === filter.provider) : this.entries;
    const { provider: _only, ...passed } = filter;
    const lists = await Promise.all(asked.map(async (e) => this.ownAccounts(stampAccounts(await e.provider.listAccounts(user, passed, options), e.name), e.name)));
    // An account id of one provider is never another provider's account, even with one provider on.
    return lists.flat().filter((a) => !filter.provider || a.provider === filter.provider);
  }

  async getAccount(user: ExternalUserId, accountId: string, options?: CallOptions): Promise<ConnectedAccount | undefined> {
    const entry = this.route({ accountId });
    const account = entry ? await entry.provider.getAccount(user, accountId, options) : undefined;
    return account && entry ? this.ownAccounts([{ ...account, provider: entry.name }], entry.name)[0] : undefined;
  }

  async deleteAccount(user: ExternalUserId, accountId: string, options?: CallOptions): Promise<void> {
    return this.routeOrThrow({ accountId }, "delete an account").provider.deleteAccount(user, accountId, options);
  }

  /* ---------------- apps ---------------- */

  async getApp(slug: string, options?: CallOptions): Promise<AppInfo> {
    if (this.entries.length === 1) return { ...(await this.entries[0]!.provider.getApp(slug, options)), providers: [this.entries[0]!.name] };
    const owner = this.appOwner(slug);
    if (owner) return { ...(await owner.provider.getApp(slug, options)), providers: [owner.name] };
    const settled = await Promise.allSettled(this.entries.map((e) => e.provider.getApp(slug, options)));
    const found: Array<{ name: ProviderName; app: AppInfo }> = [];
    for (const [i, s] of settled.entries()) {
      if (s.status === "fulfilled") found.push({ name: this.entries[i]!.name, app: s.value });
      else if (!isNotFound(s.reason)) throw s.reason;
    }
    if (found.length === 0) throw (settled.find((s) => s.status === "rejected") as PromiseRejectedResult).reason;
    return mergeApps(found);
  }

  async listApps(query: { query?: string; limit: number; after?: string }, options?: CallOptions): Promise<AppPage> {
    if (query.query && !query.after && this.entries.length > 1) {
      const pages = await Promise.all(this.entries.map(async (e) => this.ownApps(stampApps((await e.provider.listApps(query, options)).apps, e.name), e.name)));
      return { apps: interleave(pages) };
    }
    const page = await this.paged(query.after, async (e, after) => {
      const res = await e.provider.listApps({ ...query, after }, options);
      return { items: this.ownApps(stampApps(res.apps, e.name), e.name), next: res.nextCursor };
    });
    return { apps: page.items, ...(page.next ? { nextCursor: page.next } : {}) };
  }

  /* ---------------- actions ---------------- */

  /** A provider's accounts without those of apps another provider owns outright: that slug is the owner's. */
  private ownAccounts(accounts: ConnectedAccount[], name: ProviderName): ConnectedAccount[] {
    if (this.entries.length === 1) return accounts;
    return accounts.filter((a) => {
      const owner = this.ownerOf({ app: a.app.slug });
      return !owner || owner === name;
    });
  }

  /** A provider's listed apps without those another provider owns outright (that slug is the owner's). */
  private ownApps(apps: AppInfo[], name: ProviderName): AppInfo[] {
    return apps.filter((a) => {
      const owner = this.ownerOf({ app: a.slug });
      return !owner || owner === name;
    });
  }

  async listActions(query: { app?: string; query?: string; limit: number; after?: string }, options?: CallOptions): Promise<ActionPage> {
    const owner = this.appOwner(query.app);
    if (owner) {
      const res = await owner.provider.listActions(query, options);
      return { actions: stampActions(res.actions, owner.name), ...(res.nextCursor ? { nextCursor: res.nextCursor } : {}) };
    }
    if (query.query && !query.after && this.entries.length > 1) {
      const pages = await Promise.all(
        this.entries.map(async (e) => {
          try {
            return stampActions((await e.provider.listActions(query, options)).actions, e.name);
          } catch (err) {
            // An app only one provider offers is "not found" at the other: nothing to add from there.
            if (query.app && isNotFound(err)) return [];
            throw err;
          }
        }),
      );
      return { actions: interleave(pages) };
    }
    const page = await this.paged(query.after, async (e, after) => {
      try {
        const res = await e.provider.listActions({ ...query, after }, options);
        return { items: stampActions(res.actions, e.name), next: res.nextCursor };
      } catch (err) {
        if (query.app && isNotFound(err) && this.entries.length > 1) return { items: [] };
        throw err;
      }
    });
    return { actions: page.items, ...(page.next ? { nextCursor: page.next } : {}) };
  }

  async getAction(key: string, options?: CallOptions): Promise<ActionDefinition> {
    const e = this.routeOrThrow({ actionKey: key }, `retrieve action "${key}"`);
    return { ...(await e.provider.getAction(key, options)), provider: e.name };
  }

  async configureProp(user: ExternalUserId, input: ConfigurePropInput, options?: CallOptions) {
    return this.routeOrThrow({ actionKey: input.key }, "list options").provider.configureProp(user, input, options);
  }

  async reloadProps(user: ExternalUserId, input: ReloadPropsInput, options?: CallOptions) {
    return this.routeOrThrow({ actionKey: input.key }, "reload props").provider.reloadProps(user, input, options);
  }

  async runAction(user: ExternalUserId, input: RunActionInput, options?: CallOptions) {
    return this.routeOrThrow({ actionKey: input.key }, "run the action").provider.runAction(user, input, options);
  }

  async proxy(user: ExternalUserId, request: ProxyRequest, options?: CallOptions) {
    return this.routeOrThrow({ accountId: request.accountId }, "send the request").provider.proxy(user, request, options);
  }

  /* ---------------- connecting ---------------- */

  async createConnectLink(user: ExternalUserId, app: string, options: ConnectLinkOptions = {}): Promise<ConnectLink> {
    const entry = await this.linkProvider(app, options);
    const link = await entry.provider.createConnectLink(user, app, options);
    return { ...link, provider: entry.name };
  }

  /** Where a link for `app` is made: see the module comment. */
  private async linkProvider(app: string, options: ConnectLinkOptions): Promise<NamedProvider> {
    if (this.entries.length === 1) return this.entries[0]!;
    const owner = this.appOwner(app);
    if (owner) return owner;
    const byName = (name: ProviderName | undefined) => this.entries.find((e) => e.name === name);
    const allowed = (name: ProviderName) => !options.providers || options.providers.includes(name);
    const newest = [...(options.accounts ?? [])].sort((a, b) => (b.updatedAt ?? "").localeCompare(a.updatedAt ?? ""));
    for (const a of newest) {
      const e = byName(a.provider);
      if (e && allowed(e.name)) return e;
    }
    const offering = options.providers ?? (await this.getApp(app)).providers ?? [];
    const e = this.entries.find((x) => offering.includes(x.name));
    if (e) return e;
    throw new ProviderError("not_found", `No configured provider (${this.names.join(", ")}) offers the app "${app.slice(0, 100)}".`, { operation: "create a connect link", notSent: true });
  }

  /* ---------------- paging ---------------- */

  /**
   * One page of a listing that runs provider after provider. The cursor names the provider and
   * that provider's own cursor; with one provider it is that provider's cursor unchanged.
   */
  private async paged<T>(after: string | undefined, fetch: (e: NamedProvider, after: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<{ items: T[]; next?: string }> {
    if (this.entries.length === 1) return fetch(this.entries[0]!, after);
    let { index, inner } = after ? decodeCursor(after, this.entries.length) : { index: 0, inner: undefined as string | undefined };
    for (;;) {
      const page = await fetch(this.entries[index]!, inner);
      if (page.next) return { items: page.items, next: encodeCursor(index, page.next) };
      if (index + 1 >= this.entries.length) return { items: page.items };
      // This provider is done: go on with the next one (at once when this page was empty).
      if (page.items.length > 0) return { items: page.items, next: encodeCursor(index + 1, undefined) };
      index += 1;
      inner = undefined;
    }
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof ProviderError && err.kind === "not_found";
}

function stampAccounts(accounts: ConnectedAccount[], name: ProviderName): ConnectedAccount[] {
  return accounts.map((a) => ({ ...a, provider: name }));
}

function stampActions(actions: ActionDefinition[], name: ProviderName): ActionDefinition[] {
  return actions.map((a) => ({ ...a, provider: name }));
}

function stampApps(apps: AppInfo[], name: ProviderName): AppInfo[] {
  return apps.map((a) => ({ ...a, providers: [name] }));
}

/** One app offered by several providers: the first one's record, knowing all of them. */
function mergeApps(found: Array<{ name: ProviderName; app: AppInfo }>): AppInfo {
  const first = found[0]!.app;
  return {
    ...first,
    description: first.description ?? found.find((f) => f.app.description)?.app.description,
    customFieldNames: [...new Set(found.flatMap((f) => f.app.customFieldNames))],
    providers: found.map((f) => f.name),
  };
}

/** a1 b1 a2 b2 …: every provider's best matches near the top before the catalog ranks them. */
function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

function encodeCursor(index: number, inner: string | undefined): string {
  return Buffer.from(JSON.stringify([index, inner ?? null])).toString("base64url");
}

function decodeCursor(cursor: string, count: number): { index: number; inner: string | undefined } {
  try {
    const [index, inner] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown];
    if (Number.isInteger(index) && (index as number) >= 0 && (index as number) < count && (inner === null || typeof inner === "string")) {
      return { index: index as number, inner: inner ?? undefined };
    }
  } catch {
    // reported below
  }
  throw new ProviderError("bad_request", "The listing cursor is not valid; start the listing again without it.", { operation: "list", notSent: true });
}
