/**
 * Sub-agent mode: a server-side model turns a plain-language instruction into a configured action
 * run. It works through the same Configurator as a full-config caller (describe, options, reload,
 * values, run), for the same end user, with the same validation, and:
 * - never sets a remote-options value it has not seen in get_options (or the caller/instruction
 *   did not give): IDs are looked up, not invented;
 * - asks (outcome needs_input, with the handle) instead of guessing when something is ambiguous;
 * - is bounded by a step limit and a timeout, and reports model calls, tokens and wall time.
 */
import { isDeepStrictEqual } from "node:util";
import type { ChatModel, ModelMessage, ModelToolCall, ModelToolSpec } from "../providers/llm/model.js";
import { ModelError } from "../providers/llm/model.js";
import { ProviderError, type RunActionOutput } from "../providers/provider.js";
import type { Configuration } from "../store/configurations.js";
import { actionApp, actionSummary } from "./action-view.js";
import type { Configurator, MissingProp } from "./configuration.js";
import { ConnectRequiredError } from "./connect.js";
import { ToolError } from "./errors.js";
import { throwIfCancelled } from "./governance.js";
import { PolicyError } from "./policy.js";
import { isConfigurable, isRequired } from "./props-schema.js";
import type { ToolResult } from "./results.js";
import type { Services } from "./services.js";

export interface SubAgentInput {
  instruction: string;
  action?: string;
  app?: string;
  configurationId?: string;
  configuredProps?: Record<string, unknown>;
  accountId?: string;
  /** Continue a handle whose last run's outcome is unknown (the caller checked the app). */
  rerun?: boolean;
}

export interface SubAgentStats {
  backend: string;
  model: string;
  model_calls: number;
  input_tokens: number;
  output_tokens: number;
  tokens_estimated: boolean;
  tool_calls: number;
  wall_ms: number;
}

export type SubAgentOutcome =
  | { kind: "ran"; cfg: Configuration; output: RunActionOutput; stats: SubAgentStats }
  | { kind: "needs_input"; cfg?: Configuration; question: string; missing: MissingProp[]; stats: SubAgentStats }
  | { kind: "failed"; cfg?: Configuration; reason: string; stats: SubAgentStats; /** The model itself failed: infrastructure, not the instruction. */ modelFailed?: boolean }
  | { kind: "held"; cfg: Configuration; preview: ToolResult; stats: SubAgentStats };

export interface SubAgentDeps {
  services: Services;
  configurator: Configurator;
  user: string;
  model: ChatModel;
  maxSteps: number;
  timeoutMs: number;
  /** The caller's cancellation: no model call, step or run starts once it fired. */
  signal?: AbortSignal;
  /** The same policy hook a direct run goes through: a preview stops the run, a refusal throws. */
  beforeRun?: (cfg: Configuration) => Promise<ToolResult | undefined>;
}

const MAX_OPTIONS_SHOWN = 30;
const MAX_TOKENS_PER_REPLY = 1024;

const SYSTEM = `You configure and run exactly one action (of Pipedream Connect or Composio) for the user, by calling tools.
1. If no action is configured yet, find it with find_actions, then configure_action.
2. Props with has_options need real IDs: call get_options (use query to search) and use only values it returns. Never invent an ID.
3. set_props sets values; a prop marked reloads may reveal new props, so look at the returned state.
4. When nothing required is missing, call run_action.
If the instruction is ambiguous (e.g. two plausible accounts, spreadsheets or channels) or lacks a required value you cannot look up, call ask_user with one short question instead of guessing.
Use the user's values exactly as given. Keep arguments minimal.`;

