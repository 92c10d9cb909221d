// Seed data of the Composio emulator: toolkits, their versioned tools (JSON Schema inputs, hint
// tags), auth configs and connected accounts of two demo users. Shapes follow the v3.1 wire
// (snake_case), see ../../../shared reference "composio-api.md".

export interface SeedToolkit {
  slug: string;
  name: string;
  description: string;
  categories: string[];
  /** The API base the proxy resolves relative endpoints against (may include a path). */
  baseUrl: string;
  /** Composio-managed auth exists (an auth config can be created for it on demand). */
  managedAuth: boolean;
  authScheme: "OAUTH2" | "API_KEY";
  /** Newest first. */
  versions: string[];
}

export interface SeedTool {
  slug: string;
  toolkit: string;
  name: string;
  description: string;
  tags: string[];
  input_parameters: Record<string, unknown>;
  output_parameters: Record<string, unknown>;
  /** Per older toolkit version: property names that version does not have yet. */
  missingIn?: Record<string, string[]>;
  /** Builds `data` of a successful run from the arguments. */
  run: (args: Record<string, unknown>) => unknown;
}

export interface StoredAuthConfig {
  id: string;
  toolkit: string;
  status: "ENABLED" | "DISABLED";
  is_composio_managed: boolean;
  auth_scheme: string;
  type: "default" | "custom";
}

export type AccountStatus = "INITIALIZING" | "INITIATED" | "ACTIVE" | "FAILED" | "EXPIRED" | "INACTIVE" | "REVOKED";

export interface StoredComposioAccount {
  id: string;
  userId: string;
  toolkit: string;
  authConfigId: string;
  status: AccountStatus;
  statusReason: string | null;
  isDisabled: boolean;
  alias: string | null;
  wordId: string;
  createdAt: string;
  updatedAt: string;
  /** For accounts created by a link: its token and when the link stops working (epoch ms). */
  linkToken?: string;
  linkExpiresAt?: number;
  callbackUrl?: string;
}

export function seedToolkits(): SeedToolkit[] {
  return [
    { slug: "github", name: "GitHub", description: "Code hosting: repositories, issues and pull requests.", categories: ["developer tools"], baseUrl: "https://api.github.com", managedAuth: true, authScheme: "OAUTH2", versions: ["20250909_00", "20250801_00"] },
    { slug: "slack", name: "Slack", description: "Team chat: channels, messages and users.", categories: ["communication"], baseUrl: "https://slack.com/api", managedAuth: true, authScheme: "OAUTH2", versions: ["20251001_00"] },
    { slug: "gmail", name: "Gmail", description: "Google's email service.", categories: ["email"], baseUrl: "https://gmail.googleapis.com/gmail/v1", managedAuth: true, authScheme: "OAUTH2", versions: ["20250815_00"] },
    { slug: "notion", name: "Notion", description: "Docs and wikis: pages and databases.", categories: ["productivity"], baseUrl: "https://api.notion.com/v1", managedAuth: true, authScheme: "OAUTH2", versions: ["20250901_00"] },
    { slug: "linear", name: "Linear", description: "Issue tracking for software teams.", categories: ["project management"], baseUrl: "https://api.linear.app", managedAuth: true, authScheme: "OAUTH2", versions: ["20250820_00"] },
    { slug: "weathermap", name: "Weather Map", description: "Weather data by city (API key; no Composio-managed auth).", categories: ["data"], baseUrl: "https://api.openweathermap.org/data/2.5", managedAuth: false, authScheme: "API_KEY", versions: ["20250701_00"] },
  ];
}

const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: "string", description, ...extra });

