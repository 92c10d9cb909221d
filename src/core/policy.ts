/**
 * What agents may do, from configuration: per deployment, and per API key (a key's `policy`
 * fields replace the deployment's, field by field).
 * - read-only: only actions annotated `readOnlyHint`, and only reads through api_proxy (GET, but not
 *   a GET that writes on an RPC-style API: see request-kind.ts);
 * - allowApps / denyApps: which app slugs may be used at all;
 * - confirmWrites: a write first returns a preview and a single-use confirmation token (bound to
 *   the end user and the exact call); only a second call carrying it executes.
 *
 * A refusal is a PolicyError naming the rule. Tools call the per-call `CallPolicy` once they know
 * what they are about to do (`ctx.policy.proxy(...)`, `ctx.policy.action(...)`).
 */
import { DEFAULT_RATE_LIMIT_BURST, type Config } from "../config.js";
import type { ActionDefinition, HttpMethod } from "../providers/provider.js";
import { callHash, type ConfirmationStore } from "../store/confirmations.js";
import { actionApp, actionApps } from "./action-view.js";
import { ToolError } from "./errors.js";
import type { Identity } from "./identity.js";
import { classifyProxyRequest } from "./request-kind.js";
import type { BucketSpec } from "./rate-limit.js";
import type { ToolResult } from "./results.js";

export type PolicyRule = "read-only" | "allow-apps" | "deny-apps" | "confirm-writes" | "rate-limit" | "app-props";

export class PolicyError extends ToolError {
  override name = "PolicyError";
  constructor(
    readonly rule: PolicyRule,
    message: string,
  ) {
    super(message);
  }
}

export interface EffectivePolicy {
  readOnly: boolean;
  allowApps: string[];
  denyApps: string[];
  confirmWrites: boolean;
  rateLimit: BucketSpec;
  /** Where the policy comes from, for refusal texts: `deployment` or `API key "<id>"`. */
  source: string;
}

/**
 * The per-user bucket: an explicitly set burst is used as is; otherwise the default burst, but never
 * more than the rate (a key limited to 10 calls a minute does not get 30 at once). A key that sets
 * its own rate without a burst is capped by that rate even under a deployment burst.
 */
function userBucket(config: Config, o: NonNullable<Identity["policy"]>): BucketSpec {
  const perMinute = o.rateLimitPerMinute ?? config.rateLimitPerMinute;
  if (o.rateLimitBurst !== undefined) return { perMinute, burst: o.rateLimitBurst };
  if (o.rateLimitPerMinute === undefined && config.rateLimitBurst !== undefined) return { perMinute, burst: config.rateLimitBurst };
  const burst = config.rateLimitBurst ?? DEFAULT_RATE_LIMIT_BURST;
  return { perMinute, burst: perMinute > 0 ? Math.max(1, Math.min(burst, perMinute)) : burst };
}

export function effectivePolicy(config: Config, identity: Identity): EffectivePolicy {
  const o = identity.policy ?? {};
  return {
    readOnly: o.readOnly ?? config.readOnly,
    allowApps: o.allowApps ?? config.allowApps,
    denyApps: o.denyApps ?? config.denyApps,
    confirmWrites: o.confirmWrites ?? config.confirmWrites,
    rateLimit: userBucket(config, o),
    source: identity.policy ? `API key "${identity.keyId}"` : "deployment",
  };
}

/** What a call did, as far as policy saw it: for the audit log. */
export interface CallFacts {
  app?: string;
  action?: string;
  method?: string;
  host?: string;
  accountId?: string;
  /** Set when the call ran with a valid confirmation token. */
  confirmed?: boolean;
  /** Set once a run or proxy request was handed to the provider (it may have reached upstream). */
  sent?: boolean;
}

