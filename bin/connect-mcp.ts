#!/usr/bin/env node
/**
 * CLI entry: parses flags and hands a resolved Config to the chosen command.
 *   connect-mcp [serve] [flags]   the MCP server (stdio by default, or --transport http)
 *   connect-mcp emulator [--port] an offline Pipedream Connect emulator for trying things out
 *   connect-mcp doctor [flags]    checks configuration and Pipedream credentials
 *   connect-mcp cache [--clear]   shows or empties the SQLite cache
 */
import { createHash, randomBytes } from "node:crypto";
import { writeSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError, OPTIONS, redactedConfig, resolveConfig, type Config } from "../src/config.js";
import { Controls } from "../src/core/controls.js";
import { createServices } from "../src/core/services.js";
import { createLogger } from "../src/logger.js";
import { openDb } from "../src/store/db.js";
import { VERSION } from "../src/version.js";

/** Help, version and doctor output is for a person at a terminal, never the stdio server's channel. */
function printOut(text: string): void {
  writeSync(1, `${text}\n`);
}
function printErr(text: string): void {
  writeSync(2, `${text}\n`);
}

const USAGE = `connect-mcp ${VERSION} — MCP server for 3,000+ apps through Pipedream Connect

Usage:
  connect-mcp [serve] [options]     run the MCP server (stdio unless --transport http)
  connect-mcp emulator [--provider pipedream|composio|both] [--port N] [--host H]
                                    run an offline emulator: Pipedream Connect (default port 4010),
                                    Composio (4020), or both (Composio on the next port)
  connect-mcp doctor [options]      check the configuration and the Pipedream credentials
  connect-mcp audit [--user U] [--since T] [--until T] [--limit N] [--json] [options]
                                    read the audit log (T: ISO time or 30m/24h/7d back from now)
  connect-mcp api-key --user U [--id ID]
                                    make a new API key and print its config entry (only the hash is kept)
  connect-mcp accounts list|connect|status|revoke --user U [--app A | --account ID] [--provider P]
                    [--wait-seconds N] [--yes] [options]
                                    an end user's connections at either provider: list them, make a
                                    connect link, wait until one is usable (status), disconnect (revoke)
  connect-mcp cache [--clear] [options]
                                    show what the SQLite cache holds (catalog, Connect Links), or empty it

Options (each also an environment variable and a key of the --config JSON file):
${OPTIONS.map((o) => `  ${o.flag ? `--${o.flag}` : "(no flag)"}`.padEnd(26) + ` ${o.help}\n  ${"".padEnd(24)} env ${o.env.join(" or ")}; config key "${o.key}"`).join("\n")}
  --config FILE            JSON config file (env CONNECT_MCP_CONFIG); precedence: defaults < file < env < flags
  -h, --help               show this help
  -v, --version            print the version`;

const SERVE_FLAGS: ParseArgsConfig["options"] = {
  ...Object.fromEntries(OPTIONS.flatMap((o) => (o.flag ? [[o.flag, { type: o.boolean ? ("boolean" as const) : ("string" as const) }]] : []))),
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
};