export function seedTools(): SeedTool[] {
  return [
    {
      slug: "GITHUB_CREATE_AN_ISSUE",
      toolkit: "github",
      name: "Create an issue",
      description: "Creates a new issue in a GitHub repository. The authenticated user must have push access to set labels or assignees.",
      tags: ["createHint", "important"],
      input_parameters: {
        type: "object",
        properties: {
          owner: str("The account owner of the repository (not case sensitive).", { examples: ["octocat"] }),
          repo: str("The name of the repository without the .git extension."),
          title: str("The title of the issue."),
          body: str("The contents of the issue.", { default: "" }),
          labels: { type: "array", items: { type: "string" }, description: "Labels to associate with this issue." },
          assignees: { type: "array", items: { type: "string" }, description: "Logins for users to assign to this issue." },
        },
        required: ["owner", "repo", "title"],
      },
      output_parameters: { type: "object", properties: { data: { type: "object" } } },
      missingIn: { "20250801_00": ["labels"] },
      run: (a) => ({ number: 42, title: a.title, state: "open", html_url: `https://github.com/${String(a.owner)}/${String(a.repo)}/issues/42`, labels: a.labels ?? [] }),
    },
    {
      slug: "GITHUB_LIST_REPOSITORY_ISSUES",
      toolkit: "github",
      name: "List repository issues",
      description: "Lists issues in a repository, newest first.",
      tags: ["readOnlyHint", "important"],
      input_parameters: {
        type: "object",
        properties: {
          owner: str("The account owner of the repository."),
          repo: str("The name of the repository."),
          state: { type: "string", enum: ["open", "closed", "all"], default: "open", description: "Which issues to list." },
          per_page: { type: "integer", minimum: 1, maximum: 100, default: 30, description: "Results per page." },
        },
        required: ["owner", "repo"],
      },
      output_parameters: { type: "object" },
      run: (a) => ({ issues: [{ number: 42, title: "Emulated issue", state: a.state ?? "open" }, { number: 41, title: "Older issue", state: "open" }] }),
    },
    {
      slug: "GITHUB_GET_THE_AUTHENTICATED_USER",
      toolkit: "github",
      name: "Get the authenticated user",
      description: "Gets the profile of the user the connected account belongs to.",
      tags: ["readOnlyHint"],
      input_parameters: { type: "object", properties: {}, required: [] },
      output_parameters: { type: "object" },
      run: () => ({ login: "octo-composio", id: 1001, type: "User" }),
    },
    {
      slug: "GITHUB_DELETE_A_REPOSITORY",
      toolkit: "github",
      name: "Delete a repository",
      description: "Deletes a repository. Requires admin access; cannot be undone.",
      tags: ["destructiveHint"],
      input_parameters: { type: "object", properties: { owner: str("The repository owner."), repo: str("The repository name.") }, required: ["owner", "repo"] },
      output_parameters: { type: "object" },
      run: () => ({ deleted: true }),
    },
    {
      slug: "SLACK_SEND_MESSAGE",
      toolkit: "slack",
      name: "Send message",
      description: "Posts a message to a Slack channel, DM or thread.",
      tags: ["createHint", "important"],
      input_parameters: {
        type: "object",
        properties: { channel: str("Channel ID or name, e.g. C01GENERAL."), text: str("The message text (mrkdwn)."), thread_ts: str("Reply in this thread (its ts).") },
        required: ["channel", "text"],
      },
      output_parameters: { type: "object" },
      run: (a) => ({ ok: true, channel: a.channel, ts: "1700000000.000100", message: { text: a.text } }),
    },
    {
      slug: "SLACK_LIST_ALL_CHANNELS",
      toolkit: "slack",
      name: "List all channels",
      description: "Lists the conversations (channels) in the workspace.",
      tags: ["readOnlyHint"],
      input_parameters: { type: "object", properties: { limit: { type: "integer", minimum: 1, maximum: 1000, description: "Maximum channels to return." } }, required: [] },
      output_parameters: { type: "object" },
      run: () => ({ channels: [{ id: "C01GENERAL", name: "general" }, { id: "C02RANDOM", name: "random" }] }),
    },
    {
      slug: "GMAIL_SEND_EMAIL",
      toolkit: "gmail",
      name: "Send email",
      description: "Sends an email from the connected Gmail account.",
      tags: ["createHint"],
      input_parameters: {
        type: "object",
        $defs: {
          Attachment: {
            type: "object",
            properties: { name: { type: "string" }, mimetype: { type: "string" }, s3key: { type: "string" } },
            required: ["name", "mimetype", "s3key"],
            file_uploadable: true,
          },
        },
        properties: {
          recipient_email: str("Primary recipient's email address.", { format: "email" }),
          subject: str("Subject line.", { default: "" }),
          body: str("Email body (plain text or HTML)."),
          cc: { type: "array", items: { type: "string" }, description: "Carbon-copy recipients." },
          is_html: { type: "boolean", default: false, description: "Whether body is HTML." },
          attachment: { $ref: "#/$defs/Attachment", description: "A file to attach." },
        },
        required: ["recipient_email", "body"],
      },
      output_parameters: { type: "object" },
      run: (a) => ({ id: "msg_emulated_1", threadId: "thr_1", to: a.recipient_email }),
    },
    {
      slug: "GMAIL_FETCH_EMAILS",
      toolkit: "gmail",
      name: "Fetch emails",
      description: "Fetches recent emails from the inbox.",
      tags: ["readOnlyHint", "important"],
      input_parameters: { type: "object", properties: { max_results: { type: "integer", minimum: 1, maximum: 500, default: 10 }, query: str("Gmail search query.") }, required: [] },
      output_parameters: { type: "object" },
      run: () => ({ messages: [{ id: "msg_1", subject: "Hello" }] }),
    },
    {
      slug: "NOTION_CREATE_NOTION_PAGE",
      toolkit: "notion",
      name: "Create Notion page",
      description: "Creates a page under a parent page in Notion.",
      tags: ["createHint"],
      input_parameters: {
        type: "object",
        properties: { parent_id: str("ID of the parent page."), title: str("Page title."), markdown: str("Page content as Markdown.") },
        required: ["parent_id", "title"],
      },
      output_parameters: { type: "object" },
      run: (a) => ({ id: "page_emulated_1", url: "https://www.notion.so/page_emulated_1", title: a.title }),
    },
    {
      slug: "NOTION_SEARCH_NOTION_PAGE",
      toolkit: "notion",
      name: "Search Notion pages",
      description: "Searches pages and databases by title.",
      tags: ["readOnlyHint"],
      input_parameters: { type: "object", properties: { query: str("Text to search for.") }, required: [] },
      output_parameters: { type: "object" },
      run: (a) => ({ results: [{ id: "page_team_wiki", title: `Team wiki${a.query ? ` (${String(a.query)})` : ""}` }] }),
    },
    {
      slug: "LINEAR_CREATE_LINEAR_ISSUE",
      toolkit: "linear",
      name: "Create Linear issue",
      description: "Creates an issue in a Linear team.",
      tags: ["createHint"],
      input_parameters: { type: "object", properties: { team_id: str("The team's ID."), title: str("Issue title."), description: str("Markdown description.") }, required: ["team_id", "title"] },
      output_parameters: { type: "object" },
      run: (a) => ({ id: "LIN-1", title: a.title }),
    },
    {
      slug: "WEATHERMAP_WEATHER",
      toolkit: "weathermap",
      name: "Current weather",
      description: "Current weather for a city.",
      tags: ["readOnlyHint"],
      input_parameters: { type: "object", properties: { location: str("City name.") }, required: ["location"] },
      output_parameters: { type: "object" },
      run: (a) => ({ location: a.location, temp_c: 21 }),
    },
  ];
}