export interface ProxyCall {
  app: string;
  accountId: string;
  method: HttpMethod;
  /** The exact URL that will be requested (query merged). */
  url: string;
  host: string;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

export interface ActionCall {
  action: ActionDefinition;
  /** The accounts the app props are filled with. */
  accountIds: string[];
  /** The caller's props (without app props), exactly as they will be sent. */
  configuredProps: Record<string, unknown>;
}

const CONFIRM_REASONS = {
  unknown: "it is not valid (unknown, or not issued to this user)",
  expired: "it has expired; call again without it for a new preview",
  used: "it was already used; each token runs one call once — call again without it for a new preview",
  different_call: "it was issued for a different call; the arguments must be exactly those of the preview",
} as const;

/** Policy for one tool call: checks, confirmation, and the facts it saw. */
export class CallPolicy {
  readonly facts: CallFacts = {};
  /**
   * Writes the hooks below let through in this call (`run:<key>`, `proxy:<method> <url> <account>`).
   * The governed provider (core/governance.ts) refuses a write that is not here, so no tool or
   * engine can reach Connect with a write that skipped read-only or confirmation.
   */
  private readonly cleared = new Set<string>();

  constructor(
    readonly policy: EffectivePolicy,
    private readonly user: string | undefined,
    private readonly tool: string,
    private readonly confirmationToken: string | undefined,
    private readonly confirmations: ConfirmationStore | undefined,
    private readonly ttlSeconds: number,
  ) {}

  /** Refuse an app outside the allowlist or on the denylist. */
  checkApp(app: string): void {
    this.facts.app ??= app;
    const { allowApps, denyApps, source } = this.policy;
    if (allowApps.length && !allowApps.includes(app)) {
      throw new PolicyError("allow-apps", `Refused by policy "allow-apps" (${source}): app "${app}" is not one of the allowed apps (${allowApps.join(", ")}).`);
    }
    if (denyApps.includes(app)) {
      throw new PolicyError("deny-apps", `Refused by policy "deny-apps" (${source}): app "${app}" may not be used here.`);
    }
  }

  /** Every app an action touches (its app props' apps, else its key prefix) must be allowed. */
  checkActionApps(action: Pick<ActionDefinition, "key" | "props">): void {
    this.facts.action ??= action.key;
    for (const app of actionApps(action)) this.checkApp(app);
  }

  /** App and read-only checks for an action, before anything about it reaches Connect. */
  checkAction(action: ActionDefinition): void {
    this.facts.action = action.key;
    this.checkActionApps(action);
    if (this.policy.readOnly && action.annotations?.readOnlyHint !== true) {
      throw new PolicyError(
        "read-only",
        `Refused by policy "read-only" (${this.policy.source}): only actions annotated read-only may run, and ${action.key} is not. Look for a read-only action with list_actions (read_only: true).`,
      );
    }
  }

  /** api_proxy's hook: undefined to go ahead, a preview result to stop at, or a PolicyError. */
  async proxy(call: ProxyCall): Promise<ToolResult | undefined> {
    Object.assign(this.facts, { method: call.method, host: call.host, accountId: call.accountId });
    this.checkApp(call.app);
    // RPC-style APIs write over GET too (Slack's chat.postMessage): the classifier decides, not the method alone.
    const kind = classifyProxyRequest(call.method, call.url, call.headers);
    if (this.policy.readOnly && kind.write) {
      throw new PolicyError(
        "read-only",
        call.method !== "GET"
          ? `Refused by policy "read-only" (${this.policy.source}): api_proxy may only send GET requests here, not ${call.method}.`
          : `Refused by policy "read-only" (${this.policy.source}): api_proxy may only read here, and this GET writes: ${kind.why}.`,
      );
    }
    if (!kind.write) return this.clear(proxyKey(call));
    const preview = { tool: "api_proxy", app: call.app, account_id: call.accountId, method: call.method, url: call.url, headers: call.headers, ...(call.body ? { body: call.body } : {}) };
    return (await this.confirm(preview, `${call.method} ${call.url} as ${call.app} account ${call.accountId}`)) ?? this.clear(proxyKey(call));
  }

  /** run_action's hook, just before the run: undefined to go ahead, a preview, or a PolicyError. */
  async action(call: ActionCall): Promise<ToolResult | undefined> {
    this.checkAction(call.action);
    this.facts.accountId ??= call.accountIds[0];
    if (call.action.annotations?.readOnlyHint === true) return this.clear(`run:${call.action.key}`);
    const preview = {
      tool: "run_action",
      action: call.action.key,
      version: call.action.version,
      app: actionApp(call.action),
      account_ids: call.accountIds,
      configured_props: call.configuredProps,
    };
    return (await this.confirm(preview, `run ${call.action.key}${call.accountIds.length ? ` as account ${call.accountIds.join(", ")}` : ""}`)) ?? this.clear(`run:${call.action.key}`);
  }