export async function runSubAgent(input: SubAgentInput, deps: SubAgentDeps): Promise<SubAgentOutcome> {
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deps.timeoutMs);
  // Either the time limit or the caller's cancellation stops the model call in flight.
  const stop = deps.signal ? AbortSignal.any([controller.signal, deps.signal]) : controller.signal;
  const stats: SubAgentStats = {
    backend: deps.model.backend,
    model: deps.model.model,
    model_calls: 0,
    input_tokens: 0,
    output_tokens: 0,
    tokens_estimated: false,
    tool_calls: 0,
    wall_ms: 0,
  };
  const finish = <T extends SubAgentOutcome>(o: T): T => {
    clearTimeout(timer);
    o.stats.wall_ms = Date.now() - started;
    o.stats.model = deps.model.model;
    return o;
  };
  const session = new Session(input, deps);
  try {
    await session.prepare();
    const messages: ModelMessage[] = [{ role: "user", content: session.openingMessage() }];
    for (let step = 0; step < deps.maxSteps; step++) {
      throwIfCancelled(deps.signal, "continue the sub-agent");
      if (controller.signal.aborted) return finish({ kind: "failed", cfg: session.cfg, reason: `the sub-agent ran out of time (${deps.timeoutMs} ms)`, stats });
      let reply;
      try {
        reply = await deps.model.complete({ system: SYSTEM, messages, tools: session.tools(), maxTokens: MAX_TOKENS_PER_REPLY, signal: stop });
      } catch (err) {
        throwIfCancelled(deps.signal, "continue the sub-agent");
        if (controller.signal.aborted) return finish({ kind: "failed", cfg: session.cfg, reason: `the sub-agent ran out of time (${deps.timeoutMs} ms)`, stats });
        if (err instanceof ModelError) return finish({ kind: "failed", cfg: session.cfg, reason: `the model failed: ${err.message}`, stats, modelFailed: true });
        throw err;
      }
      stats.model_calls++;
      stats.input_tokens += reply.usage.inputTokens;
      stats.output_tokens += reply.usage.outputTokens;
      stats.tokens_estimated ||= reply.usage.estimated === true;
      messages.push({ role: "assistant", ...(reply.content ? { content: reply.content } : {}), toolCalls: reply.toolCalls });
      if (reply.toolCalls.length === 0) {
        // A plain-text answer is the model talking to the user: treat it as its question.
        const question = reply.content?.trim() || "The sub-agent could not decide how to proceed; please give more detail.";
        return finish({ kind: "needs_input", cfg: session.cfg, question, missing: session.missing(), stats });
      }
      for (const call of reply.toolCalls) {
        throwIfCancelled(deps.signal, "continue the sub-agent");
        stats.tool_calls++;
        const result = await session.execute(call);
        if (result.final) return finish({ ...result.final, stats });
        messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: JSON.stringify(result.data) });
      }
    }
    return finish({ kind: "failed", cfg: session.cfg, reason: `the sub-agent did not finish within ${deps.maxSteps} model calls`, stats });
  } finally {
    clearTimeout(timer);
  }
}

type Final =
  | { kind: "ran"; cfg: Configuration; output: RunActionOutput }
  | { kind: "held"; cfg: Configuration; preview: ToolResult }
  | { kind: "needs_input"; cfg?: Configuration; question: string; missing: MissingProp[] };

/** One sub-agent run's state: the configuration and what the model has been shown. */
class Session {
  cfg?: Configuration;
  /** Values the model may use for remote-options props: from get_options, the caller, the instruction. */
  private readonly seen = new Map<string, unknown[]>();

  constructor(
    private readonly input: SubAgentInput,
    private readonly deps: SubAgentDeps,
  ) {}

  async prepare(): Promise<void> {
    const { configurator } = this.deps;
    if (this.input.configurationId || this.input.action) {
      this.cfg = await configurator.resume({ configurationId: this.input.configurationId, action: this.input.action, accountId: this.input.accountId, rerun: this.input.rerun });
    }
    if (this.cfg && this.input.configuredProps && Object.keys(this.input.configuredProps).length) {
      this.cfg = (await configurator.apply(this.cfg, this.input.configuredProps)).cfg;
    }
  }

  openingMessage(): string {
    const parts = [`Instruction: ${this.input.instruction}`];
    if (this.input.app) parts.push(`Only actions of the app "${this.input.app}" may be used.`);
    if (this.cfg) parts.push(`Already configured: ${JSON.stringify(this.state())}`);
    return parts.join("\n");
  }

