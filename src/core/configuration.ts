/**
 * Step-by-step configuration of an action (full-config mode), behind server-minted handles.
 *
 * A configuration holds the props configured so far (app props included), the prop list in force
 * and the `dynamic_props_id` Connect returned. Setting a `reloadProps` prop reloads the prop list;
 * values still valid afterwards are kept. Remote options are fetched with everything configured so
 * far, and Connect's paging context travels inside an opaque cursor. A successful run closes the
 * handle; a run is claimed atomically, so the same handle cannot run twice concurrently.
 */
import { isDeepStrictEqual } from "node:util";
import type { ActionDefinition, ActionProp, ConnectedAccount, ProviderName, RunActionOutput } from "../providers/provider.js";
import { ProviderError } from "../providers/provider.js";
import type { Configuration, ConfigurationStore, ConversationDefaults } from "../store/configurations.js";
import { fillAppProps, resolveAccount } from "./accounts.js";
import { checkValue, missingRequired, toConnectValue, unknownPropMessage } from "./configured-props.js";
import { bindingConversation, type Conversation } from "./conversation.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { connectErrorMessage, quote, ToolError } from "./errors.js";
import { isConfigurable, propsToJsonSchema, valueSchema, type JsonSchema } from "./props-schema.js";
import type { Services } from "./services.js";

/** Reloads that can chain (a prop revealed by a reload may itself reload) are bounded. */
const MAX_RELOADS_PER_CALL = 4;

export interface MissingProp {
  name: string;
  /** Left out where the same result carries the props' schema already (a first describe_action). */
  schema?: JsonSchema;
  has_options: boolean;
}

export interface OptionsPage {
  options: Array<{ label: string; value: unknown }>;
  nextCursor?: string;
  /** The configuration as saved (fetching options may have chosen its account). */
  cfg: Configuration;
}

export interface ConfiguratorDeps {
  services: Services;
  configurations: ConfigurationStore;
  defaults: ConversationDefaults;
  user: string;
  conversation?: Conversation;
}

export class Configurator {
  /** Definitions this call read through the governed catalog (the policy check ran on that read). */
  private readonly actions = new Map<string, ActionDefinition>();

  constructor(private readonly deps: ConfiguratorDeps) {}

  static forCall(services: Services, user: string, conversation?: Conversation): Configurator {
    return new Configurator({ services, configurations: services.configurations, defaults: services.defaults, user, conversation });
  }

  /**
   * The configuration a call continues (`configurationId`) or starts (`action`), with any account
   * switch applied. A handle's action is read through the (governed) catalog, so the caller's
   * policy is checked on every use of a handle — whoever opened it.
   */
  async resume(req: { configurationId?: string; action?: string; accountId?: string; rerun?: boolean }): Promise<Configuration> {
    if (req.configurationId) {
      const cfg = await this.load(req.configurationId, { rerun: req.rerun });
      if (req.action && req.action !== cfg.actionKey) {
        throw new ToolError(`configuration_id ${cfg.id} configures ${cfg.actionKey}, not ${quote(req.action)}. Omit action, or start a new configuration.`);
      }
      await this.action(cfg.actionKey);
      return req.accountId ? this.useAccount(cfg, req.accountId) : cfg;
    }
    if (req.action) return this.open(await this.action(req.action), req.accountId);
    throw new ToolError("Pass action (to start) or configuration_id (to continue a configuration).");
  }

  /** An action's definition, read through the governed catalog once per call (a Configurator lives for one call). */
  async action(key: string): Promise<ActionDefinition> {
    let action = this.actions.get(key);
    if (!action) {
      action = await this.deps.services.catalog.getAction(key);
      this.actions.set(key, action);
    }
    return action;
  }

  /**
   * Start configuring `action`. The app account is resolved now only when `accountId` is given;
   * otherwise on first need (options, reload, run), so describing an action costs no account lookup.
   */
  async open(action: ActionDefinition, accountId?: string): Promise<Configuration> {
    const appValues = accountId ? await this.fillAppProps(action.props, accountId, action.key) : {};
    return this.deps.configurations.create({
      externalUserId: this.deps.user,
      conversationId: bindingConversation(this.deps.conversation),
      actionKey: action.key,
      actionVersion: action.version,
      configuredProps: appValues,
      props: action.props,
    });
  }