  private clear(what: string): undefined {
    this.cleared.add(what);
    return undefined;
  }

  /** Whether this call's hooks let `run:<key>` or a proxy request through (see `cleared`). */
  isCleared(what: { run: string } | { proxy: { method: string; url: string; accountId: string } }): boolean {
    return this.cleared.has("run" in what ? `run:${what.run}` : proxyKey(what.proxy));
  }

  /** Writes under confirm-writes: spend a matching token, or stop with a preview and a new token. */
  private async confirm(preview: Record<string, unknown>, what: string): Promise<ToolResult | undefined> {
    if (!this.policy.confirmWrites || !this.confirmations || !this.user) return undefined;
    const hash = callHash({ user: this.user, ...preview });
    if (this.confirmationToken) {
      const spent = await this.confirmations.consume(this.user, this.confirmationToken, hash);
      if (spent.ok) {
        this.facts.confirmed = true;
        return undefined;
      }
      throw new PolicyError("confirm-writes", `confirmation_token refused: ${CONFIRM_REASONS[spent.reason]}.`);
    }
    const { token, expiresAt } = await this.confirmations.issue(this.user, hash);
    const structured = {
      outcome: "needs_input",
      needs: "confirmation",
      preview,
      confirmation_token: token,
      expires_at: new Date(expiresAt).toISOString(),
    };
    const text =
      `Confirmation needed (policy "confirm-writes", ${this.policy.source}): this would ${what}. Nothing was sent. ` +
      `Show the preview to the user; if they agree, call ${this.tool} again with exactly the same arguments plus confirmation_token "${token}" ` +
      `(valid ${this.ttlSeconds} s, once).\n${JSON.stringify(structured)}`;
    return { content: [{ type: "text", text }], structuredContent: structured };
  }
}

function proxyKey(call: { method: string; url: string; accountId: string }): string {
  return `proxy:${call.method} ${call.url} ${call.accountId}`;
}

/**
 * The app slugs a tool's arguments name directly, for the early allow/deny check. Actions are not
 * guessed from their key: every action definition the call touches passes the governed catalog
 * and provider (core/governance.ts), which check it by its app props (`actionApps`).
 */
export function appsNamedIn(args: Record<string, unknown>): string[] {
  return typeof args.app === "string" && args.app ? [args.app] : [];
}

/**
 * App props (`{authProvisionId}`) are always filled by the server from the caller's own accounts;
 * a caller passing one — anyone's — is refused before anything reaches Connect.
 */
export function refuseAppPropValues(args: unknown, depth = 0): void {
  if (depth > 20 || args === null || typeof args !== "object") return;
  if (!Array.isArray(args) && Object.prototype.hasOwnProperty.call(args, "authProvisionId")) {
    throw new PolicyError(
      "app-props",
      "Arguments may not carry an app account ({authProvisionId}): the server fills app props from the user's own accounts. Pass account_id (from list_accounts) instead.",
    );
  }
  for (const v of Object.values(args as Record<string, unknown>)) refuseAppPropValues(v, depth + 1);
}

/** Drop entries of apps the policy excludes from list results (accounts, actions, apps). */
export function filterListedApps(structured: Record<string, unknown>, policy: EffectivePolicy): Record<string, unknown> | undefined {
  if (!policy.allowApps.length && !policy.denyApps.length) return undefined;
  const allowed = (app: unknown) =>
    typeof app !== "string" || ((!policy.allowApps.length || policy.allowApps.includes(app)) && !policy.denyApps.includes(app));
  let changed = false;
  const out: Record<string, unknown> = { ...structured };
  for (const [field, key] of [["accounts", "app"], ["actions", "app"], ["apps", "slug"]] as const) {
    const list = structured[field];
    if (!Array.isArray(list)) continue;
    const kept = list.filter((item) => !(item && typeof item === "object") || allowed((item as Record<string, unknown>)[key]));
    if (kept.length !== list.length) {
      out[field] = kept;
      changed = true;
    }
  }
  return changed ? out : undefined;
}
