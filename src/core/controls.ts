/**
 * Every tool call runs through `Controls.run`: per-end-user and server-wide rate limits, the early policy checks
 * (apps named in the arguments, no caller-supplied app accounts), the tool itself with a per-call
 * `CallPolicy`, failures turned into `isError` results, list results trimmed to allowed apps,
 * then one audit row and one log line (end user as a salted hash, never the raw id).
 */
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { ProviderError } from "../providers/provider.js";
import { AuditLog, userHasher, type AuditOutcome } from "../store/audit.js";
import { ConfirmationStore } from "../store/confirmations.js";
import type { Db } from "../store/db.js";
import type { BucketLimits } from "../store/rate-limits.js";
import { describeFailure, quote, ToolError } from "./errors.js";
import { credentialLabel, type Identity } from "./identity.js";
import { appsNamedIn, CallPolicy, effectivePolicy, filterListedApps, PolicyError, refuseAppPropValues } from "./policy.js";
import { IdempotencyStore } from "../store/idempotency.js";
import { newResultId, StoredResults } from "../store/stored-results.js";
import { runIdempotent } from "./idempotency.js";
import { orphanedAfterMs, startOrphanSweep, type OrphanSweep } from "./orphan-sweep.js";
import { shapeResult } from "./result-shaping.js";
import { projectBucket, rateLimitsFor } from "./rate-limit.js";
import { failure, type ToolResult } from "./results.js";

const PRUNE_EVERY_MS = 60 * 60_000;
/** A busy server writes its audit rows at most this often (see pendingAudit), or at once when this many wait. */
export const AUDIT_GROUP_MS = 50;
const AUDIT_GROUP_MAX_ROWS = 500;

type AuditEntry = Parameters<AuditLog["record"]>[0];

export interface CallInfo {
  identity: Identity;
  tool: string;
  args: Record<string, unknown>;
  /** The structured field holding upstream data that `fields` selects from (api_proxy body, run_action result). */
  dataField?: "body" | "result";
  /** The HTTP request id (x-request-id), when there is one. */
  requestId?: string;
}

export class Controls {
  /** Per-user and server-wide buckets: shared by every replica when the store is PostgreSQL. */
  readonly limiter: BucketLimits;
  readonly audit: AuditLog;
  readonly confirmations: ConfirmationStore;
  readonly results: StoredResults;
  readonly idempotency: IdempotencyStore;
  private readonly pruner: NodeJS.Timeout;
  private orphans?: OrphanSweep;
  /**
   * Audit rows waiting to be written together, after the results went out: one transaction per
   * batch instead of one per call (a commit costs ~0.15 ms on this machine's disk even without a
   * sync, a row in a batch ~0.01 ms), never on a call's response path. An idle server writes a
   * row on the next turn of the event loop; a busy one at most every AUDIT_GROUP_MS, so a crash
   * loses at most that much. close() writes what is left.
   */
  private pendingAudit: AuditEntry[] = [];
  /** "tool call" log lines, written with the audit rows after the results are sent. */
  private pendingLog: Array<Record<string, unknown>> = [];
  private auditFlush: { timer: NodeJS.Timeout } | { immediate: NodeJS.Immediate } | undefined;
  private lastAuditFlushAt = 0;
  private auditWrite: Promise<void> = Promise.resolve();

  /** Reads the log salt and recovers calls a stopped process left running, then starts pruning. */
  static async open(config: Config, db: Db, logger: Logger): Promise<Controls> {
    const controls = new Controls(config, db, logger, memoized(await userHasher(db)));
    // Idempotent calls a process that is gone left running may or may not have been sent.
    controls.orphans = await startOrphanSweep(db, logger, {
      recover: () => controls.idempotency.recoverOrphaned(orphanedAfterMs(config)),
      found: (calls) => [{ calls }, "idempotent calls left running by a stopped process are now recorded as 'unknown'"],
      failed: "looking for idempotent calls left running failed",
    });
    await controls.prune();
    return controls;
  }

