import { z } from "zod";
import { actionApp } from "../core/action-view.js";
import { propsToJsonSchema } from "../core/props-schema.js";
import { success } from "../core/results.js";
import { defineTool, stringMap } from "./define-tool.js";

export const describeAction = defineTool({
  name: "describe_action",
  description:
    "Get an action's details and the JSON Schema of its props (run_action's configured_props); the app account is filled in for you. " +
    "[remote options] props need real IDs from the user's account.",
  inputSchema: z.strictObject({
    action: z.string().max(200).describe("Action key from list_actions"),
  }),
  outputSchema: z.looseObject({
    outcome: z.literal("ok"),
    action: z.looseObject({ key: z.string(), name: z.string(), description: z.string() }),
    props: z.looseObject({}),
  }),
  title: "Describe an action",
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
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
