import { z } from "zod";
import { connectRequired } from "../core/connect.js";
import { requireEndUser } from "../core/identity.js";
import { success } from "../core/results.js";
import type { ConnectedAccount } from "../providers/provider.js";
import { defineTool } from "./define-tool.js";

// Output schemas name only what a client needs to act on (loose objects): every field is still in
// the result and its text; the tools/list payload, paid on every turn, stays small.

function view(a: ConnectedAccount) {
  return {
    id: a.id,
    provider: a.provider,
    app: a.app.slug,
    app_name: a.app.name,
    name: a.name,
    healthy: a.healthy,
    dead: a.dead,
    ...(a.pending ? { pending: true } : {}),
    ...(a.error ? { error: a.error } : {}),
    ...(a.createdAt ? { created_at: a.createdAt } : {}),
    ...(a.updatedAt ? { updated_at: a.updatedAt } : {}),
  };
}

export const listAccounts = defineTool({
  name: "list_accounts",
  description:
    "The user's connected accounts (id, app slug, name, health, error). Call first. " +
    "With app and none usable: outcome connect_required and a link for the user.",
  inputSchema: z.strictObject({
    app: z.string().optional().describe('App slug, e.g. "slack"'),
  }),
  outputSchema: z.looseObject({ outcome: z.enum(["ok", "connect_required"]), accounts: z.array(z.unknown()) }),
  title: "List connected accounts",
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ app }, ctx) {
    const services = ctx.services();
    const user = requireEndUser(ctx.identity);
    const slug = app ? (await services.catalog.getApp(app)).slug : undefined;
    const accounts = await services.provider.listAccounts(user, slug ? { app: slug } : {});
    if (!slug) services.connectedApps.remember(user, accounts);
    if (slug && !accounts.some((a) => a.healthy && !a.dead)) {
      return connectRequired(services, user, slug, accounts, { accounts: accounts.map(view) });
    }
    return success({ outcome: "ok", accounts: accounts.map(view) });
  },
});
