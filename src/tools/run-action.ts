import { z } from "zod";
import { fillAppProps } from "../core/accounts.js";
import { Configurator, outcomeUnknown } from "../core/configuration.js";
import { runSubAgent } from "../core/subagent.js";
import { chooseModel } from "../core/subagent-model.js";
import { toConnectValue, validateConfiguredProps } from "../core/configured-props.js";
import { connectErrorMessage, ToolError } from "../core/errors.js";
import { requireEndUser } from "../core/identity.js";
import { propsToJsonSchema } from "../core/props-schema.js";
import { success, type ToolResult } from "../core/results.js";
import type { ToolContext } from "../core/services.js";
import type { ActionDefinition, ActionProp, RunActionOutput } from "../providers/provider.js";
import type { Configuration } from "../store/configurations.js";
import { defineTool, RESULT_ARGUMENTS_NOTE, resultArguments, RUN_OUTCOME, stringMap } from "./define-tool.js";

const toolsOnlyInput = z.strictObject({
  action: z.string().max(200).optional().describe("Action key from list_actions"),
  configured_props: stringMap(z.unknown()).optional().describe("Values by prop name"),
  account_id: z.string().optional().describe("From list_accounts"),
  confirmation_token: z.string().max(200).optional().describe("From a confirmation preview"),
  ...resultArguments,
});

const fullConfigInput = toolsOnlyInput.extend({
  action: z.string().max(200).optional().describe("Action key from list_actions"),
  configuration_id: z.string().max(100).optional().describe("To continue a configuration"),
  rerun: z.boolean().optional(),
});

const BASE_DESCRIPTION =
  "Run an action with configured_props (describe_action's schema) as the user's connected account. " +
  `Runs once, never retried. ${RESULT_ARGUMENTS_NOTE}`;

const subAgentInput = fullConfigInput.extend({
  instruction: z.string().max(4000).optional().describe("What to do, in plain language"),
  app: z.string().optional().describe("Limit to this app slug"),
});

const SUB_AGENT_DESCRIPTION =
  "Do something in the user's apps from a plain-language instruction: the server's model finds the action, looks up IDs, fills the props and runs it once, " +
  'or answers outcome "needs_input" with a question and a configuration_id to continue. Without instruction, works as in full-config.';

