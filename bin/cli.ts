/**
 * CLI entry: parses flags and hands a resolved Config to the chosen command.
 *   connect-mcp [serve] [flags]   the MCP server (stdio by default, or --transport http)
 *   connect-mcp emulator [--port] an offline Pipedream Connect emulator for trying things out
 *   connect-mcp doctor [flags]    checks configuration and Pipedream credentials
 *   connect-mcp cache [--clear]   shows or empties the cache (SQLite or PostgreSQL)
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError, OPTION_GROUPS, OPTIONS, redactedConfig, resolveConfig, type Config } from "../src/config.js";
import { Controls } from "../src/core/controls.js";
import { createServices } from "../src/core/services.js";
import { modelSetupProblem } from "../src/core/subagent-model.js";
import { createLogger } from "../src/logger.js";
import { openDb } from "../src/store/db.js";
import { releaseEarlyStdio } from "../src/transports/stdio-early.js";
import { VERSION } from "../src/version.js";

/** Help, version and doctor output is for a person at a terminal, never the stdio server's channel. */
function printOut(text: string): void {
  writeSync(1, `${text}\n`);
}
function printErr(text: string): void {
  writeSync(2, `${text}\n`);
}

const COMMANDS = `Commands:
  connect-mcp [serve] [options]     run the MCP server (stdio unless --transport http)
  connect-mcp serve --demo          try everything offline: built-in emulator, throwaway database, HTTP on
                                    loopback, one call of each tool (npm run demo)
  connect-mcp emulator [--provider P] run the offline emulator of Pipedream Connect, Composio or both
  connect-mcp doctor [options]      check the configuration, the credentials and the model
  connect-mcp call <tool> '<json>'  one tool call from the shell (no model, no client), result as JSON
  connect-mcp accounts <list|connect|status|revoke> --user U   an end user's connections
  connect-mcp credentials <set|list|delete> <connector> [--user U]   a local connector's stored credentials
  connect-mcp audit [options]       read the audit log
  connect-mcp api-key --user U      make a new API key and print its config entry (only the hash is kept)
  connect-mcp cache [--clear]       show what the cache holds (catalog, Connect Links), or empty it
  connect-mcp <command> --help      that command's own options`;

/**
 * The options of some groups. `full`: every word of each option's help and all its variables,
 * wrapped under its flag. Otherwise one line each: the help's first clause, and the variable only
 * where it is not CONNECT_MCP_<FLAG> (`connect-mcp help options` prints the full form).
 */
