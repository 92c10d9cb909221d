import { z } from "zod";
import { actionSummary } from "../core/action-view.js";
import { decodeCursor, encodeCursor } from "../core/cursor.js";
import { success } from "../core/results.js";
import { defineTool } from "./define-tool.js";

const DEFAULT_LIMIT = 20;

export const listActions = defineTool({
  name: "list_actions",
  description:
    "Find pre-built actions (e.g. slack-send-message) to use with describe_action and run_action when you do not know an app's API. " +
    "Filter by app slug and/or a search query. Returns short entries, best match first, and next_cursor when there are more.",
  inputSchema: z.strictObject({
    app: z.string().min(1).optional().describe('App slug, e.g. "google_sheets"'),
    query: z.string().min(1).max(200).optional().describe("Words to search for"),
    limit: z.number().int().min(1).max(50).optional().describe(`Default ${DEFAULT_LIMIT}`),
    cursor: z.string().min(1).optional().describe("next_cursor from the previous page"),
  }),
  outputSchema: z.object({
    outcome: z.literal("ok"),
    actions: z.array(
      z.object({ key: z.string(), name: z.string(), description: z.string(), app: z.string(), read_only: z.boolean(), destructive: z.boolean() }),
    ),
    next_cursor: z.string().optional(),
  }),
  annotations: { title: "Find actions", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ app, query, limit, cursor }, ctx) {
    const { catalog } = ctx.services();
    const bound = { app: app ?? null, query: query ?? null };
    const after = cursor ? String(decodeCursor(cursor, bound).after ?? "") : undefined;
    const page = await catalog.listActions({ app, query, limit: limit ?? DEFAULT_LIMIT, after: after || undefined });
    return success({
      outcome: "ok",
      actions: page.actions.map(actionSummary),
      ...(page.nextCursor ? { next_cursor: encodeCursor({ ...bound, after: page.nextCursor }) } : {}),
    });
  },
});
