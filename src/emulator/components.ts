// Action registry (component definitions, remote-option generators, reload
// logic, run behaviour) plus the configure / reload / run request handlers.
//
// The definitions imitate real registry components closely enough that an MCP
// server built against them also works against real Connect: camelCase prop
// keys, app props keyed by prop *name*, Pipedream-style descriptions, remote
// options with paging context, dynamic props behind `dynamic_props_id`, and
// component failures reported as HTTP 200 with an `os` error entry.

import { findAccount, type DynamicPropsRecord, type EnvState } from "./state.js";
import { accountBaseUrl } from "./seed.js";
import {
  HttpError,
  type Annotations,
  type ConfigurableProp,
  type Observation,
  type PropOption,
  type StoredAccount,
  type WireComponent,
} from "./types.js";
import { errorObservation, errorString, isRecord, randomId, unwrapLv } from "./util.js";

// ---------------------------------------------------------------------------
// Definition types

interface OptionsContext {
  /** Accounts resolved from the component's app props, keyed by prop name. */
  accounts: Record<string, StoredAccount>;
  /** Account of the first app prop (components here have exactly one). */
  account: StoredAccount;
  /** configured_props with `__lv` wrappers removed and app props left out. */
  configured: Record<string, unknown>;
  query: string | undefined;
  page: number;
  prevContext: Record<string, unknown> | undefined;
}

interface OptionsResult {
  options?: PropOption[];
  stringOptions?: string[];
  context?: Record<string, unknown> | null;
  error?: string;
}

interface ReloadContext {
  account: StoredAccount;
  configured: Record<string, unknown>;
}

type ReloadResult = { props: ConfigurableProp[] } | { error: string };

interface RunContext {
  account: StoredAccount;
  accounts: Record<string, StoredAccount>;
  /** Unwrapped prop values with defaults applied (app props left out). */
  props: Record<string, unknown>;
  /** True when the run used a dynamic_props_id. */
  dynamic: boolean;
}

type RunResult = { summary: string; ret: unknown } | { failure: string; name?: string };

interface ActionDef {
  component: WireComponent;
  /** Remote option generators keyed by prop name. */
  options?: Record<string, (ctx: OptionsContext) => OptionsResult>;
  /** Dynamic props; without it reloadProps just returns the static props. */
  reload?: (ctx: ReloadContext) => ReloadResult;
  run: (ctx: RunContext) => RunResult;
}

// ---------------------------------------------------------------------------
// Builders

function annotations(title: string, hints: { readOnly?: boolean; destructive?: boolean; idempotent?: boolean } = {}): Annotations {
  return {
    readOnlyHint: hints.readOnly ?? false,
    destructiveHint: hints.destructive ?? false,
    idempotentHint: hints.idempotent ?? false,
    openWorldHint: true,
    title,
  };
}

function action(
  key: string,
  name: string,
  version: string,
  description: string,
  hints: Parameters<typeof annotations>[1],
  props: ConfigurableProp[],
): WireComponent {
  return {
    key,
    name,
    version,
    component_type: "action",
    description,
    annotations: annotations(name, hints),
    configurable_props: props,
  };
}

const appProp = (name: string, app: string): ConfigurableProp => ({ name, type: "app", app });

function str(name: string, label: string, description: string, extra: Partial<ConfigurableProp> = {}): ConfigurableProp {
  return { name, type: "string", label, description, ...extra };
}

function filterByQuery(options: PropOption[], query: string | undefined): PropOption[] {
  if (!query) return options;
  const q = query.toLowerCase();
  return options.filter((o) => o.label.toLowerCase().includes(q) || String(o.value).toLowerCase().includes(q));
}

/** Options that do not depend on other props: one page, searchable by label or value. */
function fixedOptions(options: PropOption[]) {
  return (ctx: { query?: string }) => ({ options: filterByQuery(options, ctx.query), context: null });
}

function asString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

// ---------------------------------------------------------------------------
// Fake upstream data

interface SlackChannel {
  id: string;
  name: string;
}

const SLACK_CHANNELS: Record<string, SlackChannel[]> = {
  apn_slack_demo: [
    { id: "C01GENERAL", name: "general" },
    { id: "C02RANDOM", name: "random" },
    { id: "C03ENGINEERING", name: "engineering" },
    { id: "C04DESIGN", name: "design" },
    { id: "C05SALES", name: "sales" },
    { id: "C06SUPPORT", name: "support" },
    { id: "C07ANNOUNCE", name: "announcements" },
  ],
  apn_slack_other: [
    { id: "C91GENERAL", name: "general" },
    { id: "C92OPS", name: "ops" },
  ],
};

function slackChannels(account: StoredAccount): SlackChannel[] {
  return SLACK_CHANNELS[account.id] ?? SLACK_CHANNELS["apn_slack_demo"] ?? [];
}

function slackChannelOptions(ctx: OptionsContext): OptionsResult {
  const options = slackChannels(ctx.account).map((c) => ({ label: `#${c.name}`, value: c.id }));
  return { options: filterByQuery(options, ctx.query), context: null };
}

interface Worksheet {
  id: number;
  title: string;
  headers: string[];
}

interface Spreadsheet {
  value: string;
  label: string;
  worksheets: Worksheet[];
}