function optionLines(keys: ReadonlyArray<string>, full: boolean): string[] {
  const lines: string[] = [];
  for (const key of keys) {
    const o = OPTIONS.find((x) => x.key === key);
    if (!o) continue;
    const flag = o.flag ? `--${o.flag}${o.boolean ? "" : " …"}` : `(config: ${o.key})`;
    const pad = (f: string) => (f.length < 28 ? f.padEnd(28) : `${f} `);
    if (full) {
      lines.push(...wrap(`${o.help} [${o.env.join(", ")}]`, 66).map((l, i) => `  ${i === 0 ? pad(flag) : "".padEnd(28)}${l}`));
      continue;
    }
    const conventional = o.flag !== undefined && o.env.length === 1 && o.env[0] === `CONNECT_MCP_${o.flag.toUpperCase().replace(/-/g, "_")}`;
    const short = o.help.replace(/\s*\([^()]*\)/g, "").split(/; |, e\.g\./)[0]!;
    lines.push(`  ${pad(flag)}${short}${conventional ? "" : ` [${o.env[0]}]`}`);
  }
  return lines;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

const SERVE_HELP = (full = false) => `connect-mcp ${VERSION} — MCP server for 3,000+ apps through Pipedream Connect (and Composio)

${COMMANDS}

Options of serve and doctor. Each is also an environment variable (CONNECT_MCP_<FLAG>, or the one in
brackets) and a key of the --config JSON file; defaults < config file < environment < flags.
${full ? "" : "connect-mcp help options shows every option in full; docs/configuration.md has the table.\n"}${OPTION_GROUPS.map((g) => `\n${g.title}:\n${optionLines(g.keys, full).join("\n")}`).join("\n")}

Other:
  --demo                      serve the built-in emulator's demo data (see above); results say "demo"
  --config FILE               JSON config file [CONNECT_MCP_CONFIG]
  -h, --help                  show this help
  -v, --version               print the version`;

const SERVER_OPTIONS_NOTE = "It takes the server's options (connect-mcp --help), e.g. --config, --db, --base-url.";

const COMMAND_HELP: Record<string, string> = {
  call: `Usage: connect-mcp call <tool> ['<json arguments>'] [--field PATH] [--user U] [options]

Makes one tool call through the same server a client talks to (arguments, policy, audit alike)
and prints the result's JSON; exits 1 when the result is an error. With a database file
(--db / CONNECT_MCP_DB), a configuration_id from one call works in the next.

  --field PATH  print only this field of the result, e.g. configuration_id or connect.url
  --user U      the end user (default PIPEDREAM_EXTERNAL_USER_ID)
${"It takes the server's options (connect-mcp --help), e.g. --tool-mode, --db, --config."}

  connect-mcp call list_accounts '{"app":"github"}'
  connect-mcp call describe_action '{"action":"slack-send-message"}' --field configuration_id`,
  emulator: `Usage: connect-mcp emulator [--provider pipedream|composio|both] [--port N] [--host H]

An offline emulator of the Pipedream Connect API with demo users, accounts and actions, a Connect
Link page (links open in a browser and finish with one button) and a demo model for sub-agent mode
(an OpenAI-compatible /v1/chat/completions that plays the configuration steps; model "emulator-demo").
With --provider composio, an emulator of the Composio API v3.1 instead (demo users, connected
accounts, toolkits and tools; links are completed with POST /__emulator/connect); with both, the two.
It prints the export lines that point connect-mcp at it.

  --provider P  pipedream (default), composio or both
  --port N      port (default 4010, Composio alone 4020; with both, Composio gets the next one; 0 picks free ones)
  --host H      bind address (default 127.0.0.1)`,
  accounts: `Usage: connect-mcp accounts list|connect|status|revoke [--user U] [--app A | --account ID] [options]

An end user's connections at whichever provider holds them (Pipedream Connect, Composio).

  list                      every account: provider, id, app, name, state (--app A: one app)
  connect --app A           print a link the user opens to connect A (--provider P to choose where)
  status --account ID | --app A
                            wait until the account (or any account of A) is usable: exit 0; failed or
                            expired: exit 1; --wait-seconds N (default 300, 0 = look once), --poll-ms N
  revoke --account ID --yes disconnect the account and revoke its credentials upstream (without --yes:
                            say what would happen, change nothing, exit 1)

  --user U      the end user (default CONNECT_MCP_EXTERNAL_USER_ID / PIPEDREAM_EXTERNAL_USER_ID)
${SERVER_OPTIONS_NOTE}`,
  doctor: `Usage: connect-mcp doctor [options]

Checks the configuration, the database, the Connect credentials (a token request), the end user's
accounts and, in sub-agent mode, that a model is configured and answers. Exits 1 if a check fails.
${SERVER_OPTIONS_NOTE}`,
  audit: `Usage: connect-mcp audit [--user U] [--since T] [--until T] [--limit N] [--json] [--db FILE]

Reads the audit log of the database the server uses (--db / CONNECT_MCP_DB, or CONNECT_MCP_DATABASE_URL), newest first.

  --user U      only this end user
  --since T     from T: an ISO time (2026-05-01, 2026-05-01T12:00:00Z) or 30m / 24h / 7d back from now
  --until T     up to T (same forms)
  --limit N     at most N rows (default 100)
  --json        print a JSON array
  --db FILE     the server's SQLite database (default: the state directory); it must exist
  (CONNECT_MCP_DATABASE_URL, or --database-url, reads a PostgreSQL database instead)
${SERVER_OPTIONS_NOTE}`,
  "api-key": `Usage: connect-mcp api-key --user U [--id ID]

Makes a new API key for the end user U and prints it once, with the entry for "apiKeys" (only the
key's SHA-256 is stored).

  --user U      the Connect external user id the key acts for (required)
  --id ID       a name for the key (1-64 letters, digits, . _ -; default key-<random>)`,
  credentials: `Usage: connect-mcp credentials set|list|delete [<connector>] [--user U] [options]

Credentials of local connectors (the "connectors" of the config file), stored encrypted
(AES-256-GCM) in the database, with the key from CONNECT_MCP_SECRET_KEY or the key file
<db>.key (created mode 0600 beside the database on first use).

  set <connector>     read the credential as a JSON object on stdin (never as an argument):
                      api_key: {"api_key"}  bearer: {"token"}  basic: {"username","password"}
                      oauth2: {"client_id","client_secret"} or {"client_id","client_secret"?,"refresh_token"}
  list [<connector>]  what is stored: connector, user, field names, when (never the values)
  delete <connector>  remove it (and its cached OAuth2 token); exit 1 when there was none

  --user U      the end user it is for; without it, the connector's default for every user
                without their own (a user's own credential wins)
  --db FILE     the server's database (default: the state directory)
${SERVER_OPTIONS_NOTE}

  echo '{"api_key":"…"}' | connect-mcp credentials set billing --user alice`,
  cache: `Usage: connect-mcp cache [--clear] [--db FILE]

Shows what the cache holds per Connect project (actions, apps, when each was last listed,
Connect Links in use), or empties it with --clear; a running server notices and lists again.

  --clear       empty the cache
  --db FILE     the server's SQLite database (default: the state directory; nothing is created)
  (CONNECT_MCP_DATABASE_URL, or --database-url, uses a PostgreSQL database instead)
${SERVER_OPTIONS_NOTE}`,
};

const SERVE_FLAGS: ParseArgsConfig["options"] = {
  ...Object.fromEntries(OPTIONS.flatMap((o) => (o.flag ? [[o.flag, { type: o.boolean ? ("boolean" as const) : ("string" as const) }]] : []))),
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
};

function parse(args: string[], options: ParseArgsConfig["options"], command?: string): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.replace(/\. To specify a positional argument.*$/s, "")}. Run connect-mcp ${command ? `${command} ` : ""}--help for the options.`);
  }
}

function configFromArgs(
  args: string[],
  extra: ParseArgsConfig["options"] = {},
  command?: string,
): { config?: Config; help?: boolean; version?: boolean; values?: Record<string, string | boolean | undefined> } {
  const values = parse(args, { ...SERVE_FLAGS, ...extra }, command);
  if (values.help) return { help: true };
  if (values.version) return { version: true };
  return { config: configFrom(values), values };
}

/** Commands that read the server's database must not create an empty one by mistake (a typo in --db). */
function requireExistingDb(config: Config): void {
  if (config.databaseUrl || config.db === ":memory:" || existsSync(config.db)) return;
  throw new ConfigError(`the database ${config.db} does not exist. Pass --db (or CONNECT_MCP_DB) with the file the server uses; nothing was created.`);
}

async function serve(args: string[]): Promise<number> {
  const values = parse(args, { ...SERVE_FLAGS, demo: { type: "boolean" } });
  if (values.help) return printOut(SERVE_HELP()), 0;
  if (values.version) return printOut(VERSION), 0;
  // The demo's backend is an emulator in this process; its URL is only known once it listens.
  const demo = values.demo ? await import("../src/emulator/index.js").then((m) => m.startEmulator({ port: 0 })) : undefined;
  let config: Config;
  try {
    config = demo ? demoConfig(values, demo.url) : configFrom(values);
  } catch (err) {
    await demo?.close();
    throw err;
  }
  const base = createLogger(config.logLevel, demo ? "connect-mcp-demo" : "connect-mcp");
  const logger = demo ? base.child({ demo: true }) : base;
  if (demo) logger.warn({ emulator: demo.url }, "demo mode: the backend is the built-in Connect emulator with demo data, and the database is thrown away on exit; no real accounts are used");
  let db;
  try {
    db = await openDb(config, { writeBehindFailed: (err, statements) => logger.error({ err: err.message, statements }, "writing to the database after the answer failed; what was written is lost (a handle handed out may be unknown)") });
  } catch (err) {
    await demo?.close();
    throw err;
  }
  if (config.ignoredDbSource) logger.warn({ ignored: config.ignoredDbSource }, "CONNECT_MCP_DATABASE_URL is set: state lives in PostgreSQL and the SQLite path is not used");
  const services = await createServices(config, db, logger);
  if (!services.ok) logger.warn(services.reason);
  const modelProblem = modelSetupProblem(config);
  if (modelProblem) logger.warn(modelProblem);
  logger.debug({ config: redactedConfig(config) }, "configuration");
  const controls = await Controls.open(config, db, logger);
  const deps = { config, logger, services, controls };
  // Listen for signals before serving, so a signal right after start-up still drains cleanly.
  const shutdown = new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        logger.info({ signal }, "shutting down");
        resolve();
      });
    }
  });

  let stop: () => Promise<void>;
  let finished: Promise<void>;
  if (config.transport === "http") {
    releaseEarlyStdio();
    // Each transport is loaded only when used: the HTTP stack costs ~100 ms of start-up on stdio.
    const { startHttpServer } = await import("../src/transports/http.js");
    let http;
    try {
      http = await startHttpServer(deps);
    } catch (err) {
      // The demo's usual port being taken is no reason to give up: any free port will do.
      if (!demo || (err as NodeJS.ErrnoException).code !== "EADDRINUSE" || values.port !== undefined || process.env.CONNECT_MCP_PORT) {
        await demo?.close();
        throw err;
      }
      logger.warn({ port: config.port }, "port in use; the demo listens on a free port instead");
      http = await startHttpServer({ ...deps, config: { ...config, port: 0 } });
    }
    stop = http.close;
    finished = new Promise(() => undefined);
    if (demo) void runDemoCalls(http.url, demo.url, config);
  } else {
    const { startStdioServer } = await import("../src/transports/stdio.js");
    const stdio = startStdioServer(deps);
    stop = stdio.close;
    finished = stdio.closed;
  }
  await Promise.race([finished, shutdown]);
  await stop();
  await controls.close();
  await db.close();
  await demo?.close();
  return 0;
}

/** The server's config from its flags, environment and config file. */
function configFrom(values: Record<string, string | boolean | undefined>, extraFlags: Record<string, unknown> = {}): Config {
  const flags: Record<string, unknown> = {};
  for (const o of OPTIONS) if (o.flag && values[o.flag] !== undefined) flags[o.key] = values[o.flag];
  return resolveConfig({ flags: { ...flags, ...extraFlags }, configFile: values.config as string | undefined });
}

/**
 * `--demo`: the in-process emulator is the backend (its credentials and demo user replace any
 * PIPEDREAM_* settings), the database is `:memory:`, HTTP unless --transport says otherwise; logs
 * default to warnings so the demo's own lines stay readable; sub-agent mode without a model of its
 * own uses the emulator's demo model.
 */
function demoConfig(values: Record<string, string | boolean | undefined>, emulatorUrl: string): Config {
  const flags: Record<string, unknown> = {
    baseUrl: emulatorUrl,
    clientId: "emulator-client-id",
    clientSecret: "emulator-client-secret",
    projectId: "proj_emulator",
    environment: "development",
    externalUserId: "demo-user",
    db: ":memory:",
    transport: values.transport ?? "http",
    ...(values["log-level"] === undefined && !process.env.CONNECT_MCP_LOG_LEVEL ? { logLevel: "warn" } : {}),
  };
  let config = configFrom(values, flags);
  if (config.toolMode === "sub-agent" && config.llmProvider === "auto" && !config.llmModel) {
    config = configFrom(values, { ...flags, llmBaseUrl: `${emulatorUrl}/v1`, llmModel: "emulator-demo" });
  }
  // The demo's state is thrown away: never the deployment's PostgreSQL.
  return { ...config, databaseUrl: undefined, ignoredDbSource: undefined, demo: true };
}

/** After the demo server is up: the banner, then one call of each tool, one line per result (stdout: HTTP leaves it free). */
async function runDemoCalls(url: string, emulatorUrl: string, config: Config): Promise<void> {
  const { callOverHttp, demoBanner, demoCalls, summarize } = await import("../src/demo.js");
  const cli = fileURLToPath(import.meta.url);
  printOut(demoBanner({ url, cli, node: process.execPath, emulatorUrl, mode: config.toolMode }));
  for (const { tool, args } of demoCalls(config.toolMode)) {
    try {
      printOut(`  ${summarize(tool, await callOverHttp(url, tool, args))}`);
    } catch (err) {
      printOut(`  ${"error".padEnd(6)} ${tool.padEnd(16)} ${(err as Error).message}`);
    }
  }
  printOut(`\nServing the demo at ${url} until Ctrl-C.`);
}

async function emulator(args: string[]): Promise<number> {
  const values = parse(args, { port: { type: "string" }, host: { type: "string" }, provider: { type: "string" }, help: { type: "boolean", short: "h" } }, "emulator");
  if (values.help) return printOut(COMMAND_HELP.emulator!), 0;
  const which = (values.provider as string | undefined) ?? "pipedream";
  if (!["pipedream", "composio", "both"].includes(which)) throw new ConfigError(`--provider must be pipedream, composio or both, got ${JSON.stringify(which)}`);
  const port = values.port === undefined ? (which === "composio" ? 4020 : 4010) : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number, got ${JSON.stringify(values.port)}`);
  const host = (values.host as string | undefined) ?? "127.0.0.1";
  const closers: Array<() => Promise<void>> = [];
  const lines: string[] = [];
  if (which !== "composio") {
    const { emulatorEnv, startEmulator } = await import("../src/emulator/index.js");
    const emu = await startEmulator({ port, host, log: (line) => printErr(line) });
    closers.push(emu.close);
    lines.push(
      `Pipedream Connect emulator listening on ${emu.url} (demo data; Ctrl-C stops it and forgets everything)`,
      "Point connect-mcp at it (in another terminal):",
      ...Object.entries(emulatorEnv(emu.url)).map(([name, value]) => `export ${name}=${value}`),
      "# for --tool-mode sub-agent, the emulator's demo model (a scripted stand-in, not an LLM):",
      `export CONNECT_MCP_LLM_BASE_URL=${emu.url}/v1`,
      "export CONNECT_MCP_LLM_MODEL=emulator-demo",
    );
  }
  if (which !== "pipedream") {
    const { COMPOSIO_EMULATOR_DEFAULTS, startComposioEmulator } = await import("../src/emulator/composio/index.js");
    // With both, Composio's emulator takes the next port (or another free one for port 0).
    const emu = await startComposioEmulator({ port: which === "both" && port !== 0 ? port + 1 : port, host, log: (line) => printErr(line) });
    closers.push(emu.close);
    lines.push(
      `Composio emulator listening on ${emu.url} (demo data; Ctrl-C stops it and forgets everything)`,
      "Point connect-mcp at it (in another terminal):",
      `export COMPOSIO_BASE_URL=${emu.url}`,
      `export COMPOSIO_API_KEY=${COMPOSIO_EMULATOR_DEFAULTS.apiKey}`,
      `export CONNECT_MCP_EXTERNAL_USER_ID=${COMPOSIO_EMULATOR_DEFAULTS.externalUserId}`,
      ...(which === "composio" ? ["export CONNECT_MCP_DB=:memory:"] : []),
    );
  }
  printErr(lines.join("\n"));
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await Promise.all(closers.map((close) => close()));
  return 0;
}