export const runAction = defineTool({
  name: "run_action",
  title: "Run an action",
  description: `${BASE_DESCRIPTION} configuration_id continues a configuration (missing props: outcome needs_input).`,
  modes: {
    "tools-only": { inputSchema: toolsOnlyInput, description: BASE_DESCRIPTION },
    "sub-agent": { inputSchema: subAgentInput, description: SUB_AGENT_DESCRIPTION },
  },
  inputSchema: fullConfigInput,
  dataField: "result",
  outputSchema: z.looseObject({
    outcome: RUN_OUTCOME,
    // Also summary, result and exports (see the description): the schema names what a client branches on.
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async handler(args, ctx): Promise<ToolResult> {
    const withInstruction = args as z.infer<typeof subAgentInput>;
    if (withInstruction.instruction !== undefined) {
      if (ctx.mode !== "sub-agent") throw new ToolError("instruction is only accepted in sub-agent mode; pass action and configured_props.");
      return reportingUnknownOutcome(() => runWithSubAgent(withInstruction as z.infer<typeof subAgentInput> & { instruction: string }, ctx));
    }
    if (ctx.mode !== "tools-only") return reportingUnknownOutcome(() => runConfigured(args, ctx));
    if (!args.action) throw new ToolError("action is required.");
    const action = args.action;
    return reportingUnknownOutcome(() => runOneShot({ ...args, action }, ctx));
  },
});

/** The run's result, or a ToolError for an action that reported failure in `os[]`. */
/** Why a run failed, from its first `os[]` error entry; undefined when it did not. */
function runFailure(output: RunActionOutput): string | undefined {
  const failed = output.observations.find((o) => o.k === "error");
  return failed && ([failed.err?.name, failed.err?.message ?? failed.msg].filter(Boolean).join(": ") || "unknown error");
}

function runResult(key: string, output: RunActionOutput, extra: Record<string, unknown> = {}, cfg?: Configuration): ToolResult {
  const reason = runFailure(output);
  const { configuration_id: handle, ...rest } = extra;
  if (reason) {
    const message = `${key} failed: ${reason}. It ran once and was not retried; check the props and the account, then decide whether to run it again.${labelHint(reason, cfg)}`;
    // The handle stays open: the caller fixes a value and runs it with the same configuration_id.
    if (typeof handle === "string") return failureWith(`${message} To fix and run again: run_action {configuration_id: "${handle}", configured_props: {…}}.`, { configuration_id: handle });
    throw new ToolError(message);
  }
  const { $summary, $mock, ...exports } = output.exports;
  // A successful run closed its handle; handing it back would only invite "already ran".
  return success({
    outcome: "ok",
    // A local connector in mock mode answered from its example: nothing was sent.
    ...($mock === true ? { mock: true } : {}),
    ...(typeof $summary === "string" ? { summary: $summary } : {}),
    // Whole: the result budget cuts it keeping its structure (and keeps it for result_id).
    result: output.ret ?? null,
    exports,
    ...rest,
  });
}

/**
 * A failure that reads like a value was not found, in a configuration with remote-options values:
 * perhaps one was given as an option's label. Say how to list the real values.
 */
function labelHint(reason: string, cfg: Configuration | undefined): string {
  if (!cfg || !/not found|not accessible|unknown|invalid|no such/i.test(reason)) return "";
  const props = cfg.props.filter((p) => p.remoteOptions && cfg.configuredProps[p.name] !== undefined).map((p) => p.name);
  if (props.length === 0) return "";
  return ` If ${props.map((n) => `"${n}"`).join(" or ")} was given as a label, use the option's value instead: describe_action {configuration_id: "${cfg.id}", prop: "${props[0]}"} lists them.`;
}

/**
 * A run whose outcome is unknown (timeout, dropped connection, 5xx, unreadable answer, cancelled in
 * flight) must look neither like success nor like "it did not happen": outcome "unknown", isError.
 */
class OutcomeUnknownError extends ToolError {
  override name = "OutcomeUnknownError";
}

async function guardUnknownOutcome<T>(key: string, run: () => Promise<T>, configurationId?: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (outcomeUnknown(err)) {
      const next = configurationId
        ? ` Only if it did not, call run_action {configuration_id: "${configurationId}", rerun: true}.`
        : " Only if it did not, run it again.";
      throw new OutcomeUnknownError(
        `${key} may or may not have run: ${(err as Error).message} It was not retried. Check in the app whether it took effect before doing anything else.${next}`,
        { outcome: "unknown", action: key, ...(configurationId ? { configuration_id: configurationId } : {}) },
      );
    }
    throw err;
  }
}

/** An unknown outcome as a result: isError, with `outcome: "unknown"` in structuredContent. */
async function reportingUnknownOutcome(run: () => Promise<ToolResult>): Promise<ToolResult> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof OutcomeUnknownError)) throw err;
    return failureWith(err.message, err.detail ?? { outcome: "unknown" });
  }
}

/* ---------- sub-agent: a server-side model configures and runs ---------- */

