// Types and defaults of the Composio emulator (kept apart from server.ts, like ../types.ts).

export const COMPOSIO_EMULATOR_DEFAULTS = {
  apiKey: "emulator-composio-key",
  externalUserId: "demo-user",
} as const;

export interface ComposioEmulatorOptions {
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 0 (ephemeral); the CLI passes 4020. */
  port?: number;
  /** The project API key callers must send as `x-api-key`. */
  apiKey?: string;
  /** Default page size of list endpoints when no `limit` is given. Default 5 (small on purpose). */
  pageSize?: number;
  /** How long a connect link (and its INITIATED account) lives before it expires. Default 600 s. */
  linkTtlSeconds?: number;
  /** Optional request log sink (one line per request). Default: silent. */
  log?: (line: string) => void;
}

export interface ComposioRecordedRequest {
  method: string;
  /** Path as received (still percent-encoded), without the query string. */
  path: string;
  /** Query string; repeated keys are joined with ",". */
  query: Record<string, string>;
  /** `user_id` of the call (body or `user_ids` query), when it names one. */
  userId?: string;
  /** The connected account the call is about (body, path or `connected_account_ids`). */
  accountId?: string;
  /** The tool of an execute call. */
  toolSlug?: string;
  /** The tool version an execute call asked for. */
  version?: string;
  /** Response status; 0 while in flight, 499 if the client went away first. */
  status: number;
  at: string;
  /** Set when the exchange ended: true when the connection closed before the answer was complete. */
  aborted?: boolean;
  endedAt?: string;
}

export interface RunningComposioEmulator {
  /** e.g. http://127.0.0.1:41234 (no trailing slash); use as COMPOSIO_BASE_URL. */
  url: string;
  port: number;
  /** Every request except /__emulator/* admin calls, in arrival order. */
  requests(): ComposioRecordedRequest[];
  /** Restore seed data; clear faults and the request log. */
  reset(): void;
  close(): Promise<void>;
}

/** Thrown by handlers; answered with Composio's error envelope. */
export class ComposioHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly slug: string,
    readonly code: number = status * 10,
  ) {
    super(message);
    this.name = "ComposioHttpError";
  }
}
