/**
 * `connect-mcp doctor`: checks the setup step by step and says precisely what is wrong.
 * Never prints a secret: only whether it is set.
 */
import type { Config } from "./config.js";
import { missingCredentials, pipedreamRequested } from "./config.js";
import { describeFailure } from "./core/errors.js";
import { modelBackend, modelSetupProblem } from "./core/subagent-model.js";
import { providerLabel, providersFromConfig } from "./providers/index.js";
import { loadConnector } from "./providers/local/index.js";
import { credentialStore, type CredentialStore } from "./store/credentials.js";
import { openDb, type Db } from "./store/db.js";
import { redactUrl } from "./store/postgres.js";

export interface DoctorReport {
  ok: boolean;
  lines: string[];
}

export async function runDoctor(config: Config): Promise<DoctorReport> {
  // Local connectors' "accounts" are their stored credentials, in the server's database.
  let db: Db | undefined;
  try {
    db = config.connectors.length ? await openDb(config) : undefined;
  } catch {
    // reported by the database check
  }
  try {
    return await doctor(config, db ? credentialStore(db, config) : undefined);
  } finally {
    await db?.close();
  }
}

async function doctor(config: Config, credentials: CredentialStore | undefined): Promise<DoctorReport> {
  const lines: string[] = [];
  let ok = true;
  const pass = (msg: string) => lines.push(`ok    ${msg}`);
  const fail = (msg: string) => {
    ok = false;
    lines.push(`FAIL  ${msg}`);
  };
  const warn = (msg: string) => lines.push(`warn  ${msg}`);

  pass(`configuration is valid${config.configFile ? ` (config file ${config.configFile})` : ""}; transport ${config.transport}, tool mode ${config.toolMode}`);
  const wantsPipedream = pipedreamRequested(config) || (!config.composioApiKey && config.connectors.length === 0);
  if (wantsPipedream) pass(`Connect API ${config.baseUrl}, project ${config.projectId ?? "(unset)"}, environment ${config.environment}`);
  if (config.composioApiKey) pass(`Composio API ${config.composioBaseUrl}, COMPOSIO_API_KEY is set`);

  if (config.databaseUrl) {
    const label = redactUrl(config.databaseUrl);
    if (config.ignoredDbSource) warn(`both CONNECT_MCP_DATABASE_URL and a SQLite path (${config.ignoredDbSource}) are set: the PostgreSQL URL wins, ${config.db} is not used`);
    try {
      const db = await openDb(config);
      try {
        await db.ping();
      } finally {
        await db.close();
      }
      pass(`database PostgreSQL ${label} answers and is migrated (state shared by every replica using it)`);
    } catch (err) {
      fail(`database PostgreSQL ${label} cannot be used: ${(err as Error).message}. Check CONNECT_MCP_DATABASE_URL (host, port, user, password, database name) and that the server accepts connections from here.`);
    }
  } else {
    try {
      const db = await openDb(config);
      await db.ping();
      await db.close();
      pass(`database ${config.db} opens and is migrated`);
    } catch (err) {
      fail(`database ${config.db} cannot be opened: ${(err as Error).message}. Set CONNECT_MCP_DB (or --db) to a writable path, or ':memory:'.`);
    }
  }

  const missing = missingCredentials(config);
  if (wantsPipedream && missing.length) {
    fail(`missing ${missing.join(", ")}: find them in your Pipedream project settings (OAuth clients) and set them in the environment or config file${config.composioApiKey ? "" : " (or set COMPOSIO_API_KEY to use Composio instead)"}.`);
    return { ok, lines };
  }
  if (wantsPipedream) pass("PIPEDREAM_CLIENT_ID, PIPEDREAM_CLIENT_SECRET and PIPEDREAM_PROJECT_ID are set");

  const built = providersFromConfig(config, { timeoutMs: Math.min(config.upstreamTimeoutMs, 15_000), ...(credentials ? { credentials } : {}) });
  if (!built.ok) {
    fail(built.reason);
    return { ok, lines };
  }
  const provider = built.registry;
  let reachable = true;
  for (const name of provider.names) {
    try {
      await provider.get(name)!.checkCredentials();
      pass(
        name === "pipedream"
          ? "Connect issued an access token for these client credentials"
          : name === "local"
            ? `local connectors load: ${config.connectors.map((c) => c.slug).join(", ")} (credentials: connect-mcp credentials list)`
            : `${providerLabel(name)} accepted the API key`,
      );
    } catch (err) {
      fail(describeFailure(err).message);
      reachable = false;
    }
  }
  if (!reachable) return { ok, lines };
  // What each local connector imports, and what it leaves out (and why).
  for (const c of config.connectors) {
    const loaded = await loadConnector(c);
    const left = loaded.skipped.length ? `; not imported: ${loaded.skipped.map((x) => `${x.operation} (${x.reason})`).join("; ")}` : "";
    pass(`connector ${c.slug}: ${loaded.operations.size} action(s)${c.mock || config.mock ? ", mock mode" : ""}${left}`);
  }

  // On HTTP, API keys and JWTs name their own end users; the configured end user only serves stdio and the static token.
  const keyed = config.apiKeys.length > 0 || Boolean(config.jwtJwksUrl || config.jwtSecret);
  if (keyed) {
    const from = [config.apiKeys.length && `${config.apiKeys.length} API key(s)`, (config.jwtJwksUrl || config.jwtSecret) && "JWTs"].filter(Boolean).join(" and ");
    pass(`HTTP callers' end users come from ${from} (CONNECT_MCP_EXTERNAL_USER_ID / PIPEDREAM_EXTERNAL_USER_ID serves stdio and CONNECT_MCP_HTTP_TOKEN)`);
  }
  const users = config.externalUserId ? [config.externalUserId] : keyed ? [...new Set(config.apiKeys.map((k) => k.user))].slice(0, 5) : [];
  if (!config.externalUserId) {
    if (keyed) {
      // Nothing to warn about: each key or JWT names its user.
    } else if (config.transport === "stdio") fail("PIPEDREAM_EXTERNAL_USER_ID (or CONNECT_MCP_EXTERNAL_USER_ID) is not set: stdio needs the end user whose accounts to use.");
    else if (config.httpToken) warn("PIPEDREAM_EXTERNAL_USER_ID (or CONNECT_MCP_EXTERNAL_USER_ID) is not set: callers with CONNECT_MCP_HTTP_TOKEN will have no end user.");
    else warn("PIPEDREAM_EXTERNAL_USER_ID (or CONNECT_MCP_EXTERNAL_USER_ID) is not set and no API keys or JWTs are configured: HTTP callers will have no end user.");
  }
  for (const user of users) {
    try {
      const accounts = await provider.listAccounts(user);
      const usable = accounts.filter((a) => a.healthy && !a.dead);
      const broken = accounts.filter((a) => !a.healthy || a.dead);
      const apps = (list: typeof accounts) => countedApps(list.map((a) => a.app.slug));
      const by = provider.names.length > 1 ? `; ${provider.names.map((n) => `${providerLabel(n)}: ${accounts.filter((a) => a.provider === n).length}`).join(", ")}` : "";
      pass(
        `end user "${user}" has ${accounts.length} connected account(s): ${usable.length} healthy${usable.length ? ` (${apps(usable)})` : ""}` +
          (broken.length ? `, ${broken.length} dead or unhealthy (${apps(broken)})` : "") +
          by,
      );
      if (accounts.length === 0) warn(`"${user}" has connected no apps yet; tools will have nothing to act on until they do.`);
      for (const a of broken) {
        const state = a.dead ? "dead" : a.pending ? "still being connected" : "unhealthy";
        warn(`account ${a.id} (${a.app.slug}) is ${state}${a.error ? `: ${a.error}` : ""}${a.pending ? "" : "; the user must reconnect it"}.`);
      }
    } catch (err) {
      fail(`listing accounts for "${user}" failed: ${describeFailure(err).message}`);
    }
  }
  if (wantsPipedream && config.environment === "production" && /127\.0\.0\.1|localhost/.test(config.baseUrl)) {
    warn("PIPEDREAM_BASE_URL is local but the environment is production; the emulator's demo data lives in both, but check this is intended.");
  }
  if (config.toolMode === "sub-agent") await checkModel(config, pass, fail, warn);
  return { ok, lines };
}