  /** A handle this user (and conversation) may use, or a ToolError saying why not. */
  async load(id: string, options: { rerun?: boolean } = {}): Promise<Configuration> {
    const cfg = await this.deps.configurations.get(id);
    // Another user's handle gets the same answer as a made-up one: nothing about it leaks.
    if (!cfg || cfg.externalUserId !== this.deps.user) {
      throw new ToolError(`configuration_id ${quote(id)} is not a configuration of this user. Start a new one with describe_action or run_action {action}.`);
    }
    const conversation = bindingConversation(this.deps.conversation);
    if (cfg.conversationId && conversation && cfg.conversationId !== conversation) {
      throw new ToolError(`configuration_id ${id} belongs to another conversation. Start a new one with describe_action {action: "${cfg.actionKey}"}.`);
    }
    if (cfg.status === "done") throw new ToolError(`configuration_id ${id} already ran and is closed. To run ${cfg.actionKey} again, start a new configuration with run_action {action: "${cfg.actionKey}"}.`);
    if (cfg.status === "running") throw new ToolError(`configuration_id ${id} is running right now; wait for that call's result.`);
    if (cfg.status === "unknown" && !options.rerun) {
      throw new ToolError(
        `configuration_id ${id}: the last run of ${cfg.actionKey} may or may not have happened (its outcome is unknown). ` +
          "Check in the app whether it took effect; only if it did not, call run_action with this configuration_id and rerun: true.",
        { outcome: "unknown", configuration_id: id },
      );
    }
    if (cfg.expiresAt <= Date.now()) {
      throw new ToolError(`configuration_id ${id} expired at ${new Date(cfg.expiresAt).toISOString()}. Start again with describe_action {action: "${cfg.actionKey}"}.`);
    }
    return cfg;
  }

  /** Switch the account used for the configuration's app prop(s). */
  async useAccount(cfg: Configuration, accountId: string): Promise<Configuration> {
    const appValues = await this.fillAppProps(cfg.props, accountId, cfg.actionKey);
    return this.deps.configurations.save({ ...cfg, configuredProps: { ...cfg.configuredProps, ...appValues } });
  }

  /**
   * Merge caller values into the configuration, reloading props when a `reloadProps` value changed.
   * Values for props that only exist after a reload are accepted once the reload reveals them.
   * Returns the saved configuration and the names of values dropped because a reload removed them.
   */
  async apply(cfg: Configuration, given: Record<string, unknown>): Promise<{ cfg: Configuration; dropped: string[] }> {
    let current = cfg;
    let pending = { ...given };
    const dropped: string[] = [];
    for (let round = 0; ; round++) {
      const byName = new Map(current.props.map((p) => [p.name, p]));
      const problems: string[] = [];
      const configured = { ...current.configuredProps };
      const later: Record<string, unknown> = {};
      let reload = false;
      for (const [name, value] of Object.entries(pending)) {
        const prop = byName.get(name);
        if (!prop) {
          later[name] = value;
          continue;
        }
        const problem = checkValue(prop, value);
        if (problem) {
          problems.push(problem);
          continue;
        }
        const next = toConnectValue(prop, value);
        if (prop.reloadProps && !isDeepStrictEqual(configured[name], next)) reload = true;
        if (value === null) delete configured[name];
        else configured[name] = next;
      }
      if (problems.length) throw new ToolError(`configured_props for ${current.actionKey} are not valid: ${problems.join("; ")}.`);
      current = { ...current, configuredProps: configured };
      if (!reload || round >= MAX_RELOADS_PER_CALL) {
        const unknown = Object.keys(later);
        if (unknown.length) {
          throw new ToolError(`configured_props for ${current.actionKey} are not valid: ${unknown.map((n) => unknownPropMessage(current.actionKey, current.props, n)).join("; ")}.`);
        }
        return { cfg: await this.deps.configurations.save(current), dropped };
      }
      current = await this.reloadMatchingLabels(await this.ensureAccounts(current), given);
      const names = new Set(current.props.map((p) => p.name));
      for (const name of Object.keys(current.configuredProps)) {
        if (!names.has(name)) {
          delete current.configuredProps[name];
          dropped.push(name);
        }
      }
      pending = later;
    }
  }