  tools(): ModelToolSpec[] {
    const specs: ModelToolSpec[] = [];
    if (!this.input.action && !this.input.configurationId) {
      specs.push(
        { name: "find_actions", description: "Search actions by words (and app slug).", parameters: obj({ query: str(), app: str() }, ["query"]) },
        { name: "configure_action", description: "Start configuring an action by key; returns its props and what is missing.", parameters: obj({ action: str(), account_id: str() }, ["action"]) },
      );
    }
    specs.push(
      { name: "list_accounts", description: "The user's connected accounts for an app (ids, names, health).", parameters: obj({ app: str() }, ["app"]) },
      { name: "use_account", description: "Use this account (id from list_accounts) for the action.", parameters: obj({ account_id: str() }, ["account_id"]) },
      { name: "get_options", description: "Valid values of a prop with has_options. query searches; cursor pages.", parameters: obj({ prop: str(), query: str(), cursor: str() }, ["prop"]) },
      { name: "set_props", description: "Set prop values by name; returns the new state.", parameters: obj({ values: { type: "object" } }, ["values"]) },
      { name: "run_action", description: "Run the configured action (only when nothing required is missing).", parameters: obj({}, []) },
      { name: "ask_user", description: "Stop and ask the user one short question.", parameters: obj({ question: str() }, ["question"]) },
    );
    return specs;
  }

  missing(): MissingProp[] {
    return this.cfg ? this.deps.configurator.missing(this.cfg) : [];
  }

  /** Run one model tool call. Expected failures go back to the model as `{error}`; it may recover. */
  async execute(call: ModelToolCall): Promise<{ data?: unknown; final?: Final }> {
    const args = call.arguments;
    let running = false;
    try {
      switch (call.name) {
        case "find_actions":
          return { data: await this.findActions(String(args.query ?? ""), optionalString(args.app)) };
        case "configure_action":
          return { data: await this.configure(String(args.action ?? ""), optionalString(args.account_id)) };
        case "list_accounts": {
          const accounts = await this.deps.services.provider.listAccounts(this.deps.user, { app: String(args.app ?? "") });
          return { data: accounts.map((a) => ({ id: a.id, name: a.name, healthy: a.healthy && !a.dead })) };
        }
        case "use_account": {
          this.cfg = await this.deps.configurator.useAccount(this.requireCfg(), String(args.account_id ?? ""));
          return { data: this.state() };
        }
        case "get_options":
          return { data: await this.options(String(args.prop ?? ""), optionalString(args.query), optionalString(args.cursor)) };
        case "set_props":
          return { data: await this.setProps(args.values) };
        case "run_action": {
          const cfg = await this.deps.configurator.ensureAccounts(this.requireCfg());
          this.cfg = cfg;
          const missing = this.deps.configurator.missing(cfg);
          if (missing.length) return { data: { error: `still missing: ${missing.map((m) => m.name).join(", ")}` } };
          // Policy decisions are final, never something for the model to argue with.
          running = true;
          const preview = await this.deps.beforeRun?.(cfg);
          if (preview) return { final: { kind: "held", cfg, preview } };
          throwIfCancelled(this.deps.signal, "run the action");
          return { final: { kind: "ran", cfg, output: await this.deps.configurator.run(cfg, { rerun: this.input.rerun }) } };
        }
        case "ask_user":
          return { final: { kind: "needs_input", cfg: this.cfg, question: String(args.question ?? "").trim() || "Please give more detail.", missing: this.missing() } };
        default:
          return { data: { error: `unknown tool ${call.name}` } };
      }
    } catch (err) {
      // A failed run is never handed back to the model: it might simply run it again.
      if (running) throw err;
      // Policy decisions and cancellation are final, never something for the model to work around.
      if (err instanceof PolicyError || (err instanceof ProviderError && err.kind === "cancelled")) throw err;
      // Not something the model can fix: the caller gets connect_required with a Connect Link.
      if (err instanceof ConnectRequiredError) throw err;
      if (err instanceof ToolError || err instanceof ProviderError) return { data: { error: err.message } };
      throw err;
    }
  }

  private requireCfg(): Configuration {
    if (!this.cfg) throw new ToolError("no action is configured yet: call configure_action first");
    return this.cfg;
  }