async function runWithSubAgent(args: z.infer<typeof subAgentInput> & { instruction: string }, ctx: ToolContext): Promise<ToolResult> {
  const services = ctx.services();
  const user = requireEndUser(ctx.identity);
  if (!args.instruction.trim()) throw new ToolError("instruction is empty: say what to do, in plain language.");
  const model = await chooseModel(services.config, ctx.sampling);
  const configurator = Configurator.forCall(services, user, ctx.conversation);
  let running: Configuration | undefined;
  const outcome = await guardUnknownOutcome(
    args.action ?? "the action",
    () =>
      runSubAgent(
        { instruction: args.instruction, action: args.action, app: args.app, configurationId: args.configuration_id, configuredProps: args.configured_props, accountId: args.account_id, rerun: args.rerun },
        {
          services,
          configurator,
          user,
          model,
          maxSteps: services.config.subagentMaxSteps,
          timeoutMs: services.config.subagentTimeoutMs,
          signal: ctx.signal,
          beforeRun: async (cfg) => {
            running = cfg;
            return ctx.policy.action(policyCall(await services.catalog.getAction(cfg.actionKey), cfg));
          },
        },
      ),
    undefined,
  ).catch((err: unknown) => {
    // The handle that was running is the one to check and rerun.
    if (err instanceof OutcomeUnknownError && running) {
      throw new OutcomeUnknownError(err.message.replace("run it again.", `call run_action {configuration_id: "${running.id}", rerun: true}.`), { ...err.detail, action: running.actionKey, configuration_id: running.id });
    }
    throw err;
  });
  const cfg = outcome.cfg;
  const report = {
    action: cfg?.actionKey ?? null,
    configured_props: cfg ? callerView(cfg) : {},
    ...outcome.stats,
  };
  ctx.logger.info({ action: report.action, outcome: outcome.kind, model_calls: report.model_calls, input_tokens: report.input_tokens, output_tokens: report.output_tokens, ms: report.wall_ms }, "sub-agent");
  const handle = cfg ? { configuration_id: cfg.id } : {};
  if (outcome.kind === "ran") {
    const reason = runFailure(outcome.output);
    if (reason) {
      return failureWith(`${outcome.cfg.actionKey} failed: ${reason}. It ran once and was not retried.`, { ...handle, subagent: report });
    }
    return runResult(outcome.cfg.actionKey, outcome.output, { ...handle, subagent: report }, outcome.cfg);
  }
  if (outcome.kind === "held") {
    // Policy wants the user's confirmation first: the preview, plus the handle to confirm with.
    const structured = { ...(outcome.preview.structuredContent ?? {}), ...handle, subagent: report };
    return { ...outcome.preview, structuredContent: structured };
  }
  if (outcome.kind === "needs_input") {
    return success({ outcome: "needs_input", question: outcome.question, ...handle, ...(outcome.missing.length ? { missing: outcome.missing } : {}), subagent: report });
  }
  if (outcome.modelFailed) {
    // The server's model is down or misconfigured: nothing the caller rewords will help.
    const direct = cfg
      ? `run_action {configuration_id: "${cfg.id}", configured_props: {…}} continues without the model`
      : "run_action with action and configured_props works without the model";
    return failureWith(
      `The sub-agent's model is not available: ${outcome.reason.replace(/^the model failed: /, "")}. This is a problem with the server's model configuration, not the instruction; meanwhile ${direct}.`,
      { ...handle, subagent: report },
    );
  }
  const next = cfg ? ` Continue with configuration_id ${cfg.id} (describe_action shows what is set), or rephrase the instruction.` : " Rephrase the instruction, or name the action.";
  return failureWith(`The sub-agent could not finish: ${outcome.reason}.${next}`, { ...handle, subagent: report });
}

/** What the policy sees of a configured run: the action, its accounts and the caller's values. */
function policyCall(action: ActionDefinition, cfg: Configuration) {
  const accountIds: string[] = [];
  const configuredProps: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(cfg.configuredProps)) {
    const id = (value as { authProvisionId?: unknown } | null)?.authProvisionId;
    if (typeof id === "string") accountIds.push(id);
    else configuredProps[name] = value;
  }
  return { action, accountIds, configuredProps };
}

/** A policy preview for a configuration: the handle travels with it, so the confirmation can name it. */
function withHandle(result: ToolResult, id: string): ToolResult {
  return result.structuredContent ? { ...result, structuredContent: { ...result.structuredContent, configuration_id: id } } : result;
}

/** The configured values a caller may see: app props shown as the account ids they use. */
function callerView(cfg: Configuration): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(cfg.configuredProps).map(([k, v]) => {
      const id = (v as { authProvisionId?: unknown } | null)?.authProvisionId;
      return [k, typeof id === "string" ? { account_id: id } : v];
    }),
  );
}

/** An isError result that still carries structured detail (the sub-agent's report). */
function failureWith(message: string, structured: Record<string, unknown>): ToolResult {
  return { content: [{ type: "text", text: `${message}\n${JSON.stringify(structured)}` }], structuredContent: structured, isError: true };
}