  /** The valid values of `propName` given what is configured so far, a page at a time. */
  async options(initial: Configuration, propName: string, query?: string, cursor?: string): Promise<OptionsPage> {
    const prop = initial.props.find((p) => p.name === propName);
    const cfg = prop?.remoteOptions ? await this.ensureAccounts(initial) : initial;
    if (!prop || !isConfigurable(prop)) {
      const withOptions = cfg.props.filter((p) => isConfigurable(p) && (p.remoteOptions || p.options)).map((p) => p.name);
      throw new ToolError(`"${quote(propName)}" is not a configurable prop of ${cfg.actionKey}. Props with options: ${withOptions.join(", ") || "none"}.`);
    }
    if (!prop.remoteOptions) {
      if (Array.isArray(prop.options)) return { options: prop.options.map(toOption), cfg };
      throw new ToolError(`"${propName}" has no list of options: any ${valueSchema(prop).type ?? "JSON"} value is accepted.`);
    }
    const bound = { cfg: cfg.id, prop: propName, query: query ?? null };
    const state = cursor ? decodeCursor(cursor, bound) : { page: 0 };
    const page = typeof state.page === "number" ? state.page : 0;
    const { [propName]: _self, ...others } = cfg.configuredProps;
    const res = await this.deps.services.provider.configureProp(this.deps.user, {
      key: cfg.actionKey,
      version: cfg.actionVersion,
      propName,
      configuredProps: others,
      dynamicPropsId: cfg.dynamicPropsId,
      ...(query && prop.useQuery ? { query } : {}),
      page,
      ...(state.context && typeof state.context === "object" ? { prevContext: state.context as Record<string, unknown> } : {}),
    });
    const failed = res.errors[0] ?? res.observations.find((o) => o.k === "error")?.err?.message;
    if (failed) throw new ToolError(`Connect could not list the options of "${propName}": ${connectErrorMessage(failed)}`);
    let options = res.options;
    // Without server-side search, filter the page ourselves so `query` still narrows the list.
    if (query && !prop.useQuery) options = options.filter((o) => `${o.label} ${String(o.value)}`.toLowerCase().includes(query.toLowerCase()));
    const more = res.context !== undefined && res.options.length > 0;
    return { options, cfg, ...(more ? { nextCursor: encodeCursor({ ...bound, page: page + 1, context: res.context }) } : {}) };
  }

  /** Required props still without a value, with their schema unless the caller sends the props' schema beside them. */
  missing(cfg: Configuration, options: { schemas?: boolean } = {}): MissingProp[] {
    const schema = options.schemas === false ? undefined : propsToJsonSchema(cfg.props).schema;
    return missingRequired(cfg.props, cfg.configuredProps).map((p) => ({
      name: p.name,
      ...(schema ? { schema: schema.properties[p.name] ?? valueSchema(p) } : {}),
      has_options: Boolean(p.remoteOptions || (Array.isArray(p.options) && p.options.length)),
    }));
  }

  /**
   * Run once. The handle closes on success, reopens when the action reported a failure or the run
   * was refused before it was sent, and moves to `unknown` when the run may have happened
   * (timeout, dropped connection, 5xx, unreadable answer, cancelled in flight).
   */
  async run(initial: Configuration, options: { rerun?: boolean } = {}): Promise<RunActionOutput> {
    const cfg = await this.ensureAccounts(initial);
    if (!(await this.deps.configurations.claimForRun(cfg.id, options))) {
      throw new ToolError(`configuration_id ${cfg.id} is already running or closed.`);
    }
    let output: RunActionOutput;
    try {
      output = await this.deps.services.provider.runAction(this.deps.user, {
        key: cfg.actionKey,
        version: cfg.actionVersion,
        configuredProps: cfg.configuredProps,
        dynamicPropsId: cfg.dynamicPropsId,
      });
    } catch (err) {
      await this.deps.configurations.finishRun(cfg.id, outcomeUnknown(err) ? "unknown" : "open");
      throw err;
    }
    const failed = output.observations.some((o) => o.k === "error");
    await this.deps.configurations.finishRun(cfg.id, failed ? "open" : "done");
    return output;
  }

  /** Fill any app prop still without an account (the conversation's choice, or the single healthy one). */
  async ensureAccounts(cfg: Configuration): Promise<Configuration> {
    const unset = cfg.props.filter((p) => p.type === "app" && !cfg.configuredProps[p.name]);
    if (unset.length === 0) return cfg;
    const configuredProps = { ...cfg.configuredProps };
    const owner = this.ownerOf(cfg.actionKey);
    for (const prop of unset) configuredProps[prop.name] = { authProvisionId: (await this.accountFor(String(prop.app ?? ""), owner)).id };
    return this.deps.configurations.save({ ...cfg, configuredProps });
  }

  /**
   * Reload; when Connect refuses the values, a remote-options value the caller just gave may be an
   * option's label ("Budget 2026") rather than its value ("sheet_budget_2026"): look it up among
   * the options, and if exactly one label matches, use that option's value and reload again.
   * Otherwise the error says how to list the valid values.
   */
  private async reloadMatchingLabels(cfg: Configuration, given: Record<string, unknown>): Promise<Configuration> {
    try {
      return await this.reload(cfg);
    } catch (err) {
      if (!(err instanceof ToolError)) throw err;
      const suspects = cfg.props.filter((p) => p.remoteOptions && typeof given[p.name] === "string" && isDeepStrictEqual(cfg.configuredProps[p.name], toConnectValue(p, given[p.name])));
      if (suspects.length === 0) throw err;
      const configuredProps = { ...cfg.configuredProps };
      const unmatched: string[] = [];
      for (const prop of suspects) {
        const label = String(given[prop.name]);
        const option = await this.optionByLabel({ ...cfg, configuredProps }, prop.name, label);
        if (option) configuredProps[prop.name] = toConnectValue(prop, prop.withLabel ? { label: option.label, value: option.value } : option.value);
        else unmatched.push(prop.name);
      }
      if (unmatched.length === suspects.length) {
        const how = unmatched.map((n) => `describe_action {configuration_id: "${cfg.id}", prop: "${n}"}`).join(" or ");
        throw new ToolError(`${err.message} ${unmatched.map((n) => `"${n}"`).join(", ")} takes a value from its options (an ID, not a label): ${how} lists them, and query searches them.`);
      }
      return this.reload({ ...cfg, configuredProps });
    }
  }

