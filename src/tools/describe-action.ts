import { z } from "zod";
import { actionApp } from "../core/action-view.js";
import { Configurator } from "../core/configuration.js";
import { ToolError } from "../core/errors.js";
import { requireEndUser } from "../core/identity.js";
import { propsToJsonSchema } from "../core/props-schema.js";
import { success } from "../core/results.js";
import type { ToolContext } from "../core/services.js";
import type { ActionDefinition, ActionProp } from "../providers/provider.js";
import { defineTool, OUTCOME, stringMap } from "./define-tool.js";

const DYNAMIC_NOTE_TOOLS_ONLY =
  "This action has dynamic props: more props appear once the [reloads props] props are set. Give every value in one run_action call " +
  "(the server reloads props before running), or run the server in full-config mode to configure it step by step.";

function actionView(action: ActionDefinition) {
  return {
    key: action.key,
    ...(action.provider ? { provider: action.provider } : {}),
    name: action.name,
    description: action.description ?? "",
    app: actionApp(action),
    version: action.version,
    annotations: { ...(action.annotations ?? {}) },
  };
}

/** Caller-facing values: app props are shown as accounts instead. */
function configuredView(props: ActionProp[], configured: Record<string, unknown>) {
  const appProps = new Set(props.filter((p) => p.type === "app").map((p) => p.name));
  return Object.fromEntries(Object.entries(configured).filter(([name]) => !appProps.has(name)));
}

function accountsView(props: ActionProp[], configured: Record<string, unknown>) {
  return props
    .filter((p) => p.type === "app")
    .map((p) => ({ prop: p.name, app: String(p.app ?? ""), account_id: (configured[p.name] as { authProvisionId?: string } | undefined)?.authProvisionId }));
}

const toolsOnlyInput = z.strictObject({
  action: z.string().max(200).describe("Action key from list_actions"),
});

const BASE_DESCRIPTION =
  "An action's details and the JSON Schema of its props (run_action's configured_props; the app account is filled in; " +
  "[remote options] props need real IDs from the user's account).";

export const describeAction = defineTool({
  name: "describe_action",
  title: "Describe an action",
  description:
    `${BASE_DESCRIPTION} Pass the configuration_id it returns back with configured_props to set values, or with prop (+query/cursor) to list options.`,
  modes: { "tools-only": { inputSchema: toolsOnlyInput, description: BASE_DESCRIPTION } },
  inputSchema: z.strictObject({
    action: z.string().max(200).optional().describe("From list_actions (to start)"),
    configuration_id: z.string().max(100).optional().describe("To continue a configuration"),
    configured_props: stringMap(z.unknown()).optional().describe("Values to set, by prop name"),
    account_id: z.string().optional().describe("From list_accounts"),
    // prop, query, cursor: listing a prop's options, as the description says.
    prop: z.string().max(200).optional(),
    query: z.string().max(200).optional(),
    cursor: z.string().optional(),
  }),
  outputSchema: z.looseObject({
    outcome: OUTCOME,
    // Also the action, props (JSON Schema), configuration_id, missing…: the schema names what a client branches on.
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(args, ctx) {
    if (ctx.mode === "tools-only") {
      if (!args.action) throw new ToolError("action is required.");
      return describeStatic(args.action, ctx);
    }
    const services = ctx.services();
    const user = requireEndUser(ctx.identity);
    if (!args.prop && (args.query || args.cursor)) throw new ToolError("query and cursor list a prop's options: pass prop too.");
    const configurator = Configurator.forCall(services, user, ctx.conversation);
    let cfg = await configurator.resume({ configurationId: args.configuration_id, action: args.action, accountId: args.account_id });

    const propsBefore = cfg.props;
    let dropped: string[] = [];
    if (args.configured_props && Object.keys(args.configured_props).length) ({ cfg, dropped } = await configurator.apply(cfg, args.configured_props));
    // A caller continuing a configuration already has the action and its schema: send them again
    // only when asked for the whole picture (no prop) or when a reload changed the props.
    // A reload hands back a new prop list, most often the same one: compared by value only then.
    const full = !args.configuration_id || !args.prop || (cfg.props !== propsBefore && JSON.stringify(cfg.props) !== JSON.stringify(propsBefore));
    const options = args.prop ? await configurator.options(cfg, args.prop, args.query, args.cursor) : undefined;
    if (options) cfg = options.cfg;

    // With the props' schema in the result, missing[] names the props only (its schemas would repeat it).
    const missing = configurator.missing(cfg, { schemas: !full });
    const { schema, notes } = full ? propsToJsonSchema(cfg.props) : { schema: undefined, notes: [] };
    return success({
      outcome: "ok",
      ...(full ? { action: actionView(await configurator.action(cfg.actionKey)), props: schema } : {}),
      configuration_id: cfg.id,
      accounts: accountsView(cfg.props, cfg.configuredProps),
      configured: configuredView(cfg.props, cfg.configuredProps),
      missing,
      ...(options ? { prop: args.prop, options: options.options } : {}),
      ...(options?.nextCursor ? { next_cursor: options.nextCursor } : {}),
      ...(dropped.length ? { dropped } : {}),
      ...(full && notes.length ? { notes } : {}),
    });
  },
});

async function describeStatic(key: string, ctx: ToolContext) {
  const { catalog } = ctx.services();
  const action = await catalog.getAction(key);
  const { schema, appProps, notes, hasDynamicProps } = propsToJsonSchema(action.props);
  const allNotes = hasDynamicProps ? [...notes, DYNAMIC_NOTE_TOOLS_ONLY] : notes;
  return success({
    outcome: "ok",
    action: actionView(action),
    props: schema,
    accounts_needed: appProps.map((p) => ({ prop: p.name, app: p.app })),
    ...(allNotes.length ? { notes: allNotes } : {}),
    dynamic_props: hasDynamicProps,
  });
}