const SPREADSHEETS: readonly Spreadsheet[] = [
  {
    value: "sheet_budget_2026",
    label: "Budget 2026",
    worksheets: [
      { id: 0, title: "Sheet1", headers: ["Date", "Item", "Amount"] },
      { id: 1, title: "Archive", headers: ["Date", "Item", "Amount", "Archived At"] },
    ],
  },
  { value: "sheet_budget_2025", label: "Budget 2025", worksheets: [{ id: 0, title: "Sheet1", headers: ["Date", "Item", "Amount"] }] },
  { value: "sheet_team_roster", label: "Team Roster", worksheets: [{ id: 0, title: "Members", headers: ["Name", "Email", "Role"] }] },
  {
    value: "sheet_inventory",
    label: "Inventory",
    worksheets: [
      { id: 0, title: "Stock", headers: ["SKU", "Name", "Quantity"] },
      { id: 1, title: "Suppliers", headers: ["Supplier", "Contact"] },
    ],
  },
  { value: "sheet_expenses_q1", label: "Expenses Q1", worksheets: [{ id: 0, title: "Sheet1", headers: ["Date", "Category", "Amount", "Notes"] }] },
  { value: "sheet_expenses_q2", label: "Expenses Q2", worksheets: [{ id: 0, title: "Sheet1", headers: ["Date", "Category", "Amount", "Notes"] }] },
  { value: "sheet_reading_list", label: "Reading List", worksheets: [{ id: 0, title: "Books", headers: ["Title", "Author"] }] },
];

/** Spreadsheet options come 3 per page so clients must follow `context`. */
const SHEETS_PAGE_SIZE = 3;

function findSheet(v: unknown): Spreadsheet | undefined {
  const id = asString(v);
  return id === undefined ? undefined : SPREADSHEETS.find((s) => s.value === id);
}

function findWorksheet(sheet: Spreadsheet, v: unknown): Worksheet | undefined {
  const id = asString(v);
  return id === undefined ? undefined : sheet.worksheets.find((w) => String(w.id) === id);
}

