/**
 * What the Composio provider answers for, without loading the client. Connected account ids are
 * used as Composio gives them (`ca_…`); tool slugs likewise (`GITHUB_CREATE_AN_ISSUE`: upper case,
 * underscores, never a hyphen — Pipedream's keys always have one, and its account ids start with
 * `apn_`, so neither can be taken for the other's). An account id Composio sends in any other form
 * is shown as `composio:<id>`, so it still cannot collide.
 */
import type { ProviderName, ProviderRef } from "../provider.js";

export const COMPOSIO_ACCOUNT_ID = /^ca_[A-Za-z0-9_-]+$/;
const ESCAPED = "composio:";
export const COMPOSIO_TOOL_SLUG = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

export function composioOwnerOf(ref: ProviderRef): ProviderName | undefined {
  // Hosted apps are claimed by no one (a provider that owns an app outright, e.g. a local connector, does).
  if ("app" in ref) return undefined;
  const own = "accountId" in ref ? COMPOSIO_ACCOUNT_ID.test(ref.accountId) || (ref.accountId.startsWith(ESCAPED) && ref.accountId.length > ESCAPED.length) : COMPOSIO_TOOL_SLUG.test(ref.actionKey);
  return own ? "composio" : undefined;
}

/** Composio's id → ours. */
export function ourAccountId(id: string): string {
  return COMPOSIO_ACCOUNT_ID.test(id) ? id : `${ESCAPED}${id}`;
}

/** Ours → Composio's. */
export function theirAccountId(id: string): string {
  return id.startsWith(ESCAPED) ? id.slice(ESCAPED.length) : id;
}