function parse(args: string[], options: ParseArgsConfig["options"]): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.replace(/\. To specify a positional argument.*$/s, "")}. Run connect-mcp --help for the options.`);
  }
}

function configFromArgs(
  args: string[],
  extra: ParseArgsConfig["options"] = {},
): { config?: Config; help?: boolean; version?: boolean; values?: Record<string, string | boolean | undefined> } {
  const values = parse(args, { ...SERVE_FLAGS, ...extra });
  if (values.help) return { help: true };
  if (values.version) return { version: true };
  const flags: Record<string, unknown> = {};
  for (const o of OPTIONS) if (o.flag && values[o.flag] !== undefined) flags[o.key] = values[o.flag];
  return { config: resolveConfig({ flags, configFile: values.config as string | undefined }), values };
}

async function serve(args: string[]): Promise<number> {
  const { config, help, version } = configFromArgs(args);
  if (help) return printOut(USAGE), 0;
  if (version) return printOut(VERSION), 0;
  if (!config) return 2;
  const logger = createLogger(config.logLevel);
  const db = openDb(config.db);
  const services = createServices(config, db, logger);
  if (!services.ok) logger.warn(services.reason);
  logger.debug({ config: redactedConfig(config) }, "configuration");
  const controls = new Controls(config, db, logger);
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
    // Each transport is loaded only when used: the HTTP stack costs ~100 ms of start-up on stdio.
    const { startHttpServer } = await import("../src/transports/http.js");
    const http = await startHttpServer(deps);
    stop = http.close;
    finished = new Promise(() => undefined);
  } else {
    const { startStdioServer } = await import("../src/transports/stdio.js");
    const stdio = startStdioServer(deps);
    stop = stdio.close;
    finished = stdio.closed;
  }
  await Promise.race([finished, shutdown]);
  await stop();
  controls.close();
  db.close();
  return 0;
}

async function emulator(args: string[]): Promise<number> {
  const values = parse(args, { port: { type: "string" }, host: { type: "string" }, provider: { type: "string" }, help: { type: "boolean", short: "h" } });
  if (values.help) return printOut(USAGE), 0;
  const which = (values.provider as string | undefined) ?? "pipedream";
  if (!["pipedream", "composio", "both"].includes(which)) throw new ConfigError(`--provider must be pipedream, composio or both, got ${JSON.stringify(which)}`);
  const port = values.port === undefined ? (which === "composio" ? 4020 : 4010) : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number, got ${JSON.stringify(values.port)}`);
  const host = (values.host as string | undefined) ?? "127.0.0.1";
  const closers: Array<() => Promise<void>> = [];
  const lines: string[] = [];
  if (which !== "composio") {
    const { EMULATOR_DEFAULTS, startEmulator } = await import("../src/emulator/index.js");
    const emu = await startEmulator({ port, host, log: (line) => printErr(line) });
    closers.push(emu.close);
    lines.push(
      `Pipedream Connect emulator listening on ${emu.url}`,
      "Point connect-mcp at it with:",
      `  PIPEDREAM_BASE_URL=${emu.url}`,
      `  PIPEDREAM_CLIENT_ID=${EMULATOR_DEFAULTS.clientId}`,
      `  PIPEDREAM_CLIENT_SECRET=${EMULATOR_DEFAULTS.clientSecret}`,
      `  PIPEDREAM_PROJECT_ID=${EMULATOR_DEFAULTS.projectId}`,
      `  PIPEDREAM_PROJECT_ENVIRONMENT=${EMULATOR_DEFAULTS.environment}`,
      `  PIPEDREAM_EXTERNAL_USER_ID=${EMULATOR_DEFAULTS.externalUserId}`,
    );
  }
  if (which !== "pipedream") {
    const { COMPOSIO_EMULATOR_DEFAULTS, startComposioEmulator } = await import("../src/emulator/composio/index.js");
    // With both, Composio's emulator takes the next port (or another free one for port 0).
    const emu = await startComposioEmulator({ port: which === "both" && port !== 0 ? port + 1 : port, host, log: (line) => printErr(line) });
    closers.push(emu.close);
    lines.push(
      `Composio emulator listening on ${emu.url}`,
      "Point connect-mcp at it with:",
      `  COMPOSIO_BASE_URL=${emu.url}`,
      `  COMPOSIO_API_KEY=${COMPOSIO_EMULATOR_DEFAULTS.apiKey}`,
      `  CONNECT_MCP_EXTERNAL_USER_ID=${COMPOSIO_EMULATOR_DEFAULTS.externalUserId}`,
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
  const { config, help } = configFromArgs(args);
  if (help) return printOut(USAGE), 0;
  if (!config) return 2;
  const { runDoctor } = await import("../src/doctor.js");
  const report = await runDoctor(config);
  printOut(report.lines.join("\n"));
  return report.ok ? 0 : 1;
}

async function cache(args: string[]): Promise<number> {
  const { config, help, values } = configFromArgs(args, { clear: { type: "boolean" } });
  if (help) return printOut(USAGE), 0;
  if (!config) return 2;
  const { runCacheCommand } = await import("../src/cache-command.js");
  const report = runCacheCommand(config, { clear: values?.clear === true });
  printOut(report.lines.join("\n"));
  return report.ok ? 0 : 1;
}

async function audit(args: string[]): Promise<number> {
  const extra = { user: { type: "string" }, since: { type: "string" }, until: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } } as const;
  const { config, help, values } = configFromArgs(args, extra);
  if (help) return printOut(USAGE), 0;
  if (!config || !values) return 2;
  const { runAudit } = await import("../src/audit-cli.js");
  printOut(runAudit(config, values as Record<string, never>));
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
  const { config, help, values } = configFromArgs(sub?.startsWith("-") ? args : rest, extra);
  if (help) return printOut(USAGE), 0;
  if (!config || !values) return 2;
  const { runAccounts } = await import("../src/accounts-cli.js");
  const report = await runAccounts(config, sub?.startsWith("-") ? undefined : sub, values as Record<string, never>);
  if (report.lines.length) printOut(report.lines.join("\n"));
  return report.code;
}

async function apiKey(args: string[]): Promise<number> {
  const values = parse(args, { user: { type: "string" }, id: { type: "string" }, help: { type: "boolean", short: "h" } });
  if (values.help) return printOut(USAGE), 0;
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
    case "help":
      printOut(USAGE);
      return 0;
    default:
      throw new ConfigError(`unknown command "${command}". Commands: serve (default), emulator, doctor, audit, api-key, accounts, cache. Run connect-mcp --help.`);
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
