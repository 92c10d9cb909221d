/**
 * What the Pipedream provider answers for, without loading the SDK: Connect's account ids
 * (`apn_…`) and action keys (`app_slug-action-name`, always with a hyphen — Composio's tool slugs
 * never have one, so the two cannot collide).
 */
import type { ProviderName, ProviderRef } from "../provider.js";

export const PIPEDREAM_ACCOUNT_ID = /^apn_[A-Za-z0-9_]+$/;
export const PIPEDREAM_ACTION_KEY = /^[a-z0-9_]+-[a-z0-9_-]+$/i;

export function pipedreamOwnerOf(ref: ProviderRef): ProviderName | undefined {
  // Hosted apps are claimed by no one (a provider that owns an app outright, e.g. a local connector, does).
  if ("app" in ref) return undefined;
  const own = "accountId" in ref ? PIPEDREAM_ACCOUNT_ID.test(ref.accountId) : PIPEDREAM_ACTION_KEY.test(ref.actionKey);
  return own ? "pipedream" : undefined;
}
