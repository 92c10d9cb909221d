import { z } from "zod";
import { actionApp } from "../core/action-view.js";
import { propsToJsonSchema } from "../core/props-schema.js";
import { success } from "../core/results.js";
import { defineTool } from "./define-tool.js";

export const describeAction = defineTool({
  name: "describe_action",
  description:
    "Get an action's details and the JSON Schema of its props (the configured_props run_action takes). " +
    "The app account is filled in for you. Props marked [remote options] need real IDs from the user's account; " +
    "[reloads props] means the action has dynamic props.",
  inputSchema: z.strictObject({
    action: z.string().min(1).max(200).describe('Action key from list_actions, e.g. "slack-send-message"'),
  }),
  outputSchema: z.object({
    outcome: z.literal("ok"),
    action: z.object({
      key: z.string(),
      name: z.string(),
      description: z.string(),
      app: z.string(),
      version: z.string(),
      annotations: z.record(z.string(), z.unknown()),
    }),
    props: z.record(z.string(), z.unknown()),
    accounts_needed: z.array(z.object({ prop: z.string(), app: z.string() })),
    notes: z.array(z.string()).optional(),
    dynamic_props: z.boolean(),
  }),
  annotations: { title: "Describe an action", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ action: key }, ctx) {
    const { catalog } = ctx.services();
    const action = await catalog.getAction(key);
    const { schema, appProps, notes, hasDynamicProps } = propsToJsonSchema(action.props);
    return success({
      outcome: "ok",
      action: {
        key: action.key,
        name: action.name,
        description: action.description ?? "",
        app: actionApp(action),
        version: action.version,
        annotations: { ...(action.annotations ?? {}) },
      },
      props: schema,
      accounts_needed: appProps.map((p) => ({ prop: p.name, app: p.app })),
      ...(notes.length ? { notes } : {}),
      dynamic_props: hasDynamicProps,
    });
  },
});