function columnLetter(index: number): string {
  let n = index + 1;
  let out = "";
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

const colPropName = (i: number): string => `col_${String(i).padStart(4, "0")}`;

function encodePageToken(offset: number): string {
  return Buffer.from(`sheets:${offset}`).toString("base64url");
}

function decodePageToken(token: unknown): number | undefined {
  if (typeof token !== "string") return undefined;
  const m = /^sheets:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

const GITHUB_REPOS: Record<string, string[]> = {
  apn_github_work: ["work-org/api", "work-org/web"],
  apn_github_personal: ["octo-demo/dotfiles"],
};

function githubRepos(account: StoredAccount): string[] {
  return GITHUB_REPOS[account.id] ?? [`${account.name}/hello-world`];
}

function githubRepoOptions(ctx: OptionsContext): OptionsResult {
  const options = githubRepos(ctx.account).map((r) => ({ label: r, value: r }));
  return { options: filterByQuery(options, ctx.query), context: null };
}

function githubRepoAccess(account: StoredAccount, repo: unknown): RunResult | undefined {
  const r = asString(repo) ?? "";
  if (!githubRepos(account).includes(r)) {
    return { failure: `Not Found: repository "${r}" is not accessible with account ${account.id} (${account.name})`, name: "HttpError" };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Definitions

const SLACK_CHANNEL_PROP = str("channel", "Channel", "Select a public or private channel, or a user or group to send the message to", {
  remoteOptions: true,
  withLabel: true,
});

const ADD_SINGLE_ROW_PROPS: ConfigurableProp[] = [
  appProp("googleSheets", "google_sheets"),
  { name: "drive", type: "string", label: "Drive", description: "Defaults to `My Drive`. To select a [Shared Drive](https://support.google.com/a/users/answer/9310351) instead, select it from this list.", optional: true, default: "My Drive", remoteOptions: true },
  { name: "sheetId", type: "string", label: "Spreadsheet", description: "Select a spreadsheet or provide a spreadsheet ID", useQuery: true, remoteOptions: true, reloadProps: true },
  { name: "worksheetId", type: "string", label: "Worksheet", description: "Select a worksheet or provide a worksheet ID", remoteOptions: true, reloadProps: true },
  { name: "hasHeaders", type: "boolean", label: "Does the first row of the sheet have headers?", description: "If the first row of your document has headers, we'll retrieve them to make it easy to enter the value for each column. Note: When using a dynamic reference for the worksheet ID (e.g. `{{steps.foo.$return_value}}`), this setting is ignored.", reloadProps: true },
];

const DEFINITIONS: ActionDef[] = [
  // --- Slack --------------------------------------------------------------
  {
    component: action(
      "slack-send-message",
      "Send Message",
      "0.1.4",
      "Send a message to a user, group, private channel or public channel. [See the documentation](https://api.slack.com/methods/chat.postMessage)",
      {},
      [
        appProp("slack", "slack"),
        SLACK_CHANNEL_PROP,
        str("text", "Text", "Text of the message to send (see Slack's [formatting docs](https://api.slack.com/reference/surfaces/formatting)). This field is usually required, unless you're providing only attachments instead."),
        str("thread_ts", "Thread Timestamp", "Provide another message's `ts` value to make this message a reply (e.g., if triggering on new Slack messages, enter `{{event.ts}}`). Avoid using a reply's `ts` value; use its parent instead.", { optional: true }),
      ],
    ),
    options: { channel: slackChannelOptions },
    run: ({ props }) => ({
      summary: `Sent message to ${String(props["channel"])}`,
      ret: { ok: true, channel: props["channel"], ts: "1700000000.000100", text: props["text"] },
    }),
  },
  {
    component: action(
      "slack-list-channels",
      "List Channels",
      "0.0.9",
      "Return a list of all channels in a workspace. [See the documentation](https://api.slack.com/methods/conversations.list)",
      { readOnly: true, idempotent: true },
      [
        appProp("slack", "slack"),
        { name: "limit", type: "integer", label: "Limit", description: "The maximum number of channels to return", optional: true, default: 10, min: 1, max: 100 },
      ],
    ),
    run: ({ account, props }) => {
      const limit = typeof props["limit"] === "number" ? props["limit"] : 10;
      const channels = slackChannels(account)
        .slice(0, limit)
        .map((c) => ({ id: c.id, name: c.name, is_channel: true, is_private: false, is_archived: false }));
      return { summary: `Successfully found ${channels.length} channel${channels.length === 1 ? "" : "s"}`, ret: channels };
    },
  },
  {
    component: action(
      "slack-update-message",
      "Update Message",
      "0.1.3",
      "Update a message. [See the documentation](https://api.slack.com/methods/chat.update)",
      { idempotent: true },
      [
        appProp("slack", "slack"),
        SLACK_CHANNEL_PROP,
        str("timestamp", "Timestamp", "Timestamp of the message to update, e.g. `1403051575.000407`"),
        str("text", "Text", "Text of the message to send"),
      ],
    ),
    options: { channel: slackChannelOptions },
    run: ({ props }) => ({
      summary: `Updated message ${String(props["timestamp"])} in ${String(props["channel"])}`,
      ret: { ok: true, channel: props["channel"], ts: props["timestamp"], text: props["text"] },
    }),
  },
  {
    component: action(
      "slack-delete-message",
      "Delete Message",
      "0.0.28",
      "Delete a message. [See the documentation](https://api.slack.com/methods/chat.delete)",
      { destructive: true, idempotent: true },
      [
        appProp("slack", "slack"),
        SLACK_CHANNEL_PROP,
        str("timestamp", "Timestamp", "Timestamp of the message to delete, e.g. `1403051575.000407`"),
      ],
    ),
    options: { channel: slackChannelOptions },
    run: ({ props }) => ({
      summary: `Deleted message ${String(props["timestamp"])} in ${String(props["channel"])}`,
      ret: { ok: true, channel: props["channel"], ts: props["timestamp"] },
    }),
  },
  {
    component: action(
      "slack-find-user",
      "Find User by Email",
      "0.0.20",
      "Find a user by matching against their email. [See the documentation](https://api.slack.com/methods/users.lookupByEmail)",
      { readOnly: true, idempotent: true },
      [appProp("slack", "slack"), str("email", "Email", "An email address belonging to a user in the workspace")],
    ),
    run: ({ props }) => {
      const email = String(props["email"]);
      const local = email.split("@")[0] ?? email;
      const id = `U${Buffer.from(email).toString("hex").slice(0, 9).toUpperCase()}`;
      return {
        summary: `Successfully found user with ID ${id}`,
        ret: { ok: true, user: { id, name: local, real_name: local, deleted: false, is_bot: false, profile: { email, display_name: local } } },
      };
    },
  },
  {
    component: action(
      "slack-add-reaction",
      "Add Emoji Reaction",
      "0.0.14",
      "Add an emoji reaction to a message. [See the documentation](https://api.slack.com/methods/reactions.add)",
      { idempotent: true },
      [
        appProp("slack", "slack"),
        SLACK_CHANNEL_PROP,
        str("timestamp", "Timestamp", "Timestamp of the message to react to, e.g. `1403051575.000407`"),
        str("name", "Emoji Name", "Reaction (emoji) name without colons, e.g. `thumbsup`"),
      ],
    ),
    options: { channel: slackChannelOptions },
    run: ({ props }) => ({ summary: `Added :${String(props["name"])}: reaction`, ret: { ok: true } }),
  },

  // --- Google Sheets ------------------------------------------------------
  {
    component: action(
      "google_sheets-add-single-row",
      "Add Single Row",
      "2.1.0",
      "Add a single row of data to Google Sheets. [See the documentation](https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/append)",
      {},
      ADD_SINGLE_ROW_PROPS,
    ),
    options: {
      drive: () => ({ stringOptions: ["My Drive", "Shared: Finance"], context: null }),
      sheetId: (ctx) => {
        const all = filterByQuery(
          SPREADSHEETS.map((s) => ({ label: s.label, value: s.value })),
          ctx.query,
        );
        let offset = ctx.page * SHEETS_PAGE_SIZE;
        if (ctx.prevContext && ctx.prevContext["nextPageToken"] !== undefined) {
          const decoded = decodePageToken(ctx.prevContext["nextPageToken"]);
          if (decoded === undefined) return { error: "Invalid page token" };
          offset = decoded;
        }
        const options = all.slice(offset, offset + SHEETS_PAGE_SIZE);
        const next = offset + SHEETS_PAGE_SIZE;
        return { options, context: next < all.length ? { nextPageToken: encodePageToken(next) } : null };
      },
      worksheetId: (ctx) => {
        if (ctx.configured["sheetId"] === undefined || ctx.configured["sheetId"] === null || ctx.configured["sheetId"] === "") {
          return { error: "Spreadsheet is required before choosing a worksheet" };
        }
        const sheet = findSheet(ctx.configured["sheetId"]);
        if (!sheet) return { error: `Requested entity was not found: spreadsheet ${String(ctx.configured["sheetId"])}` };
        return { options: sheet.worksheets.map((w) => ({ label: w.title, value: w.id })), context: null };
      },
    },
    reload: ({ configured }) => {
      const props = [...ADD_SINGLE_ROW_PROPS];
      const sheetId = configured["sheetId"];
      const worksheetId = configured["worksheetId"];
      const hasHeaders = configured["hasHeaders"] === true || configured["hasHeaders"] === "true";
      const noHeaders = configured["hasHeaders"] === false || configured["hasHeaders"] === "false";
      let worksheet: Worksheet | undefined;
      if (sheetId !== undefined && sheetId !== null && sheetId !== "") {
        const sheet = findSheet(sheetId);
        if (!sheet) return { error: `Requested entity was not found: spreadsheet ${String(sheetId)}` };
        if (worksheetId !== undefined && worksheetId !== null && worksheetId !== "") {
          worksheet = findWorksheet(sheet, worksheetId);
          if (!worksheet) return { error: `Worksheet ${String(worksheetId)} not found in spreadsheet ${sheet.label}` };
        }
      }
      if (hasHeaders && worksheet) {
        worksheet.headers.forEach((header, i) => {
          props.push({ name: colPropName(i), type: "string", label: header, description: `Value for column ${columnLetter(i)} (\`${header}\`)`, optional: false });
        });
      } else if (noHeaders) {
        props.push({
          name: "myColumnData",
          type: "string[]",
          label: "Values",
          description: "Provide a value for each cell of the row. Google Sheets accepts strings, numbers and boolean values for each cell. To set a cell to an empty value, pass an empty string.",
        });
      }
      return { props };
    },
    run: ({ props, dynamic }) => {
      const sheet = findSheet(props["sheetId"]);
      if (!sheet) return { failure: `Requested entity was not found: spreadsheet ${String(props["sheetId"])}` };
      const worksheet = findWorksheet(sheet, props["worksheetId"]);
      if (!worksheet) return { failure: `Unable to parse range: worksheet ${String(props["worksheetId"])} not found` };
      let values: unknown[] | undefined;
      if (dynamic && props[colPropName(0)] !== undefined) {
        values = worksheet.headers.map((_, i) => props[colPropName(i)] ?? "");
      } else if (Array.isArray(props["myColumnData"])) {
        values = props["myColumnData"];
      }
      // What the real component throws when run without its dynamic props.
      if (!values) return { failure: "undefined is not an array or an array-like", name: "TypeError" };
      const lastCol = columnLetter(Math.max(values.length, 1) - 1);
      return {
        summary: `Added 1 row to ${sheet.label}`,
        ret: { updatedRange: `${worksheet.title}!A5:${lastCol}5`, values },
      };
    },
  },

  // --- GitHub -------------------------------------------------------------
  {
    component: action(
      "github-create-issue",
      "Create Issue",
      "0.3.2",
      "Create a new issue in a Github repo. [See the documentation](https://docs.github.com/en/rest/issues/issues#create-an-issue)",
      {},
      [
        appProp("github", "github"),
        str("repo", "Repository", "The repository, as `owner/name`", { remoteOptions: true }),
        str("title", "Title", "The title of the issue"),
        str("body", "Body", "The contents of the issue (Markdown)", { optional: true }),
        { name: "labels", type: "string[]", label: "Labels", description: "Labels to associate with this issue", optional: true },
      ],
    ),
    options: { repo: githubRepoOptions },
    run: ({ account, props }) => {
      const denied = githubRepoAccess(account, props["repo"]);
      if (denied) return denied;
      const repo = String(props["repo"]);
      return {
        summary: `Successfully created issue #42 in ${repo}`,
        ret: { number: 42, html_url: `https://github.com/${repo}/issues/42`, title: props["title"], state: "open", labels: props["labels"] ?? [] },
      };
    },
  },
  {
    component: action(
      "github-get-repository",
      "Get Repository Info",
      "0.0.8",
      "Get information for a specific repository. [See the documentation](https://docs.github.com/en/rest/repos/repos#get-a-repository)",
      { readOnly: true, idempotent: true },
      [appProp("github", "github"), str("repo", "Repository", "The repository, as `owner/name`", { remoteOptions: true })],
    ),
    options: { repo: githubRepoOptions },
    run: ({ account, props }) => {
      const denied = githubRepoAccess(account, props["repo"]);
      if (denied) return denied;
      const repo = String(props["repo"]);
      return {
        summary: `Successfully retrieved repository ${repo}`,
        ret: { full_name: repo, private: repo.startsWith("work-org/"), default_branch: "main", html_url: `https://github.com/${repo}`, open_issues_count: 3 },
      };
    },
  },

  // --- Gmail --------------------------------------------------------------
  {
    component: action(
      "gmail-send-email",
      "Send Email",
      "0.1.16",
      "Send an email from your Google Workspace email account. [See the documentation](https://developers.google.com/gmail/api/reference/rest/v1/users.messages/send)",
      {},
      [
        appProp("gmail", "gmail"),
        str("to", "To", "Enter a single recipient's email or multiple emails separated by commas"),
        str("subject", "Subject", "Specify a subject for the email"),
        str("body", "Email Body", "Include an email body as either plain text or HTML"),
        { name: "cc", type: "string[]", label: "Cc", description: "Enter additional recipients to be cc'ed", optional: true },
      ],
    ),
    run: ({ props }) => ({
      summary: `Successfully sent email to ${String(props["to"])}`,
      ret: { id: "18d3c0e0emu00001", threadId: "18d3c0e0emu00001", labelIds: ["SENT"] },
    }),
  },

  // --- Zendesk ------------------------------------------------------------
  {
    component: action(
      "zendesk-create-ticket",
      "Create Ticket",
      "0.1.10",
      "Creates a ticket. [See the documentation](https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#create-ticket)",
      {},
      [
        appProp("zendesk", "zendesk"),
        str("subject", "Subject", "The subject of the ticket"),
        str("comment", "Comment", "The first comment on the ticket"),
        str("priority", "Priority", "The urgency with which the ticket should be addressed", {
          optional: true,
          options: ["low", "normal", "high", "urgent"],
        }),
      ],
    ),
    run: ({ account, props }) => {
      const base = accountBaseUrl("zendesk", account.customFields) ?? "https://unknown.zendesk.com";
      return {
        summary: "Successfully created ticket with ID 1001",
        ret: { ticket: { id: 1001, url: `${base}/api/v2/tickets/1001.json`, subject: props["subject"], priority: props["priority"] ?? null, status: "new" } },
      };
    },
  },

  // --- Notion -------------------------------------------------------------
  {
    component: action(
      "notion-create-page",
      "Create Page",
      "0.2.17",
      "Create a page from a parent page. [See the documentation](https://developers.notion.com/reference/post-page)",
      {},
      [
        appProp("notion", "notion"),
        str("parent", "Parent Page ID", "Select a parent page or provide a page ID", { remoteOptions: true, useQuery: true }),
        str("title", "Page Title", "The title of the page"),
      ],
    ),
    options: {
      parent: fixedOptions([
        { label: "Team Wiki", value: "page_team_wiki" },
        { label: "Meeting Notes", value: "page_meeting_notes" },
        { label: "Personal", value: "page_personal" },
      ]),
    },
    run: ({ props }) => ({
      summary: `Successfully created page "${String(props["title"])}"`,
      ret: { object: "page", id: "5c6a2821-6bb1-4a7e-b6e1-c50111515c3d", parent: { type: "page_id", page_id: props["parent"] }, url: "https://www.notion.so/Emulated-5c6a28216bb14a7eb6e1c50111515c3d" },
    }),
  },

  // --- OpenAI -------------------------------------------------------------
  {
    component: action(
      "openai-chat",
      "Chat",
      "0.3.1",
      "The Chat API, using the `gpt-4o-mini` or other models. [See the documentation](https://platform.openai.com/docs/api-reference/chat)",
      {},
      [
        appProp("openai", "openai"),
        str("model", "Model", "The ID of the model to use", { options: ["gpt-4o-mini", "gpt-4o", "o3-mini"] }),
        str("prompt", "User Message", "The user message to send to the model"),
      ],
    ),
    run: ({ props }) => ({
      summary: "Successfully sent chat with id chatcmpl-emulator",
      ret: {
        id: "chatcmpl-emulator",
        object: "chat.completion",
        model: props["model"],
        choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: `Emulated reply to: ${String(props["prompt"])}` } }],
      },
    }),
  },

  // --- Airtable -----------------------------------------------------------
  {
    component: action(
      "airtable-create-record",
      "Create Single Record",
      "0.0.12",
      "Adds a record to a table. [See the documentation](https://airtable.com/developers/web/api/create-records)",
      {},
      [
        appProp("airtable", "airtable"),
        str("baseId", "Base", "The Airtable base", { remoteOptions: true }),
        str("tableId", "Table", "The table ID or name, e.g. `tblXXXXXXXXXXXXXX` or `Tasks`"),
        { name: "fields", type: "object", label: "Fields", description: "The record's field values, keyed by field name" },
      ],
    ),
    options: {
      baseId: fixedOptions([
        { label: "Product Roadmap", value: "appRoadmap000001" },
        { label: "CRM", value: "appCrm0000000002" },
      ]),
    },
    run: ({ props }) => ({
      summary: "Added 1 record to your Airtable table",
      ret: { id: "recEmulator00001", createdTime: "2026-01-10T10:00:00.000Z", fields: props["fields"] },
    }),
  },

  // --- HubSpot: exercises every unusual prop type for schema converters ----
  {
    component: action(
      "hubspot-create-contact",
      "Create Contact",
      "0.0.21",
      "Create a contact in HubSpot. [See the documentation](https://developers.hubspot.com/docs/api/crm/contacts)",
      {},
      [
        appProp("hubspot", "hubspot"),
        { name: "alert", type: "alert", alertType: "info", content: "Contacts are deduplicated by email address. [Learn more](https://knowledge.hubspot.com/records/deduplication-of-records)." },
        str("email", "Email", "The contact's email address"),
        str("firstName", "First Name", "The contact's first name", { optional: true }),
        str("lifecycleStage", "Lifecycle Stage", "The contact's lifecycle stage", {
          optional: true,
          options: [
            { label: "Subscriber", value: "subscriber" },
            { label: "Lead", value: "lead" },
            { label: "Customer", value: "customer" },
          ],
        }),
        str("source", "Source", "Internal: records where the contact came from", { hidden: true, default: "connect-mcp" }),
        { name: "properties", type: "object", label: "Additional Properties", description: "Other contact properties, keyed by internal property name", optional: true },
        { name: "listIds", type: "integer[]", label: "List IDs", description: "IDs of static lists to add the contact to", optional: true, min: 1 },
        { name: "subscribe", type: "boolean", label: "Subscribe", description: "Subscribe the contact to marketing emails", default: true },
        { name: "db", type: "$.service.db" },
        { name: "metadata", type: "any", label: "Metadata", description: "Any JSON value to store with the contact", optional: true },
      ],
    ),
    run: ({ props }) => ({
      summary: "Successfully created contact with ID 5120",
      ret: {
        id: "5120",
        properties: { email: props["email"], firstname: props["firstName"] ?? null, lifecyclestage: props["lifecycleStage"] ?? null, ...(isRecord(props["properties"]) ? props["properties"] : {}) },
        listIds: props["listIds"] ?? [],
        subscribed: props["subscribe"],
        source: props["source"],
        metadata: props["metadata"] ?? null,
      },
    }),
  },

  // --- Linear -------------------------------------------------------------
  {
    component: action(
      "linear-create-issue",
      "Create Issue",
      "0.4.9",
      "Create an issue in Linear. [See the documentation](https://developers.linear.app/docs/graphql/working-with-the-graphql-api#creating-and-editing-issues)",
      {},
      [
        appProp("linear", "linear"),
        str("teamId", "Team", "The team the issue belongs to", { remoteOptions: true }),
        str("title", "Title", "The title of the issue"),
        str("description", "Description", "The issue description in Markdown", { optional: true }),
      ],
    ),
    options: {
      teamId: fixedOptions([
        { label: "Engineering", value: "team_eng" },
        { label: "Design", value: "team_design" },
      ]),
    },
    run: ({ props }) => ({
      summary: "Created a new issue with ID: ENG-42",
      ret: { success: true, issue: { id: "9cfb482a-81e3-4154-b5b9-2c805e70a02d", identifier: "ENG-42", title: props["title"], url: "https://linear.app/emulator/issue/ENG-42" } },
    }),
  },
];

const BY_KEY = new Map(DEFINITIONS.map((d) => [d.component.key, d]));

/** App slug of a component = the app of its first app prop. */
function componentApp(c: WireComponent): string | undefined {
  return c.configurable_props.find((p) => p.type === "app")?.app;
}

export function listComponents(): WireComponent[] {
  return DEFINITIONS.map((d) => structuredClone(d.component));
}

export function getComponent(key: string): WireComponent | undefined {
  const def = BY_KEY.get(key);
  return def ? structuredClone(def.component) : undefined;
}

export function componentMatchesApp(c: WireComponent, appSlug: string): boolean {
  return componentApp(c) === appSlug || c.key.startsWith(`${appSlug}-`);
}

export function appHasActions(appSlug: string): boolean {
  return DEFINITIONS.some((d) => componentMatchesApp(d.component, appSlug));
}

// ---------------------------------------------------------------------------
// Request handling shared by configure / reload / run

function requireString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== "string" || v === "") throw new HttpError(400, `${field} is required`);
  return v;
}

