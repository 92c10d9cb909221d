import { z } from "zod";
import { actionSummary } from "../core/action-view.js";
import { decodeCursor, encodeCursor } from "../core/cursor.js";
import { success } from "../core/results.js";
import { defineTool } from "./define-tool.js";

const DEFAULT_LIMIT = 20;

export const listActions = defineTool({
  name: "list_actions",
  description:
    "Find pre-built actions (e.g. slack-send-message) for describe_action and run_action, by app slug and/or search words. " +
    "Best match first; pass next_cursor back for more.",
  inputSchema: z.strictObject({
    app: z.string().optional(),
    query: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(50).optional().describe(`Default ${DEFAULT_LIMIT}`),
    cursor: z.string().optional(),
  }),
  outputSchema: z.looseObject({
    outcome: z.literal("ok"),
    actions: z.array(z.looseObject({ key: z.string(), name: z.string(), description: z.string() })),
  }),
  title: "Find actions",
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
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