  private async findActions(query: string, app?: string) {
    const page = await this.deps.services.catalog.listActions({ query, app: this.input.app ?? app, limit: 10 });
    return page.actions.map((a) => {
      const s = actionSummary(a);
      return { key: s.key, name: s.name, description: s.description };
    });
  }

  private async configure(key: string, accountId?: string) {
    const action = await this.deps.services.catalog.getAction(key);
    if (this.input.app && actionApp(action) !== this.input.app) throw new ToolError(`${key} is not an action of ${this.input.app}`);
    this.cfg = await this.deps.configurator.open(action, accountId);
    return this.state();
  }

  private async options(prop: string, query?: string, cursor?: string) {
    const page = await this.deps.configurator.options(this.requireCfg(), prop, query, cursor);
    this.cfg = page.cfg;
    const shown = page.options.slice(0, MAX_OPTIONS_SHOWN);
    this.seen.set(prop, [...(this.seen.get(prop) ?? []), ...shown.map((o) => o.value)]);
    return { options: shown, ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}), ...(page.options.length > shown.length ? { more: "use query to narrow" } : {}) };
  }

  private async setProps(values: unknown) {
    if (!values || typeof values !== "object" || Array.isArray(values)) throw new ToolError("values must be an object of prop name → value");
    const cfg = this.requireCfg();
    const byName = new Map(cfg.props.map((p) => [p.name, p]));
    for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
      const prop = byName.get(name);
      if (prop?.remoteOptions && value !== null && !this.mayUse(name, value)) {
        throw new ToolError(`the value for "${name}" must come from get_options (call get_options {prop: "${name}"} and pick one of its values); IDs must not be guessed`);
      }
    }
    const { cfg: next, dropped } = await this.deps.configurator.apply(cfg, values as Record<string, unknown>);
    this.cfg = next;
    return { ...this.state(), ...(dropped.length ? { dropped } : {}) };
  }

  /** A remote-options value is usable if looked up, given by the caller, or written in the instruction. */
  private mayUse(prop: string, value: unknown): boolean {
    const plain = (v: unknown) => (v && typeof v === "object" && "value" in (v as object) ? (v as { value: unknown }).value : v);
    const items = Array.isArray(value) ? value.map(plain) : [plain(value)];
    const given = [this.input.configuredProps?.[prop], this.cfg?.configuredProps[prop]].flat();
    return items.every(
      (v) =>
        (this.seen.get(prop) ?? []).some((s) => isDeepStrictEqual(s, v)) ||
        given.some((g) => isDeepStrictEqual(plain(g), v)) ||
        (typeof v === "string" && v.length >= 3 && this.input.instruction.includes(v)),
    );
  }

  /** What the model sees of the configuration: compact, values of app props shown as accounts. */
  private state() {
    const cfg = this.requireCfg();
    const props = cfg.props.filter(isConfigurable).map((p) => ({
      name: p.name,
      type: p.type,
      ...(p.label ? { label: p.label } : {}),
      ...(isRequired(p) ? { required: true } : {}),
      ...(p.remoteOptions || p.options ? { has_options: true } : {}),
      ...(p.reloadProps ? { reloads: true } : {}),
      ...(p.description ? { description: p.description.slice(0, 160) } : {}),
    }));
    const accounts = cfg.props.filter((p) => p.type === "app").map((p) => ({ app: p.app, account_id: (cfg.configuredProps[p.name] as { authProvisionId?: string } | undefined)?.authProvisionId ?? null }));
    const appNames = new Set(cfg.props.filter((p) => p.type === "app").map((p) => p.name));
    const configured = Object.fromEntries(Object.entries(cfg.configuredProps).filter(([k]) => !appNames.has(k)));
    return { action: cfg.actionKey, accounts, props, configured, missing: this.deps.configurator.missing(cfg).map((m) => m.name) };
  }
}

function str() {
  return { type: "string" };
}
function obj(properties: Record<string, unknown>, required: string[]) {
  return { type: "object", properties, required, additionalProperties: false };
}
function optionalString(v: unknown): string | undefined {
  return typeof v === "string" && v ? v : undefined;
}