function lookupDefinition(key: string): ActionDef {
  const def = BY_KEY.get(key);
  if (!def) throw new HttpError(404, "component not found");
  return def;
}

function configuredPropsOf(body: Record<string, unknown>): Record<string, unknown> {
  const v = body["configured_props"];
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) throw new HttpError(400, "configured_props must be an object");
  return v;
}

function resolveDynamicProps(state: EnvState, body: Record<string, unknown>, key: string): DynamicPropsRecord | undefined {
  const id = body["dynamic_props_id"];
  if (id === undefined || id === null) return undefined;
  const rec = typeof id === "string" ? state.dynamicProps.get(id) : undefined;
  if (!rec || rec.componentKey !== key) throw new HttpError(400, "unknown dynamic_props_id");
  return rec;
}

type AppResolution = { ok: true; accounts: Record<string, StoredAccount>; primary: StoredAccount } | { ok: false; message: string };

/** Checks every app prop: `{authProvisionId}` keyed by prop name, owned by the user, of the right app. */
function resolveAppProps(state: EnvState, props: ConfigurableProp[], configured: Record<string, unknown>, externalUserId: string): AppResolution {
  const accounts: Record<string, StoredAccount> = {};
  let primary: StoredAccount | undefined;
  for (const prop of props) {
    if (prop.type !== "app") continue;
    const value = configured[prop.name];
    const id = isRecord(value) ? value["authProvisionId"] : undefined;
    if (typeof id !== "string" || id === "") {
      return {
        ok: false,
        message: `App prop "${prop.name}" is not configured: set configured_props.${prop.name} to {"authProvisionId":"apn_…"} for one of ${externalUserId}'s ${prop.app ?? ""} accounts`,
      };
    }
    const acc = findAccount(state, id);
    if (!acc) return { ok: false, message: `App prop "${prop.name}": account ${id} not found` };
    if (acc.externalId !== externalUserId) {
      return { ok: false, message: `App prop "${prop.name}": account ${id} does not belong to external user ${externalUserId}` };
    }
    if (acc.appSlug !== prop.app) {
      return { ok: false, message: `App prop "${prop.name}": account ${id} is a ${acc.appSlug} account, expected ${prop.app ?? "?"}` };
    }
    accounts[prop.name] = acc;
    primary ??= acc;
  }
  if (!primary) return { ok: false, message: "component has no app prop" };
  return { ok: true, accounts, primary };
}

