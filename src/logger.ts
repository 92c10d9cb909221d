/**
 * pino logger bound to stderr: on stdio, stdout is the protocol channel and nothing else may write to it.
 * Secrets never reach a log: known secret-bearing fields are redacted as a safety net, and call sites
 * log ids, hosts and statuses, never bodies or tokens.
 */
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string, name = "connect-mcp"): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: [
          "clientSecret",
          "httpToken",
          "token",
          "accessToken",
          "authorization",
          "headers.authorization",
          "*.clientSecret",
          "*.httpToken",
          "*.authorization",
        ],
        censor: "***",
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
