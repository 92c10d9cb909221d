import { z } from "zod";
import { actionSummary } from "../core/action-view.js";
import { decodeCursor, encodeCursor } from "../core/cursor.js";
import { quote } from "../core/errors.js";
import { success } from "../core/results.js";
import { defineTool } from "./define-tool.js";

const DEFAULT_LIMIT = 10;

export const listActions = defineTool({
  name: "list_actions",
  description:
    "Find pre-built actions (e.g. slack-send-message) for describe_action and run_action, best match first. " +
    "Without app, also matching apps.",
  inputSchema: z.strictObject({
    app: z.string().optional(),
    query: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(50).optional().describe(`Default ${DEFAULT_LIMIT}`),
    cursor: z.string().optional(),
  }),
  outputSchema: z.looseObject({
    outcome: z.literal("ok"),
    // Each action: key, name, description, app…; without app, `apps: [{slug, name, connected}]`
    // too (left out of the schema to keep tools/list small).
    actions: z.array(z.unknown()),
  }),
  title: "Find actions",
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ app, query, limit, cursor }, ctx) {
    const { catalog, provider, connectedApps } = ctx.services();
    const bound = { app: app ?? null, query: query ?? null };
    const state = cursor ? decodeCursor(cursor, bound) : {};
    const listing = await catalog.listActions({
      app,
      query,
      limit: limit ?? DEFAULT_LIMIT,
      offset: typeof state.offset === "number" ? state.offset : undefined,
      after: typeof state.after === "string" ? state.after : undefined,
    });
    const next = listing.nextOffset !== undefined ? { offset: listing.nextOffset } : listing.nextAfter ? { after: listing.nextAfter } : undefined;

    let apps: Array<{ slug: string; name: string; connected?: boolean }> | undefined;
    if (!app && listing.apps) {
      // "connected" = the user has a usable (healthy, not dead) account for the app, up to 30 s
      // old (see ConnectedApps). Optional: without an end user, or if Connect cannot say, the apps
      // are still worth returning.
      let usable: ReadonlySet<string> | undefined;
      const user = ctx.identity.externalUserId;
      if (user && listing.apps.length) {
        try {
          usable = await connectedApps.of(user, () => provider.listAccounts(user));
        } catch (err) {
          ctx.logger.warn({ err: (err as Error).message }, "could not list accounts for list_actions; apps come without 'connected'");
        }
      }
      apps = listing.apps.map((a) => ({ slug: a.slug, name: a.name, ...(usable ? { connected: usable.has(a.slug) } : {}) }));
    }

    const actions = listing.actions.map(actionSummary);
    const { readOnly, source } = ctx.policy.policy;
    const notes = [
      ...(actions.length === 0 && query ? [`No action matched "${quote(query)}"${app ? ` in ${app}` : ""}. Try other words${app ? ", omit query to list all of its actions," : ""} or call the app's API with api_proxy.`] : []),
      ...(listing.unmatched && query ? [`No action of ${app} matched "${quote(query)}"; these are its actions (those that do what the request asks first). Try other words, or call the app's API with api_proxy.`] : []),
      ...(readOnly ? [`Only read-only actions are listed: policy "read-only" (${source}) refuses the others.`] : []),
    ];
    return success({
      outcome: "ok",
      actions,
      ...(apps ? { apps } : {}),
      ...(next ? { next_cursor: encodeCursor({ ...bound, ...next }) } : {}),
      ...(notes.length ? { note: notes.join(" ") } : {}),
    });
  },
});
