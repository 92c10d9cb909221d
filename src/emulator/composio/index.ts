/**
 * Offline emulator of the Composio API v3.1 endpoints connect-mcp uses, wire-compatible with the
 * official `@composio/client` (point its `baseURL` / `COMPOSIO_BASE_URL` at `url`; the client
 * appends `/api/v3.1`). No network access, no dependencies, never writes to stdout.
 *
 * Credentials: one header `x-api-key: emulator-composio-key` (COMPOSIO_EMULATOR_DEFAULTS).
 *
 * Seed users and connected accounts (ids as Composio gives them, `ca_…`):
 *   demo-user   ca_github_demo    github  "octo-composio"   ACTIVE
 *               ca_notion_demo    notion  "Team Wiki"       ACTIVE
 *               ca_gmail_expired  gmail   "demo@gmail.com"  EXPIRED (refresh token revoked)
 *   other-user  ca_github_other   github  "other-octo"      ACTIVE
 *               ca_notion_other   notion  "Other Wiki"      ACTIVE
 * Toolkits: github (versions 20250909_00, 20250801_00 — the older GITHUB_CREATE_AN_ISSUE has no
 * `labels`), slack, gmail, notion, linear (no auth config yet: linking creates a Composio-managed
 * one), weathermap (no managed auth: cannot be linked). Tools carry JSON Schema inputs (GMAIL_SEND_EMAIL
 * uses `$defs`/`$ref`) and hint tags (readOnlyHint, createHint, destructiveHint, important).
 * List endpoints page 5 items by default (`{items, next_cursor, …}`).
 *
 * Execute (`POST /api/v3.1/tools/execute/{slug}`): checks the account is the user's (else 400
 * code 1812), ACTIVE (else 422), the arguments' required/known fields for the version asked (else
 * 400); any argument "__fail__" gives HTTP 200 `{successful: false, error}`.
 *
 * Proxy (`POST /api/v3.1/tools/execute/proxy`): never forwards anything. A relative endpoint is
 * appended to the toolkit's API base; an absolute one must share its registrable domain (else 400
 * OriginMismatch). Magic target paths: /__emulator/status/<code> (429 carries retry-after: 7),
 * /__emulator/text, /__emulator/binary (binary_data), /__emulator/large/<bytes>,
 * /__emulator/items/<n>, /__emulator/delay/<ms>, /__emulator/empty. Anything else is echoed:
 * `{data: {method, url, query, headers, body, connected_account_id, user_id}, status: 200, headers}`.
 *
 * Connecting: GET/POST /auth_configs, POST /connected_accounts/link (201; the account exists at
 * once as INITIATED and turns EXPIRED when the link's 10 minutes — `linkTtlSeconds` — run out),
 * GET/DELETE /connected_accounts/{id}, POST …/{id}/revoke, PATCH …/{id}/status.
 *
 * Admin routes (no auth):
 *   GET    /healthz
 *   GET    /__emulator/requests   → ComposioRecordedRequest[] {method, path, query, userId?,
 *                                   accountId?, toolSlug?, version?, status, at, aborted?, endedAt?}
 *   DELETE /__emulator/requests
 *   POST   /__emulator/faults     {method?, path_contains, status?, body?, content_type?, headers?, delay_ms?, times?}
 *   GET    /__emulator/faults, DELETE /__emulator/faults
 *   POST   /__emulator/connect    {link_token | connected_account_id, status?: ACTIVE|FAILED, alias?}
 *                                 → the user finishing (or failing) a link
 *   POST   /__emulator/expire     {connected_account_id, reason?} → the account turns EXPIRED
 *   POST   /__emulator/reset      → seed data restored; faults and log cleared
 */
export { startComposioEmulator } from "./server.js";
export { COMPOSIO_EMULATOR_DEFAULTS } from "./types.js";
export type { ComposioEmulatorOptions, ComposioRecordedRequest, RunningComposioEmulator } from "./types.js";
