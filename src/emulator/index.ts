/**
 * Offline emulator of the Pipedream Connect REST API, wire-compatible with
 * `@pipedream/sdk` 3.1.6 (point the SDK's `baseUrl` / `PIPEDREAM_BASE_URL` at
 * `RunningEmulator.url`). No network access, no dependencies, never writes to
 * stdout.
 *
 * Credentials (EMULATOR_DEFAULTS): project `proj_emulator`, client id
 * `emulator-client-id`, client secret `emulator-client-secret`. Both
 * environments (`development`, `production`) hold separate, identically
 * seeded state.
 *
 * Seed users and accounts:
 *   demo-user   apn_slack_demo       slack          "Demo Workspace"     healthy
 *               apn_gsheets_demo     google_sheets  "demo@example.com"   healthy
 *               apn_github_work      github         "work-org"           healthy
 *               apn_github_personal  github         "octo-demo"          healthy
 *               apn_gmail_dead       gmail          "demo@gmail.com"     dead (invalid_grant: token revoked)
 *               apn_zendesk_demo     zendesk        "acme"               healthy, subdomain acme
 *   other-user  apn_slack_other      slack          "Other Workspace"    healthy
 *               apn_gsheets_other    google_sheets  "other@example.com"  healthy
 * Apps: slack, google_sheets, github, gmail, zendesk, notion (nobody connected),
 * openai, airtable, hubspot, linear. List endpoints page 5 items by default.
 *
 * `startEmulator({extraCatalog: {apps, components}})` serves more apps and actions next to the
 * seed (listed and retrievable, not runnable): the search tests and benches use it.
 *
 * Action runs: any configured string value "__fail__" yields HTTP 200 with an
 * `os` error entry ("Emulated component failure").
 *
 * Proxy magic target paths (any host): /__emulator/status/<code> (429 carries Retry-After: 7),
 * /__emulator/text, /__emulator/binary, /__emulator/large/<bytes>[?status=<code>][&chunked=1]
 * (JSON of exactly that size, streamed as the client reads it; with a Content-Length unless
 * chunked=1),
 * /__emulator/delay/<ms> (>30000 → 504 after 30 s), /__emulator/empty (204).
 * Anything else is echoed back as JSON {method, url, query, headers, body,
 * account_id, external_user_id}.
 *
 * Admin routes (no auth):
 *   GET    /healthz                   → {"ok":true}
 *   GET    /__emulator/requests       → RecordedRequest[] (admin calls excluded): {method, path,
 *                                     query, externalUserId?, accountId?, status (0 in flight,
 *                                     499 client gone), at, and once it ended: aborted (true when
 *                                     the client closed the connection before the answer was
 *                                     complete — a cancelled call, or a body cut short — false
 *                                     when it was sent whole), endedAt}
 *   DELETE /__emulator/requests       → clear the log
 *   POST   /__emulator/faults         {method?, path_contains, status?, body?, content_type?, headers?, delay_ms?, times?}
 *                                     next matching request(s) get the delay and/or status/body
 *                                     (a string body is served raw, with content_type or else a
 *                                     JSON content-type: garbage where JSON is expected)
 *   GET    /__emulator/faults, DELETE /__emulator/faults
 *   POST   /__emulator/revoke-tokens  → every issued access token now gets 401
 *   POST   /__emulator/connect        {token, app, name?, custom_fields?} → completes Connect Link:
 *                                     creates a healthy account for the token's user
 *   POST   /__emulator/reset          → seed data restored; faults, log and tokens cleared
 */

export { startEmulator } from "./server.js";
export { EMULATOR_DEFAULTS, emulatorEnv } from "./types.js";
export type { EmulatorOptions, RecordedRequest, RunningEmulator } from "./types.js";