async function doctor(args: string[]): Promise<number> {
  const { config, help } = configFromArgs(args, {}, "doctor");
  if (help) return printOut(COMMAND_HELP.doctor!), 0;
  if (!config) return 2;
  const { runDoctor } = await import("../src/doctor.js");
  const report = await runDoctor(config);
  printOut(report.lines.join("\n"));
  return report.ok ? 0 : 1;
}

async function cache(args: string[]): Promise<number> {
  const { config, help, values } = configFromArgs(args, { clear: { type: "boolean" } }, "cache");
  if (help) return printOut(COMMAND_HELP.cache!), 0;
  if (!config) return 2;
  const { runCacheCommand } = await import("../src/cache-command.js");
  const report = await runCacheCommand(config, { clear: values?.clear === true });
  printOut(report.lines.join("\n"));
  return report.ok ? 0 : 1;
}

async function audit(args: string[]): Promise<number> {
  const extra = { user: { type: "string" }, since: { type: "string" }, until: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } } as const;
  const { config, help, values } = configFromArgs(args, extra, "audit");
  if (help) return printOut(COMMAND_HELP.audit!), 0;
  if (!config || !values) return 2;
  requireExistingDb(config);
  const { runAudit } = await import("../src/audit-cli.js");
  printOut(await runAudit(config, values as Record<string, never>));
  return 0;
}