function unhealthyMessage(acc: StoredAccount): string | undefined {
  if (acc.healthy && !acc.dead) return undefined;
  return `${acc.error ?? "invalid_grant"} — account ${acc.id} (${acc.appSlug}) must be reconnected by the user`;
}

/** configured_props minus app props, with `__lv` wrappers removed. */
function plainValues(props: ConfigurableProp[], configured: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(configured)) {
    if (props.find((p) => p.name === k)?.type === "app") continue;
    out[k] = unwrapLv(v);
  }
  return out;
}

function configureError(message: string): Record<string, unknown> {
  return { observations: [errorObservation(message)], context: null, options: [], stringOptions: null, errors: [errorString(message)] };
}

function normalizeStaticOptions(options: unknown[]): PropOption[] {
  return options.map((o) => {
    const inner = isRecord(o) && isRecord(o["__lv"]) ? o["__lv"] : o;
    if (isRecord(inner)) return { label: String(inner["label"]), value: inner["value"] as PropOption["value"] };
    return { label: String(o), value: o as PropOption["value"] };
  });
}

// ---------------------------------------------------------------------------
// POST /actions/configure

export function configureProp(state: EnvState, body: Record<string, unknown>): Record<string, unknown> {
  const key = requireString(body, "id");
  const externalUserId = requireString(body, "external_user_id");
  const propName = requireString(body, "prop_name");
  const def = lookupDefinition(key);
  const configured = configuredPropsOf(body);
  const dynamic = resolveDynamicProps(state, body, key);
  const props = dynamic?.props ?? def.component.configurable_props;
  const prop = props.find((p) => p.name === propName);
  if (!prop) throw new HttpError(400, `prop "${propName}" not found on component ${key}`);

  const pageRaw = body["page"];
  if (pageRaw !== undefined && pageRaw !== null && (typeof pageRaw !== "number" || !Number.isInteger(pageRaw) || pageRaw < 0)) {
    throw new HttpError(400, "page must be a non-negative integer");
  }
  const page = typeof pageRaw === "number" ? pageRaw : 0;
  const prevRaw = body["prev_context"];
  const prevContext = isRecord(prevRaw) ? prevRaw : undefined;
  const query = typeof body["query"] === "string" && body["query"] !== "" ? body["query"] : undefined;

  if (!prop.remoteOptions) {
    if (prop.options) {
      return { observations: [], context: null, options: normalizeStaticOptions(prop.options), stringOptions: null, errors: [] };
    }
    return configureError(`Prop "${propName}" has no options to load`);
  }

  const auth = resolveAppProps(state, props, configured, externalUserId);
  if (!auth.ok) return configureError(auth.message);
  const unhealthy = unhealthyMessage(auth.primary);
  if (unhealthy) return configureError(`Request failed with status code 401: ${unhealthy}`);

  const gen = def.options?.[propName];
  if (!gen) return configureError(`Prop "${propName}" has no options to load`);
  const result = gen({
    accounts: auth.accounts,
    account: auth.primary,
    configured: plainValues(props, configured),
    query,
    page,
    prevContext,
  });
  if (result.error !== undefined) return configureError(result.error);
  return {
    observations: [],
    context: result.context ?? null,
    options: result.options ?? null,
    stringOptions: result.stringOptions ?? null,
    errors: [],
  };
}