export function seedAuthConfigs(): StoredAuthConfig[] {
  // linear and weathermap have none yet: linking linear creates a Composio-managed one;
  // weathermap cannot be linked (no managed auth).
  return ["github", "slack", "gmail", "notion"].map((toolkit) => ({
    id: `ac_${toolkit}`,
    toolkit,
    status: "ENABLED" as const,
    is_composio_managed: true,
    auth_scheme: "OAUTH2",
    type: "default" as const,
  }));
}

const T0 = "2026-01-10T09:00:00.000Z";
const T1 = "2026-02-01T12:30:00.000Z";

export function seedComposioAccounts(): StoredComposioAccount[] {
  const account = (id: string, userId: string, toolkit: string, alias: string, extra: Partial<StoredComposioAccount> = {}): StoredComposioAccount => ({
    id,
    userId,
    toolkit,
    authConfigId: `ac_${toolkit}`,
    status: "ACTIVE",
    statusReason: null,
    isDisabled: false,
    alias,
    wordId: `${toolkit}-${id.slice(3, 9)}`,
    createdAt: T0,
    updatedAt: T1,
    ...extra,
  });
  return [
    account("ca_github_demo", "demo-user", "github", "octo-composio"),
    account("ca_notion_demo", "demo-user", "notion", "Team Wiki"),
    account("ca_gmail_expired", "demo-user", "gmail", "demo@gmail.com", { status: "EXPIRED", statusReason: "The refresh token was revoked by the user; reconnect the account." }),
    account("ca_github_other", "other-user", "github", "other-octo"),
    account("ca_notion_other", "other-user", "notion", "Other Wiki"),
  ];
}

/** The tool's input schema as of `version` (older versions lack some properties). */
export function inputsAt(tool: SeedTool, version: string): Record<string, unknown> {
  const missing = tool.missingIn?.[version];
  if (!missing?.length) return tool.input_parameters;
  const schema = structuredClone(tool.input_parameters) as { properties: Record<string, unknown>; required: string[] };
  for (const name of missing) delete schema.properties[name];
  schema.required = schema.required.filter((r) => !missing.includes(r));
  return schema;
}
