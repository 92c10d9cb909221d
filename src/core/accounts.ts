/**
 * Choosing the connected account a call runs with: an explicit `account_id` (which must be one of
 * this end user's accounts; a foreign or unknown id gets the same answer, so nothing leaks), or
 * the single healthy account of the app. Several healthy accounts is an error that lists the
 * choices; none, or only dead/unhealthy ones (or a dead `account_id`), throws ConnectRequiredError,
 * which the server answers with a connect link for the app.
 *
 * An action runs at the provider that defines it, so its accounts must be held there too:
 * `provider` narrows the choice (an app offered by several providers is one app, but an account
 * of one provider cannot run another provider's action). api_proxy takes any provider's account.
 */
import type { ActionProp, ConnectedAccount, ConnectProvider, ProviderName } from "../providers/provider.js";
import { ConnectRequiredError } from "./connect.js";
import { quote, ToolError } from "./errors.js";

export function accountSummary(a: ConnectedAccount) {
  return { id: a.id, provider: a.provider, app: a.app.slug, name: a.name, healthy: a.healthy, dead: a.dead };
}

export async function resolveAccount(
  provider: ConnectProvider,
  user: string,
  want: { app?: string; accountId?: string; provider?: ProviderName },
): Promise<ConnectedAccount> {
  if (want.accountId) {
    const accounts = await provider.listAccounts(user, { ...(want.app ? { app: want.app } : {}), accountId: want.accountId });
    const account = accounts.find((a) => a.id === want.accountId);
    if (!account) {
      throw new ToolError(
        `Account ${quote(want.accountId)} is not one of this user's connected ${want.app ? `${quote(want.app)} ` : ""}accounts. Call list_accounts${want.app ? ` with app "${quote(want.app)}"` : ""} to see the valid ids.`,
      );
    }
    if (want.provider && account.provider !== want.provider) {
      throw new ToolError(
        `Account ${account.id} is held at ${account.provider}, but this action runs at ${want.provider}: pass a ${want.provider} ${account.app.slug} account (list_accounts shows each account's provider), or use a ${account.provider} action (list_actions).`,
      );
    }
    if (account.dead) throw new ConnectRequiredError(account.app.slug, [account], account.provider);
    return account;
  }
  if (!want.app) throw new ToolError("Say which account to use: pass account_id (from list_accounts) or app (the app slug, e.g. \"slack\").");
  const accounts = await provider.listAccounts(user, { app: want.app, ...(want.provider ? { provider: want.provider } : {}) });
  const usable = accounts.filter((a) => a.healthy && !a.dead);
  if (usable.length === 1) return usable[0]!;
  if (usable.length > 1) {
    const mixed = new Set(usable.map((a) => a.provider)).size > 1;
    throw new ToolError(
      `This user has ${usable.length} healthy ${want.app} accounts; pass account_id to choose one: ${usable.map((a) => `${a.id} ("${a.name}"${mixed ? `, at ${a.provider}` : ""})`).join(", ")}.`,
      { choices: usable.map(accountSummary) },
    );
  }
  throw new ConnectRequiredError(want.app, accounts, want.provider);
}

/**
 * `{authProvisionId}` values for an action's app props, keyed by prop name. `accountId` (one of the
 * user's accounts, of an app the action uses, at the action's provider) fills its app's prop; every
 * other app prop gets `pick(app)` — the single healthy account, or a caller's remembered choice.
 */
export async function fillAppProps(
  provider: ConnectProvider,
  user: string,
  props: ActionProp[],
  accountId: string | undefined,
  pick?: (app: string) => Promise<ConnectedAccount>,
  /** The provider the action runs at: its accounts must be held there. */
  actionProvider?: ProviderName,
): Promise<{ values: Record<string, { authProvisionId: string }>; accounts: ConnectedAccount[]; explicit?: ConnectedAccount }> {
  const choose = pick ?? ((app: string) => resolveAccount(provider, user, { app, ...(actionProvider ? { provider: actionProvider } : {}) }));
  const appProps = props.filter((p) => p.type === "app").map((p) => ({ name: p.name, app: String(p.app ?? "") }));
  if (accountId && appProps.length === 0) throw new ToolError("This action uses no app account; omit account_id.");
  const explicit = accountId ? await resolveAccount(provider, user, { accountId, ...(actionProvider ? { provider: actionProvider } : {}) }) : undefined;
  if (explicit && !appProps.some((p) => p.app === explicit.app.slug)) {
    throw new ToolError(`Account ${explicit.id} is a ${explicit.app.slug} account, but this action needs ${appProps.map((p) => p.app).join(" and ")}.`);
  }
  const values: Record<string, { authProvisionId: string }> = {};
  const accounts: ConnectedAccount[] = [];
  for (const prop of appProps) {
    const account = explicit && explicit.app.slug === prop.app ? explicit : await choose(prop.app);
    values[prop.name] = { authProvisionId: account.id };
    accounts.push(account);
  }
  return { values, accounts, ...(explicit ? { explicit } : {}) };
}
