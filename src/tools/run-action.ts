import { z } from "zod";
import { resolveAccount } from "../core/accounts.js";
import { validateConfiguredProps } from "../core/configured-props.js";
import { connectErrorMessage, ToolError } from "../core/errors.js";
import { requireEndUser } from "../core/identity.js";
import { propsToJsonSchema } from "../core/props-schema.js";
import { capJson, success } from "../core/results.js";
import type { Services } from "../core/services.js";
import type { ActionDefinition, ActionProp, ConnectedAccount, Observation } from "../providers/provider.js";
import { defineTool, stringMap } from "./define-tool.js";

/** Cap on the serialized return value handed back to the caller. */
const MAX_RESULT_CHARS = 100_000;

/** The app-prop values (`{authProvisionId}`), keyed by prop name, for this user's chosen accounts. */
async function fillAppProps(
  services: Services,
  user: string,
  action: ActionDefinition,
  accountId: string | undefined,
): Promise<{ values: Record<string, { authProvisionId: string }>; accounts: ConnectedAccount[] }> {
  const { appProps } = propsToJsonSchema(action.props);
  if (accountId && appProps.length === 0) throw new ToolError(`${action.key} uses no app account; omit account_id.`);
  const chosen = accountId ? await resolveAccount(services.provider, user, { accountId }) : undefined;
  if (chosen && !appProps.some((p) => p.app === chosen.app.slug)) {
    throw new ToolError(`Account ${chosen.id} is a ${chosen.app.slug} account, but ${action.key} needs ${appProps.map((p) => p.app).join(" and ")}.`);
  }
  const values: Record<string, { authProvisionId: string }> = {};
  const accounts: ConnectedAccount[] = [];
  for (const prop of appProps) {
    const account = chosen && chosen.app.slug === prop.app ? chosen : await resolveAccount(services.provider, user, { app: prop.app });
    values[prop.name] = { authProvisionId: account.id };
    accounts.push(account);
  }
  return { values, accounts };
}

function firstError(observations: Observation[]): Observation | undefined {
  return observations.find((o) => o.k === "error");
}

export const runAction = defineTool({
  name: "run_action",
  description:
    "Run an action with configured_props matching describe_action's schema, as the user's connected account. " +
    "Runs once, never retried. Returns its summary, return value (result) and exports.",
  inputSchema: z.strictObject({
    action: z.string().max(200),
    configured_props: stringMap(z.unknown()).optional(),
    account_id: z.string().optional().describe("From list_accounts"),
    confirmation_token: z.string().max(200).optional().describe("From a confirmation preview"),
  }),
  outputSchema: z.looseObject({
    outcome: z.enum(["ok", "needs_input"]),
    summary: z.string().optional(),
    result: z.unknown().optional(),
    exports: stringMap(z.unknown()).optional(),
  }),
  title: "Run an action",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async handler(args, ctx) {
    const services = ctx.services();
    const user = requireEndUser(ctx.identity);
    const action = await services.catalog.getAction(args.action);
    ctx.policy.checkAction(action);
    const given = args.configured_props ?? {};
    const app = await fillAppProps(services, user, action, args.account_id);

    let props: ActionProp[] = action.props;
    let dynamicPropsId: string | undefined;
    if (propsToJsonSchema(action.props).hasDynamicProps) {
      // Dynamic props only exist after a reload with the values that drive them: do it server-side,
      // so a caller that already knows every value can run in one call.
      const reloaded = await services.provider.reloadProps(user, {
        key: action.key,
        version: action.version,
        configuredProps: { ...given, ...app.values },
      });
      if (reloaded.errors.length) throw new ToolError(`Connect could not load the props of ${action.key}: ${connectErrorMessage(reloaded.errors[0]!)}`);
      if (reloaded.props.length) props = reloaded.props;
      dynamicPropsId = reloaded.dynamicPropsId;
    }
    validateConfiguredProps(action.key, props, given);
    const held = ctx.policy.action({ action, accountIds: app.accounts.map((a) => a.id), configuredProps: given });
    if (held) return held;

    const started = Date.now();
    const output = await services.provider.runAction(user, {
      key: action.key,
      version: action.version,
      configuredProps: { ...given, ...app.values },
      dynamicPropsId,
    });
    ctx.logger.info({ action: action.key, ms: Date.now() - started, accounts: app.accounts.map((a) => a.id) }, "action ran");
    const failed = firstError(output.observations);
    if (failed) {
      const reason = [failed.err?.name, failed.err?.message ?? failed.msg].filter(Boolean).join(": ") || "unknown error";
      throw new ToolError(`${action.key} failed: ${reason}. It ran once and was not retried; check the props and the account, then decide whether to run it again.`);
    }
    const { $summary, ...exports } = output.exports;
    const result = capJson(output.ret, MAX_RESULT_CHARS);
    return success({
      outcome: "ok",
      ...(typeof $summary === "string" ? { summary: $summary } : {}),
      result: result.value ?? null,
      exports,
      ...(result.truncated ? { truncated: true } : {}),
    });
  },
});

