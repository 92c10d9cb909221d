/**
 * `connect-mcp doctor`: checks the setup step by step and says precisely what is wrong.
 * Never prints a secret: only whether it is set.
 */
import type { Config } from "./config.js";
import { missingCredentials, pipedreamRequested } from "./config.js";
import { describeFailure } from "./core/errors.js";
import { providerLabel, providersFromConfig } from "./providers/index.js";
import { openDb } from "./store/db.js";

export interface DoctorReport {
  ok: boolean;
  lines: string[];
}

export async function runDoctor(config: Config): Promise<DoctorReport> {
  const lines: string[] = [];
  let ok = true;
  const pass = (msg: string) => lines.push(`ok    ${msg}`);
  const fail = (msg: string) => {
    ok = false;
    lines.push(`FAIL  ${msg}`);
  };
  const warn = (msg: string) => lines.push(`warn  ${msg}`);

  pass(`configuration is valid${config.configFile ? ` (config file ${config.configFile})` : ""}; transport ${config.transport}, tool mode ${config.toolMode}`);
  const wantsPipedream = pipedreamRequested(config) || !config.composioApiKey;
  if (wantsPipedream) pass(`Connect API ${config.baseUrl}, project ${config.projectId ?? "(unset)"}, environment ${config.environment}`);
  if (config.composioApiKey) pass(`Composio API ${config.composioBaseUrl}, COMPOSIO_API_KEY is set`);

  try {
    openDb(config.db).close();
    pass(`database ${config.db} opens and is migrated`);
  } catch (err) {
    fail(`database ${config.db} cannot be opened: ${(err as Error).message}. Set CONNECT_MCP_DB (or --db) to a writable path, or ':memory:'.`);
  }

  const missing = missingCredentials(config);
  if (wantsPipedream && missing.length) {
    fail(`missing ${missing.join(", ")}: find them in your Pipedream project settings (OAuth clients) and set them in the environment or config file${config.composioApiKey ? "" : " (or set COMPOSIO_API_KEY to use Composio instead)"}.`);
    return { ok, lines };
  }
  if (wantsPipedream) pass("PIPEDREAM_CLIENT_ID, PIPEDREAM_CLIENT_SECRET and PIPEDREAM_PROJECT_ID are set");

  const built = providersFromConfig(config, { timeoutMs: Math.min(config.upstreamTimeoutMs, 15_000) });
  if (!built.ok) {
    fail(built.reason);
    return { ok, lines };
  }
  const registry = built.registry;
  let reachable = true;
  for (const name of registry.names) {
    try {
      await registry.get(name)!.checkCredentials();
      pass(name === "pipedream" ? "Connect issued an access token for these client credentials" : `${providerLabel(name)} accepted the API key`);
    } catch (err) {
      fail(describeFailure(err).message);
      reachable = false;
    }
  }
  if (!reachable) return { ok, lines };

  if (!config.externalUserId) {
    if (config.transport === "stdio") fail("CONNECT_MCP_EXTERNAL_USER_ID (or PIPEDREAM_EXTERNAL_USER_ID) is not set: stdio needs the end user whose accounts to use.");
    else warn("CONNECT_MCP_EXTERNAL_USER_ID (or PIPEDREAM_EXTERNAL_USER_ID) is not set: HTTP callers will have no end user.");
    return { ok, lines };
  }
  try {
    const accounts = await registry.listAccounts(config.externalUserId);
    const healthy = accounts.filter((a) => a.healthy && !a.dead);
    const apps = [...new Set(accounts.map((a) => a.app.slug))].sort();
    const by = registry.names.length > 1 ? ` (${registry.names.map((n) => `${providerLabel(n)}: ${accounts.filter((a) => a.provider === n).length}`).join(", ")})` : "";
    pass(`end user "${config.externalUserId}" has ${accounts.length} connected account(s), ${healthy.length} healthy${apps.length ? `: ${apps.join(", ")}` : ""}${by}`);
    if (accounts.length === 0) warn("this user has connected no apps yet; tools will have nothing to act on until they do.");
    for (const a of accounts.filter((x) => !x.healthy || x.dead)) {
      const state = a.dead ? "dead" : a.pending ? "still being connected" : "unhealthy";
      warn(`account ${a.id} (${a.app.slug}) is ${state}${a.error ? `: ${a.error}` : ""}${a.pending ? "" : "; the user must reconnect it"}.`);
    }
  } catch (err) {
    fail(`listing accounts for "${config.externalUserId}" failed: ${describeFailure(err).message}`);
  }
  if (wantsPipedream && config.environment === "production" && /127\.0\.0\.1|localhost/.test(config.baseUrl)) {
    warn("PIPEDREAM_BASE_URL is local but the environment is production; the emulator's demo data lives in both, but check this is intended.");
  }
  return { ok, lines };
}