  private constructor(
    private readonly config: Config,
    private readonly db: Db,
    private readonly logger: Logger,
    readonly userHash: (user: string | undefined) => string | undefined,
  ) {
    this.audit = new AuditLog(db, config.auditRetentionDays);
    this.confirmations = new ConfirmationStore(db, config.confirmationTtlSeconds * 1000);
    this.results = new StoredResults(db);
    this.idempotency = new IdempotencyStore(db);
    this.limiter = rateLimitsFor(db);
    this.pruner = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  private async prune(): Promise<void> {
    try {
      const audit = await this.audit.prune();
      const confirmations = await this.confirmations.prune();
      const results = (await this.results.prune()) + (await this.idempotency.prune());
      const buckets = await this.limiter.prune();
      if (audit || confirmations || results || buckets) this.logger.debug({ audit, confirmations, results, buckets }, "pruned expired rows");
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "pruning expired rows failed");
    }
  }

  /** For /readyz: a round trip to the store (shared by every replica on PostgreSQL), bounded in time. */
  async checkDatabase(timeoutMs = 3000): Promise<{ ok: boolean; kind: Db["dialect"]; reason?: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)));
    try {
      await Promise.race([this.db.ping(), timeout]);
      return { ok: true, kind: this.db.dialect };
    } catch (err) {
      return { ok: false, kind: this.db.dialect, reason: `the ${this.db.dialect === "postgres" ? "PostgreSQL" : "SQLite"} database ${this.db.label} does not answer: ${(err as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops pruning and writes the audit rows still pending (await it before closing the database). */
  async close(): Promise<void> {
    clearInterval(this.pruner);
    this.orphans?.stop();
    await this.flushAudit();
    await this.auditWrite;
  }

  private recordAudit(entry: AuditEntry, line: Record<string, unknown> | undefined): void {
    if (this.audit.enabled) this.pendingAudit.push(entry);
    if (line) this.pendingLog.push(line);
    if (!(this.pendingAudit.length || this.pendingLog.length)) return;
    const full = this.pendingAudit.length >= AUDIT_GROUP_MAX_ROWS;
    if (this.auditFlush && ("immediate" in this.auditFlush || !full)) return;
    if (this.auditFlush) clearTimeout(this.auditFlush.timer);
    const wait = this.lastAuditFlushAt + AUDIT_GROUP_MS - Date.now();
    const flush = () => void this.flushAudit();
    this.auditFlush = wait > 0 && !full ? { timer: setTimeout(flush, wait) } : { immediate: setImmediate(flush) };
  }

  /** Writes the pending audit rows now (shutdown; otherwise as recordAudit scheduled it). */
  flushAudit(): Promise<void> {
    if (this.auditFlush && "timer" in this.auditFlush) clearTimeout(this.auditFlush.timer);
    else if (this.auditFlush) clearImmediate(this.auditFlush.immediate);
    this.auditFlush = undefined;
    this.lastAuditFlushAt = Date.now();
    const lines = this.pendingLog;
    this.pendingLog = [];
    // A synchronous write to stderr each: off the result's path, once the results are out.
    for (const line of lines) this.logger.info(line, "tool call");
    const batch = this.pendingAudit;
    if (!batch.length) return this.auditWrite;
    this.pendingAudit = [];
    // Batches are written one after another, so close() can wait for the last one.
    this.auditWrite = this.auditWrite.then(() =>
      this.audit.recordMany(batch).catch((err: unknown) => {
        this.logger.error({ err: (err as Error).message, rows: batch.length }, "writing the audit log failed");
      }),
    );
    return this.auditWrite;
  }

  async run(call: CallInfo, handler: (policy: CallPolicy) => Promise<ToolResult>): Promise<ToolResult> {
    const started = Date.now();
    const { identity, tool, args } = call;
    const user = identity.externalUserId;
    const policy = effectivePolicy(this.config, identity);
    const token = typeof args.confirmation_token === "string" ? args.confirmation_token : undefined;
    const callPolicy = new CallPolicy(policy, user, tool, token, this.confirmations, this.config.confirmationTtlSeconds);

    let result: ToolResult;
    let error: unknown;
    const project = projectBucket(this.config.rateLimitProjectPerMinute);
    const limited = await this.limiter.takeAll([
      { key: `user:${user ?? ""}`, spec: policy.rateLimit },
      { key: "project", spec: project },
    ]);
    if (!limited.ok) {
      result = failure(
        limited.refusedBy === 0
          ? `Rate limit (policy "rate-limit", ${policy.source}): this user may make ${policy.rateLimit.perMinute} tool calls per minute (bursts of ${policy.rateLimit.burst}); retry after ${limited.retryAfterSeconds} s.`
          : `Rate limit (policy "rate-limit", deployment): all users of this server together may make ${project.perMinute} tool calls per minute (bursts of ${project.burst}), to stay within the Pipedream project's quota; retry after ${limited.retryAfterSeconds} s.`,
        { retry_after_seconds: limited.retryAfterSeconds },
      );
      return this.finish(call, started, result, callPolicy, "rate_limited", "rate-limit");
    }
    const attempt = async (): Promise<ToolResult> => {
      try {
        checkAppArgument(args.app);
        for (const app of appsNamedIn(args)) callPolicy.checkApp(app);
        refuseAppPropValues(args);
        return await handler(callPolicy);
      } catch (err) {
        error = err;
        const view = describeFailure(err);
        if (view.internal) this.logger.error({ tool, err, req_id: call.requestId }, "tool failed unexpectedly");
        return failure(view.message, view.detail);
      }
    };
    const fields = Array.isArray(args.fields) ? (args.fields as string[]) : undefined;
    const offset = typeof args.offset === "number" ? args.offset : undefined;
    if (typeof args.result_id === "string") {
      result = await this.reread(call, args.result_id, fields, offset);
      return this.finish(call, started, result, callPolicy, result.isError ? "error" : "ok");
    }
    const key = typeof args.idempotency_key === "string" ? args.idempotency_key : undefined;
    if (key && user) {
      result = await runIdempotent(this.idempotency, { user, tool, key, args, waitMs: Math.min(this.config.upstreamTimeoutMs, 30_000) + 1000 }, async () => {
        const r = await attempt();
        return { result: r, effect: { sent: callPolicy.facts.sent === true } };
      });
    } else {
      result = await attempt();
    }
    // A result is never an error and "ok" at once, whichever tool built it.
    if (result.isError && result.structuredContent?.outcome === "ok") {
      const { outcome: _ok, ...rest } = result.structuredContent;
      result = { ...result, structuredContent: rest };
    }
    const filtered = result.structuredContent && !result.isError ? filterListedApps(result.structuredContent, policy) : undefined;
    if (filtered) result = { ...result, content: [{ type: "text", text: JSON.stringify(filtered) }], structuredContent: filtered };
    result = await this.shape(call, result, fields);

    let outcome: AuditOutcome;
    let rule: string | undefined;
    if (error instanceof PolicyError) (outcome = "refused"), (rule = error.rule);
    else if (error instanceof ProviderError) (outcome = "error"), (rule = error.kind);
    else if (result.isError) outcome = "error";
    else {
      const o = result.structuredContent?.outcome;
      outcome = o === "needs_input" || o === "connect_required" ? o : "ok";
      if (outcome === "needs_input" && result.structuredContent?.needs === "confirmation") rule = "confirm-writes";
      else if (callPolicy.facts.confirmed) rule = "confirmed";
    }
    const upstream =
      error instanceof ProviderError ? error.details.status : typeof result.structuredContent?.status === "number" ? result.structuredContent.status : undefined;
    return this.finish(call, started, result, callPolicy, outcome, rule, upstream);
  }

  /** Fields and the token budget; a cut result's full form is kept for `result_id`. */
  private async shape(call: CallInfo, result: ToolResult, fields?: string[], offset?: number, full?: Record<string, unknown>): Promise<ToolResult> {
    const user = call.identity.externalUserId;
    let stored: Promise<unknown> | undefined;
    const shaped = shapeResult(
      result,
      {
        maxTokens: this.config.resultMaxTokens,
        dataField: call.dataField,
        fields,
        offset,
        store: (whole) => {
          if (!user) return "(not kept: no end user)";
          const id = newResultId();
          stored = this.results.put(user, call.tool, whole, id);
          return id;
        },
      },
      full,
    );
    // Kept before the result that names it is sent.
    await stored;
    return shaped;
  }

  /** `result_id`: a stored result read again (other page, other fields), with no upstream call. */
  private async reread(call: CallInfo, id: string, fields?: string[], offset?: number): Promise<ToolResult> {
    const user = call.identity.externalUserId;
    const stored = user ? await this.results.get(user, id) : undefined;
    if (!stored || stored.tool !== call.tool) {
      return failure(`result_id ${quote(id)} is not a stored ${call.tool} result of this user (results are kept 1 h). Make the call again to get a fresh result.`);
    }
    const full = stored.result as Record<string, unknown>;
    const text = JSON.stringify(full);
    // A page of the stored result is always shaped against it, so `truncated` keeps naming the same id.
    const shaped = shapeResult({ content: [{ type: "text", text }], structuredContent: full }, { maxTokens: this.config.resultMaxTokens, dataField: call.dataField, fields, offset, store: () => id }, full);
    const structured = { ...(shaped.structuredContent ?? {}), from_result_id: id };
    return { content: [{ type: "text", text: JSON.stringify(structured) }], structuredContent: structured };
  }

  private async finish(call: CallInfo, started: number, result: ToolResult, policy: CallPolicy, outcome: AuditOutcome, rule?: string, upstreamStatus?: number): Promise<ToolResult> {
    const { identity, tool, args } = call;
    const f = policy.facts;
    const host = (f.host ?? hostOf(args.url))?.slice(0, 255);
    const entry = {
      at: started,
      requestId: call.requestId,
      user: identity.externalUserId,
      credential: credentialLabel(identity),
      tool,
      app: f.app ?? argString(args.app),
      action: f.action ?? argString(args.action),
      method: f.method ?? argString(args.method),
      host,
      accountId: f.accountId ?? argString(args.account_id),
      outcome,
      rule,
      durationMs: Date.now() - started,
      upstreamStatus,
    };
    // The line's object (and the user's label) is built only when the level logs it.
    const line = this.logger.isLevelEnabled("info")
      ? {
          req_id: call.requestId,
          user: this.userHash(identity.externalUserId),
          credential: entry.credential,
          tool,
          app: entry.app,
          outcome,
          ...(rule ? { rule } : {}),
          ...(upstreamStatus !== undefined ? { upstream_status: upstreamStatus } : {}),
          ms: entry.durationMs,
        }
      : undefined;
    this.recordAudit(entry, line);
    return result;
  }
}