// ---------------------------------------------------------------------------
// POST /actions/props

export function reloadProps(state: EnvState, body: Record<string, unknown>): Record<string, unknown> {
  const key = requireString(body, "id");
  const externalUserId = requireString(body, "external_user_id");
  const def = lookupDefinition(key);
  const configured = configuredPropsOf(body);
  resolveDynamicProps(state, body, key);
  const staticProps = def.component.configurable_props;

  const fail = (message: string): Record<string, unknown> => ({ observations: [errorObservation(message)], errors: [errorString(message)] });
  const auth = resolveAppProps(state, staticProps, configured, externalUserId);
  if (!auth.ok) return fail(auth.message);
  const unhealthy = unhealthyMessage(auth.primary);
  if (unhealthy) return fail(`Request failed with status code 401: ${unhealthy}`);

  const result = def.reload ? def.reload({ account: auth.primary, configured: plainValues(staticProps, configured) }) : { props: staticProps };
  if ("error" in result) return fail(result.error);

  // Each reload yields a new immutable snapshot, so an older id keeps meaning what it meant.
  const record: DynamicPropsRecord = { id: randomId("dyp_"), componentKey: key, externalUserId, props: structuredClone(result.props) };
  state.dynamicProps.set(record.id, record);
  return { observations: [], errors: [], dynamicProps: { id: record.id, configurableProps: structuredClone(result.props) } };
}