async function accounts(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const extra = {
    user: { type: "string" },
    app: { type: "string" },
    account: { type: "string" },
    provider: { type: "string" },
    "wait-seconds": { type: "string" },
    "poll-ms": { type: "string" },
    yes: { type: "boolean" },
  } as const;
  const { config, help, values } = configFromArgs(sub?.startsWith("-") ? args : rest, extra, "accounts");
  if (help) return printOut(COMMAND_HELP.accounts!), 0;
  if (!config || !values) return 2;
  const { runAccounts } = await import("../src/accounts-cli.js");
  const report = await runAccounts(config, sub?.startsWith("-") ? undefined : sub, values as Record<string, never>);
  if (report.lines.length) printOut(report.lines.join("\n"));
  return report.code;
}

async function credentials(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...SERVE_FLAGS, user: { type: "string" } }, strict: true, allowPositionals: true });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}. Run connect-mcp credentials --help for the options.`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return printOut(COMMAND_HELP.credentials!), 0;
  const [sub, name, ...extra] = parsed.positionals;
  if (extra.length) throw new ConfigError(`unexpected argument ${JSON.stringify(extra[0])}: the credential goes on stdin, never on the command line. Run connect-mcp credentials --help.`);
  const config = configFrom(values);
  // Reading or deleting must not create an empty database by mistake (a typo in --db); storing the first credential may.
  if (sub === "list" || sub === "delete") requireExistingDb(config);
  const { runCredentials, readStdin } = await import("../src/credentials-cli.js");
  const db = await openDb(config);
  try {
    const report = await runCredentials(config, db, sub, name, { ...(typeof values.user === "string" ? { user: values.user } : {}) }, readStdin);
    (report.code === 0 ? printOut : printErr)(report.lines.join("\n"));
    return report.code;
  } finally {
    await db.close();
  }
}

async function apiKey(args: string[]): Promise<number> {
  const values = parse(args, { user: { type: "string" }, id: { type: "string" }, help: { type: "boolean", short: "h" } }, "api-key");
  if (values.help) return printOut(COMMAND_HELP["api-key"]!), 0;
  const user = values.user;
  if (typeof user !== "string" || user.length === 0 || user.length > 250) throw new ConfigError("--user is required: the Connect external user id this key acts for (1-250 characters).");
  const id = typeof values.id === "string" ? values.id : `key-${randomBytes(4).toString("hex")}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new ConfigError("--id: 1-64 letters, digits, . _ -");
  const key = `cmk_${randomBytes(32).toString("base64url")}`;
  const sha256 = createHash("sha256").update(key).digest("hex");
  printOut(
    [
      `API key (give it to the client; it is not stored anywhere and cannot be shown again):`,
      `  ${key}`,
      `Add this entry to "apiKeys" in the config file (or CONNECT_MCP_API_KEYS):`,
      `  ${JSON.stringify({ id, sha256, user })}`,
    ].join("\n"),
  );
  return 0;
}

