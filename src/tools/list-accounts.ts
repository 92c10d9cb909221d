import { z } from "zod";
import { connectRequired } from "../core/connect.js";
import { requireEndUser } from "../core/identity.js";
import { success } from "../core/results.js";
import type { ConnectedAccount } from "../providers/provider.js";
import { defineTool } from "./define-tool.js";

// Output schemas name the key fields only (loose objects): the tools/list payload stays small.
const account = z.looseObject({ id: z.string(), app: z.string(), name: z.string(), healthy: z.boolean(), dead: z.boolean() });

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
    "List the user's connected accounts (id, app slug, name, health, error). Call first to see what you can act on. " +
    "With app and no usable account: outcome connect_required, with a link for the user.",
  inputSchema: z.strictObject({
    app: z.string().optional().describe('App slug, e.g. "slack"'),
  }),
  outputSchema: z.looseObject({ outcome: z.enum(["ok", "connect_required"]), accounts: z.array(account) }),
  title: "List connected accounts",
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ app }, ctx) {
    const services = ctx.services();
    const user = requireEndUser(ctx.identity);
    const slug = app ? (await services.catalog.getApp(app)).slug : undefined;
    const accounts = await services.provider.listAccounts(user, slug ? { app: slug } : {});
    if (slug && !accounts.some((a) => a.healthy && !a.dead)) {
      return connectRequired(services, user, slug, accounts, { accounts: accounts.map(view) });
    }
    return success({ outcome: "ok", accounts: accounts.map(view) });
  },
});
