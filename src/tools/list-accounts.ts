import { z } from "zod";
import { requireEndUser } from "../core/identity.js";
import { success } from "../core/results.js";
import { defineTool } from "./define-tool.js";

const account = z.object({
  id: z.string(),
  app: z.string(),
  app_name: z.string(),
  name: z.string(),
  healthy: z.boolean(),
  dead: z.boolean(),
  error: z.string().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});

export const listAccounts = defineTool({
  name: "list_accounts",
  description:
    "List the apps and accounts this user has connected (id, app slug, name, health). Call first to learn what you can act on; " +
    "pass an account id to api_proxy/run_action when an app has several. Unhealthy or dead accounts must be reconnected by the user.",
  inputSchema: z.strictObject({
    app: z.string().min(1).optional().describe('Only this app slug, e.g. "slack"'),
  }),
  outputSchema: z.object({ outcome: z.literal("ok"), accounts: z.array(account) }),
  annotations: { title: "List connected accounts", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
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