// ---------------------------------------------------------------------------
// POST /actions/run

const INFRA_TYPES = new Set(["data_store", "dir"]);
function isInfrastructure(p: ConfigurableProp): boolean {
  return p.type.startsWith("$.service.") || p.type.startsWith("$.interface.") || INFRA_TYPES.has(p.type);
}

function isMissing(v: unknown): boolean {
  return v === undefined || v === null || v === "";
}

/** Light type checking so that schema mistakes in a client surface as 400s. */
function typeProblem(p: ConfigurableProp, v: unknown): string | undefined {
  const label = `Prop "${p.name}"`;
  switch (p.type) {
    case "string":
      // Remote options may carry numeric values (e.g. worksheet ids), as on the real registry.
      if (typeof v === "number" && p.remoteOptions) return undefined;
      if (typeof v !== "string") return `${label} must be a string`;
      if (p.options && !p.remoteOptions) {
        const allowed = normalizeStaticOptions(p.options).map((o) => String(o.value));
        if (!allowed.includes(v)) return `${label} must be one of: ${allowed.join(", ")}`;
      }
      return undefined;
    case "string[]":
      return Array.isArray(v) && v.every((x) => typeof x === "string") ? undefined : `${label} must be an array of strings`;
    case "integer":
      if (typeof v !== "number" || !Number.isInteger(v)) return `${label} must be an integer`;
      if (p.min !== undefined && v < p.min) return `${label} must be >= ${p.min}`;
      if (p.max !== undefined && v > p.max) return `${label} must be <= ${p.max}`;
      return undefined;
    case "integer[]":
      if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isInteger(x))) return `${label} must be an array of integers`;
      if (p.min !== undefined && v.some((x: number) => x < (p.min ?? 0))) return `${label} items must be >= ${p.min}`;
      return undefined;
    case "boolean":
      return typeof v === "boolean" ? undefined : `${label} must be a boolean`;
    case "object":
      return isRecord(v) ? undefined : `${label} must be an object`;
    default:
      return undefined;
  }
}