  /** The one option of `propName` whose label is `label` (case and a leading "#" aside), if any. */
  private async optionByLabel(cfg: Configuration, propName: string, label: string): Promise<{ label: string; value: unknown } | undefined> {
    const norm = (s: string) => s.trim().replace(/^#/, "").toLowerCase();
    try {
      const page = await this.options(cfg, propName, label);
      const hits = page.options.filter((o) => norm(o.label) === norm(label));
      return hits.length === 1 ? hits[0] : undefined;
    } catch (err) {
      if (err instanceof ToolError) return undefined;
      throw err;
    }
  }

  private async reload(cfg: Configuration): Promise<Configuration> {
    const res = await this.deps.services.provider.reloadProps(this.deps.user, {
      key: cfg.actionKey,
      version: cfg.actionVersion,
      configuredProps: cfg.configuredProps,
      dynamicPropsId: cfg.dynamicPropsId,
    });
    const failed = res.errors[0] ?? res.observations.find((o) => o.k === "error")?.err?.message;
    if (failed) throw new ToolError(`Connect could not reload the props of ${cfg.actionKey}: ${connectErrorMessage(failed)}`);
    return { ...cfg, props: res.props.length ? res.props : cfg.props, ...(res.dynamicPropsId ? { dynamicPropsId: res.dynamicPropsId } : {}), configuredProps: { ...cfg.configuredProps } };
  }

  /**
   * `{authProvisionId}` values for the app props. The account is `accountId`, else the one chosen
   * earlier in this conversation, else the app's single healthy account. An explicit choice is
   * remembered for the conversation.
   */
  private async fillAppProps(props: ActionProp[], accountId: string | undefined, actionKey: string): Promise<Record<string, { authProvisionId: string }>> {
    const owner = this.ownerOf(actionKey);
    const filled = await fillAppProps(this.deps.services.provider, this.deps.user, props, accountId, (app) => this.accountFor(app, owner), owner);
    if (filled.explicit) await this.remember(filled.explicit);
    return filled.values;
  }

  /** The provider an action runs at (its accounts must be held there). */
  private ownerOf(actionKey: string): ProviderName | undefined {
    return this.deps.services.provider.ownerOf({ actionKey });
  }

  private async accountFor(app: string, owner: ProviderName | undefined): Promise<ConnectedAccount> {
    const { provider } = this.deps.services;
    const conv = this.deps.conversation;
    const at = owner ? { provider: owner } : {};
    const remembered = conv ? await this.deps.defaults.get(this.deps.user, conv.id, `account:${app}`) : undefined;
    if (remembered) {
      try {
        return await resolveAccount(provider, this.deps.user, { app, accountId: remembered, ...at });
      } catch (err) {
        if (!(err instanceof ToolError)) throw err;
        // The remembered account is gone, dead or held at another provider: choose afresh.
      }
    }
    return resolveAccount(provider, this.deps.user, { app, ...at });
  }

  private async remember(account: ConnectedAccount): Promise<void> {
    const conv = this.deps.conversation;
    if (conv) await this.deps.defaults.set(this.deps.user, conv.id, `account:${account.app.slug}`, account.id);
  }
}

function toOption(o: unknown): { label: string; value: unknown } {
  if (o && typeof o === "object") {
    const lv = ((o as Record<string, unknown>).__lv ?? o) as Record<string, unknown>;
    if ("value" in lv) return { label: String(lv.label ?? lv.value), value: lv.value };
  }
  return { label: String(o), value: o };
}

/**
 * Whether a run failure leaves the outcome unknown (the action may have happened): the request may
 * have reached Connect — a timeout, a dropped connection, a 5xx, an answer we could not read, or a
 * cancellation while it was in flight. A refusal before sending (policy, 4xx) is not unknown.
 */
export function outcomeUnknown(err: unknown): boolean {
  return (
    err instanceof ProviderError &&
    (err.kind === "timeout" || err.kind === "network" || err.kind === "upstream" || err.kind === "malformed" || (err.kind === "cancelled" && !err.details.notSent))
  );
}