/** "github ×2, google_sheets, slack" */
function countedApps(slugs: string[]): string {
  const counts = new Map<string, number>();
  for (const s of slugs) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => (n > 1 ? `${s} ×${n}` : s)).join(", ");
}

/**
 * Sub-agent mode: is a model configured, and does its endpoint answer? One cheap authenticated
 * request (the model list): any answer but 401/403 means reachable with an accepted key.
 */
async function checkModel(config: Config, pass: (m: string) => void, fail: (m: string) => void, warn: (m: string) => void): Promise<void> {
  const backend = modelBackend(config);
  const problem = modelSetupProblem(config);
  if (backend === "sampling") {
    if (problem) warn(problem);
    else pass("sub-agent model: the client's own, through MCP sampling (CONNECT_MCP_LLM_PROVIDER=sampling)");
    return;
  }
  if (problem) return fail(problem);
  // The model libraries fall back to OPENAI_BASE_URL / ANTHROPIC_BASE_URL, then to the vendor's API.
  const fallback = backend === "anthropic" ? (process.env.ANTHROPIC_BASE_URL ?? "https://api.anthropic.com") : (process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1");
  const base = (config.llmBaseUrl ?? fallback).replace(/\/+$/, "");
  const url = backend === "anthropic" && !/\/v1$/.test(base) ? `${base}/v1/models` : `${base}/models`;
  const headers: Record<string, string> =
    backend === "anthropic" ? { "x-api-key": config.llmApiKey ?? "", "anthropic-version": "2023-06-01" } : config.llmApiKey ? { authorization: `Bearer ${config.llmApiKey}` } : {};
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 401 || res.status === 403) return fail(`the model endpoint ${base} refused the API key (HTTP ${res.status}): check CONNECT_MCP_LLM_API_KEY.`);
    pass(`sub-agent model "${config.llmModel}" (${backend === "anthropic" ? "Anthropic" : "OpenAI-compatible"}) at ${base}: the endpoint answers (HTTP ${res.status})`);
  } catch (err) {
    fail(`cannot reach the sub-agent's model endpoint ${base} (${(err as Error).name === "TimeoutError" ? "no answer in 10 s" : (err as Error).message}): check CONNECT_MCP_LLM_BASE_URL and that the model server is running.`);
  }
}