/** `call <tool> ['<json>']`: one tool call through the in-process server; prints the result. */
async function call(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...SERVE_FLAGS, user: { type: "string" }, field: { type: "string" } }, strict: true, allowPositionals: true });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}. Run connect-mcp call --help for the options.`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return printOut(COMMAND_HELP.call!), 0;
  const [tool, json, ...extra] = parsed.positionals;
  if (!tool || extra.length) throw new ConfigError(`usage: connect-mcp call <tool> '<json arguments>'. Tools: list_accounts, api_proxy, list_actions, describe_action, run_action.`);
  let toolArgs: unknown = {};
  if (json !== undefined) {
    try {
      toolArgs = JSON.parse(json);
    } catch (err) {
      throw new ConfigError(`the arguments must be a JSON object, e.g. '{"app":"slack"}': ${(err as Error).message}`);
    }
  }
  if (typeof toolArgs !== "object" || toolArgs === null || Array.isArray(toolArgs)) throw new ConfigError(`the arguments must be a JSON object, e.g. '{"app":"slack"}'.`);
  // Quiet by default: the result is the output; say --log-level info to see the call's log lines.
  const quiet = values["log-level"] === undefined && !process.env.CONNECT_MCP_LOG_LEVEL ? { logLevel: "warn" } : {};
  const config = configFrom(values, { ...quiet, ...(typeof values.user === "string" ? { externalUserId: values.user } : {}) });
  const logger = createLogger(config.logLevel);
  const db = await openDb(config);
  const controls = await Controls.open(config, db, logger);
  try {
    const { callTool, pick } = await import("../src/call-command.js");
    const { stdioIdentity } = await import("../src/core/identity.js");
    const deps = { config, logger, services: await createServices(config, db, logger), controls };
    const result = await callTool(deps, stdioIdentity(config), tool, toolArgs as Record<string, unknown>);
    const text = result.content.map((c) => c.text).join("\n");
    if (typeof values.field === "string" && result.structuredContent && !result.isError) {
      const v = pick(result.structuredContent, values.field);
      if (v === undefined) throw new ConfigError(`the result has no field ${values.field}: ${text.slice(0, 300)}`);
      printOut(typeof v === "string" ? v : JSON.stringify(v));
    } else if (result.isError) {
      printErr(text);
    } else {
      printOut(result.structuredContent ? JSON.stringify(result.structuredContent, null, 2) : text);
    }
    return result.isError ? 1 : 0;
  } finally {
    await controls.close();
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const command = first !== undefined && !first.startsWith("-") ? first : "serve";
  const args = command === first ? rest : argv;
  switch (command) {
    case "serve":
      return serve(args);
    case "emulator":
      return emulator(args);
    case "doctor":
      return doctor(args);
    case "audit":
      return audit(args);
    case "api-key":
      return apiKey(args);
    case "accounts":
      return accounts(args);
    case "cache":
      return cache(args);
    case "credentials":
      return credentials(args);
    case "call":
      return call(args);
    case "help":
      printOut(rest[0] === "options" ? SERVE_HELP(true) : rest[0] && COMMAND_HELP[rest[0]] ? COMMAND_HELP[rest[0]]! : SERVE_HELP());
      return 0;
    default:
      throw new ConfigError(`unknown command "${command}". Commands: serve (default), emulator, doctor, call, accounts, credentials, audit, api-key, cache. Run connect-mcp --help.`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      printErr(`connect-mcp: ${err.message}`);
      process.exit(2);
    }
    printErr(`connect-mcp: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
