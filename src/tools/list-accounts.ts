import { z } from "zod";
import { requireEndUser } from "../core/identity.js";
import { success } from "../core/results.js";
import { defineTool } from "./define-tool.js";

// Output schemas name the key fields only (loose objects): the tools/list payload stays small.
const account = z.looseObject({ id: z.string(), app: z.string(), name: z.string(), healthy: z.boolean(), dead: z.boolean() });

export const listAccounts = defineTool({
  name: "list_accounts",
  description:
    "List the user's connected accounts (id, app slug, name, health). Call first to see what you can act on. " +
    "Dead or unhealthy accounts must be reconnected by the user.",
  inputSchema: z.strictObject({
    app: z.string().optional().describe('App slug, e.g. "slack"'),
  }),
  outputSchema: z.object({ outcome: z.literal("ok"), accounts: z.array(account) }),
  title: "List connected accounts",
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ app }, ctx) {
    const { provider, catalog } = ctx.services();
    const user = requireEndUser(ctx.identity);
    if (app) await catalog.getApp(app);
    const accounts = await provider.listAccounts(user, app ? { app } : {});
    return success({
      outcome: "ok",
      accounts: accounts.map((a) => ({
        id: a.id,
        app: a.app.slug,
        app_name: a.app.name,
        name: a.name,
        healthy: a.healthy,
        dead: a.dead,
        ...(a.error ? { error: a.error } : {}),
        ...(a.createdAt ? { created_at: a.createdAt } : {}),
        ...(a.updatedAt ? { updated_at: a.updatedAt } : {}),
      })),
    });
  },
});
