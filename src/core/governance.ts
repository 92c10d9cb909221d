/**
 * The one request-scoped checkpoint between tools/engines and Connect. `governServices` hands a
 * tool call a view of the services whose provider and catalog enforce that call's policy and carry
 * its abort signal, so every path — a tool, the full-config engine continuing a handle, a sub-agent
 * step, a path added later — gets the same checks without calling them itself:
 * - any action definition read (catalog.getAction) and any configure/reload/run of an action key is
 *   checked by `actionApps` (its app props' apps, else its key prefix) against allow/deny lists;
 * - a listing of actions/apps drops those of apps the policy excludes (nothing reaches a model);
 * - listAccounts for an app checks the app;
 * - a proxy request is checked by the app of the account it uses;
 * - a run or proxy request goes through only if this call's policy hook cleared exactly that write
 *   (read-only, RPC-style GET writes, confirm-writes): a path that forgets the hook fails closed;
 * - every provider call carries the MCP request's abort signal, and none starts once it fired.
 */
import type {
  AccountFilter,
  CallOptions,
  ConfigurePropInput,
  ConnectedAccount,
  ConnectProvider,
  ProxyRequest,
  ReloadPropsInput,
  RunActionInput,
} from "../providers/provider.js";
import { ProviderError } from "../providers/provider.js";
import { actionApps } from "./action-view.js";
import type { Catalog } from "./catalog.js";
import type { CallPolicy } from "./policy.js";
import type { Services } from "./services.js";

export interface CallScope {
  policy: CallPolicy;
  /** The MCP request's abort signal (client cancellation or a closed HTTP request). */
  signal?: AbortSignal;
}

/** Thrown when no check could be made: a bug in a path, never an expected refusal. */
export class UngovernedCallError extends Error {
  override name = "UngovernedCallError";
}

export function governServices(services: Services, scope: CallScope): Services {
  const catalog = governCatalog(services.catalog, scope);
  const provider = new GovernedProvider(services.provider, services.catalog, scope);
  return { ...services, catalog, provider };
}