/* ---------- full-config: configuration handles ---------- */

async function runConfigured(args: z.infer<typeof fullConfigInput>, ctx: ToolContext): Promise<ToolResult> {
  const services = ctx.services();
  const user = requireEndUser(ctx.identity);
  const configurator = Configurator.forCall(services, user, ctx.conversation);
  let cfg = await configurator.resume({ configurationId: args.configuration_id, action: args.action, accountId: args.account_id, rerun: args.rerun });
  const action = await services.catalog.getAction(cfg.actionKey);
  ctx.policy.checkAction(action);
  if (args.configured_props && Object.keys(args.configured_props).length) ({ cfg } = await configurator.apply(cfg, args.configured_props));

  const missing = configurator.missing(cfg);
  if (missing.length) {
    return success({
      outcome: "needs_input",
      configuration_id: cfg.id,
      action: cfg.actionKey,
      missing,
      message: `Set ${missing.map((m) => m.name).join(", ")} and call run_action again with this configuration_id` +
        (missing.some((m) => m.has_options) ? "; describe_action with prop lists the valid options." : "."),
    });
  }
  cfg = await configurator.ensureAccounts(cfg);
  const held = await ctx.policy.action(policyCall(action, cfg));
  if (held) return withHandle(held, cfg.id);
  const started = Date.now();
  const ready = cfg;
  const output = await guardUnknownOutcome(cfg.actionKey, () => configurator.run(ready, { rerun: args.rerun }), cfg.id);
  ctx.logger.info({ action: cfg.actionKey, ms: Date.now() - started, configuration: cfg.id }, "action ran");
  return runResult(cfg.actionKey, output, { configuration_id: cfg.id }, cfg);
}

/* ---------- tools-only: one shot, stateless ---------- */

async function runOneShot(args: z.infer<typeof toolsOnlyInput> & { action: string }, ctx: ToolContext): Promise<ToolResult> {
  const services = ctx.services();
  const user = requireEndUser(ctx.identity);
  const action = await services.catalog.getAction(args.action);
  ctx.policy.checkAction(action);
  const given = args.configured_props ?? {};
  const app = await fillAppProps(services.provider, user, action.props, args.account_id, undefined, services.provider.ownerOf({ actionKey: action.key }));

  let props: ActionProp[] = action.props;
  let dynamicPropsId: string | undefined;
  if (propsToJsonSchema(action.props).hasDynamicProps) {
    // Dynamic props only exist after a reload with the values that drive them: do it server-side,
    // so a caller that already knows every value can run in one call.
    const reloaded = await services.provider.reloadProps(user, { key: action.key, version: action.version, configuredProps: { ...given, ...app.values } });
    if (reloaded.errors.length) throw new ToolError(`Connect could not load the props of ${action.key}: ${connectErrorMessage(reloaded.errors[0]!)}`);
    if (reloaded.props.length) props = reloaded.props;
    dynamicPropsId = reloaded.dynamicPropsId;
  }
  try {
    validateConfiguredProps(action.key, props, given);
  } catch (err) {
    if (err instanceof ToolError && dynamicPropsId) {
      throw new ToolError(`${err.message} ${action.key} has dynamic props (listed above after reloading with your values); give them all in one call, or use full-config mode to configure step by step.`);
    }
    throw err;
  }
  const held = await ctx.policy.action({ action, accountIds: app.accounts.map((a) => a.id), configuredProps: given });
  if (held) return held;
  const byName = new Map(props.map((p) => [p.name, p]));
  const configuredProps = Object.fromEntries(Object.entries(given).map(([name, value]) => [name, toConnectValue(byName.get(name)!, value)]));

  const started = Date.now();
  const output = await guardUnknownOutcome(action.key, () =>
    services.provider.runAction(user, { key: action.key, version: action.version, configuredProps: { ...configuredProps, ...app.values }, dynamicPropsId }),
  );
  ctx.logger.info({ action: action.key, ms: Date.now() - started, accounts: app.accounts.map((a) => a.id) }, "action ran");
  return runResult(action.key, output);
}