function containsFailMarker(v: unknown): boolean {
  if (v === "__fail__") return true;
  if (Array.isArray(v)) return v.some(containsFailMarker);
  if (isRecord(v)) return Object.values(v).some(containsFailMarker);
  return false;
}

function failedRun(message: string, name = "Error"): Record<string, unknown> {
  const os: Observation[] = [errorObservation(message, name, true)];
  return { exports: {}, os, ret: null };
}

export function runAction(state: EnvState, body: Record<string, unknown>): Record<string, unknown> {
  const key = requireString(body, "id");
  const externalUserId = requireString(body, "external_user_id");
  const def = lookupDefinition(key);
  const configured = configuredPropsOf(body);
  const dynamic = resolveDynamicProps(state, body, key);
  const props = dynamic?.props ?? def.component.configurable_props;

  for (const name of Object.keys(configured)) {
    if (!props.some((p) => p.name === name)) {
      throw new HttpError(
        400,
        `Unknown prop "${name}" for ${key}` +
          (dynamic ? "" : ". Props added by reloadProps are only accepted together with the dynamic_props_id that produced them"),
      );
    }
  }

  const auth = resolveAppProps(state, props, configured, externalUserId);
  if (!auth.ok) throw new HttpError(400, auth.message);

  const values = plainValues(props, configured);
  for (const p of props) {
    if (p.type === "app" || p.type === "alert" || isInfrastructure(p)) continue;
    if (isMissing(values[p.name]) && p.default !== undefined) values[p.name] = structuredClone(p.default);
    const v = values[p.name];
    if (isMissing(v)) {
      if (!p.optional && !p.hidden) throw new HttpError(400, `Missing required prop "${p.name}"${p.label ? ` (${p.label})` : ""} for ${key}`);
      continue;
    }
    const problem = typeProblem(p, v);
    if (problem) throw new HttpError(400, problem);
  }

  const unhealthy = unhealthyMessage(auth.primary);
  if (unhealthy) return failedRun(unhealthy);
  if (containsFailMarker(values)) return failedRun("Emulated component failure");

  const result = def.run({ account: auth.primary, accounts: auth.accounts, props: values, dynamic: dynamic !== undefined });
  const response: Record<string, unknown> =
    "failure" in result ? failedRun(result.failure, result.name) : { exports: { $summary: result.summary }, os: [], ret: result.ret };

  // stash_id only when asked for: "NEW" / true create one, an id is echoed back.
  const stash = body["stash_id"];
  if (stash === true || stash === "NEW" || stash === "") response["stash_id"] = randomId("stash_", 10);
  else if (typeof stash === "string") response["stash_id"] = stash;
  return response;
}