/** Throw a `cancelled` ProviderError if the call was cancelled: nothing new starts after that. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new ProviderError("cancelled", `The call was cancelled before it could ${what}; nothing more was sent.`, { operation: what, notSent: true });
}

function allowedApp(policy: CallPolicy, app: string | undefined): boolean {
  if (!app) return true;
  const { allowApps, denyApps } = policy.policy;
  return (!allowApps.length || allowApps.includes(app)) && !denyApps.includes(app);
}

function governCatalog(catalog: Catalog, scope: CallScope): Catalog {
  const { policy } = scope;
  const getAction: Catalog["getAction"] = async (key) => {
    const action = await catalog.getAction(key);
    policy.checkActionApps(action);
    return action;
  };
  const listActions: Catalog["listActions"] = async (query) => {
    const listing = await catalog.listActions(query);
    const { allowApps, denyApps, readOnly } = policy.policy;
    if (!allowApps.length && !denyApps.length && !readOnly) return listing;
    return {
      ...listing,
      // Under read-only, write actions are left out: an agent should not plan with actions it cannot run.
      actions: listing.actions.filter((a) => actionApps(a).every((app) => allowedApp(policy, app)) && (!readOnly || a.annotations?.readOnlyHint === true)),
      ...(listing.apps ? { apps: listing.apps.filter((a) => allowedApp(policy, a.slug)) } : {}),
    };
  };
  return new Proxy(catalog, {
    get(target, prop) {
      if (prop === "getAction") return getAction;
      if (prop === "listActions") return listActions;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

class GovernedProvider implements ConnectProvider {
  /** Accounts seen in this call: id → app, so a proxy request's app is known without a lookup. */
  private readonly accountApps = new Map<string, string>();

  constructor(
    private readonly inner: ConnectProvider,
    /** The ungoverned catalog: definitions are read to check them, not to hand them out. */
    private readonly catalog: Catalog,
    private readonly scope: CallScope,
  ) {}

  private options(options: CallOptions | undefined, what: string): CallOptions {
    throwIfCancelled(this.scope.signal, what);
    const signal = options?.signal ?? this.scope.signal;
    return signal ? { ...options, signal } : { ...options };
  }

  private async checkActionKey(key: string): Promise<void> {
    this.scope.policy.checkActionApps(await this.catalog.getAction(key));
  }

  private remember(accounts: ConnectedAccount[]): ConnectedAccount[] {
    for (const a of accounts) this.accountApps.set(a.id, a.app.slug);
    return accounts;
  }

  checkCredentials(): Promise<void> {
    return this.inner.checkCredentials();
  }

  ownerOf(ref: Parameters<ConnectProvider["ownerOf"]>[0]) {
    return this.inner.ownerOf(ref);
  }

  async listAccounts(user: string, filter: AccountFilter = {}, options?: CallOptions): Promise<ConnectedAccount[]> {
    if (filter.app) this.scope.policy.checkApp(filter.app);
    return this.remember(await this.inner.listAccounts(user, filter, this.options(options, "list accounts")));
  }

  async getAccount(user: string, accountId: string, options?: CallOptions) {
    const account = await this.inner.getAccount(user, accountId, this.options(options, "look up the account"));
    if (account) this.remember([account]);
    return account;
  }

  /** Tools never disconnect accounts: only the operator's CLI does, outside any tool call. */
  async deleteAccount(): Promise<void> {
    throw new UngovernedCallError("a tool call tried to delete an account");
  }

  getApp(slug: string) {
    return this.inner.getApp(slug);
  }

  listApps(query: Parameters<ConnectProvider["listApps"]>[0]) {
    return this.inner.listApps(query);
  }

  listActions(query: Parameters<ConnectProvider["listActions"]>[0]) {
    return this.inner.listActions(query);
  }

  async getAction(key: string) {
    const action = await this.inner.getAction(key);
    this.scope.policy.checkActionApps(action);
    return action;
  }

  async configureProp(user: string, input: ConfigurePropInput, options?: CallOptions) {
    await this.checkActionKey(input.key);
    return this.inner.configureProp(user, input, this.options(options, "list options"));
  }

  async reloadProps(user: string, input: ReloadPropsInput, options?: CallOptions) {
    await this.checkActionKey(input.key);
    return this.inner.reloadProps(user, input, this.options(options, "reload props"));
  }

  async runAction(user: string, input: RunActionInput, options?: CallOptions) {
    this.scope.policy.checkAction(await this.catalog.getAction(input.key));
    if (!this.scope.policy.isCleared({ run: input.key })) {
      throw new UngovernedCallError(`run of ${input.key} reached the provider without passing the policy hook`);
    }
    const callOptions = this.options(options, "run the action");
    this.scope.policy.facts.sent = true;
    return this.inner.runAction(user, input, callOptions);
  }

  async proxy(user: string, request: ProxyRequest, options?: CallOptions) {
    let app = this.accountApps.get(request.accountId);
    if (!app) {
      app = this.remember(await this.inner.listAccounts(user, { accountId: request.accountId }, this.options(options, "look up the account"))).find((a) => a.id === request.accountId)?.app.slug;
      if (!app) throw new UngovernedCallError("proxy request for an account this user does not have");
    }
    this.scope.policy.checkApp(app);
    if (!this.scope.policy.isCleared({ proxy: { method: request.method, url: request.url, accountId: request.accountId } })) {
      throw new UngovernedCallError(`proxy ${request.method} reached the provider without passing the policy hook`);
    }
    const callOptions = this.options(options, "send the request");
    this.scope.policy.facts.sent = true;
    return this.inner.proxy(user, request, callOptions);
  }

  createConnectLink(user: string, app: string, options?: Parameters<ConnectProvider["createConnectLink"]>[2]) {
    this.scope.policy.checkApp(app);
    throwIfCancelled(this.scope.signal, "create a connect link");
    return this.inner.createConnectLink(user, app, options);
  }
}