/** An HMAC per log line was a measurable share of a call: each user's label is made once (bounded). */
function memoized(hash: (user: string | undefined) => string | undefined): (user: string | undefined) => string | undefined {
  const known = new Map<string, string | undefined>();
  return (user) => {
    if (user === undefined) return undefined;
    let label = known.get(user);
    if (label === undefined) {
      if (known.size >= 10_000) known.clear();
      label = hash(user);
      known.set(user, label);
    }
    return label;
  };
}

/** A caller's string argument as the audit log keeps it: bounded, whatever was sent. */
function argString(value: unknown): string | undefined {
  return typeof value === "string" ? value.slice(0, 200) : undefined;
}

/** App slugs (Connect's name_slug): letters, digits, `_` and `-`. Checked before anything goes upstream. */
const APP_SLUG = /^[a-z0-9][a-z0-9_-]*$/i;
const MAX_APP_SLUG = 100;

function checkAppArgument(app: unknown): void {
  if (typeof app !== "string" || app === "") return;
  if (app.length > MAX_APP_SLUG || !APP_SLUG.test(app)) {
    throw new ToolError(
      `app "${quote(app)}" is not an app slug: slugs are letters, digits, "_" and "-", at most ${MAX_APP_SLUG} characters (e.g. "slack", "google_sheets"). list_actions with a query finds apps by name.`,
    );
  }
}

function hostOf(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}
