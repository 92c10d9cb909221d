// Seed data. Ids are fixed because other test suites refer to them verbatim.
// Everything returned from here is a fresh copy, so each environment and each
// reset() gets its own mutable state.

import type { StoredAccount, StoredUser, WireApp } from "./types.js";

function app(
  id: string,
  slug: string,
  name: string,
  authType: WireApp["auth_type"],
  description: string,
  categories: string[],
  featuredWeight: number,
  customFields: unknown[] = [],
  scopeProfiles: WireApp["scope_profiles"] = [],
): WireApp {
  return {
    id,
    name_slug: slug,
    name,
    auth_type: authType,
    description,
    img_src: `https://assets.pipedream.net/s.v0/${id}/logo/orig`,
    // A JSON *string* on the real API, not an array.
    custom_fields_json: JSON.stringify(customFields),
    categories,
    featured_weight: featuredWeight,
    scope_profiles: scopeProfiles,
  };
}

const APPS: readonly WireApp[] = [
  app(
    "app_OkrhR1",
    "slack",
    "Slack",
    "oauth",
    "Slack is a channel-based messaging platform. With Slack, people can work together more effectively, connect all their software tools and services, and find the information they need to do their best work.",
    ["Communication"],
    4975,
    [],
    [
      { name: "read_only", scopes: ["channels:read", "users:read"] },
      { name: "read_write", scopes: ["channels:read", "users:read", "chat:write", "reactions:write"] },
    ],
  ),
  app(
    "app_GSh33t",
    "google_sheets",
    "Google Sheets",
    "oauth",
    "Use Google Sheets to create and edit online spreadsheets. Get insights together with secure sharing in real-time and from any device.",
    ["Productivity"],
    4900,
  ),
  app(
    "app_G1tHub",
    "github",
    "GitHub",
    "oauth",
    "Where the world builds software. Millions of developers and companies build, ship, and maintain their software on GitHub — the largest and most advanced development platform in the world.",
    ["Developer Tools"],
    4800,
  ),
  app(
    "app_Gm41l",
    "gmail",
    "Gmail",
    "oauth",
    "Private and secure email by Google at no cost, for business and consumers.",
    ["Communication", "Email"],
    4950,
  ),
  app(
    "app_Z3nd3sk",
    "zendesk",
    "Zendesk",
    "oauth",
    "Zendesk is award-winning customer service software trusted by 200K+ customers. Make customers happy via text, mobile, phone, email, live chat, social media.",
    ["Customer Support"],
    3200,
    [{ name: "subdomain", label: "Subdomain", optional: false }],
  ),
  app(
    "app_N0t10n",
    "notion",
    "Notion",
    "oauth",
    "Notion is a new tool that blends your everyday work apps into one. It's the all-in-one workspace for you and your team.",
    ["Productivity"],
    4700,
  ),
  app(
    "app_0penAI",
    "openai",
    "OpenAI",
    "keys",
    "OpenAI is an AI research and deployment company with the mission to ensure that artificial general intelligence benefits all of humanity. They are the makers of popular models like ChatGPT, DALL-E, and Whisper.",
    ["Artificial Intelligence (AI)"],
    4850,
    [{ name: "api_key", label: "API Key", optional: false }],
  ),
  app(
    "app_A1rtab",
    "airtable",
    "Airtable",
    "oauth",
    "Airtable is a low-code platform to build next-gen apps. Move beyond rigid tools, operationalize your critical data, and reimagine workflows with AI.",
    ["Productivity", "Databases"],
    4300,
  ),
  app(
    "app_HubSp0t",
    "hubspot",
    "HubSpot",
    "oauth",
    "HubSpot's CRM platform contains the marketing, sales, service, operations, and website-building software you need to grow your business.",
    ["Marketing", "Sales and CRM"],
    4400,
  ),
  app(
    "app_L1near",
    "linear",
    "Linear",
    "oauth",
    "Linear helps streamline software projects, sprints, tasks, and bug tracking. It's built for high-performance teams.",
    ["Project Management"],
    3900,
  ),
];

export function seedApps(): WireApp[] {
  return structuredClone(APPS) as WireApp[];
}

/** Per-account host for apps whose API lives on an account-specific domain. */
export function accountBaseUrl(appSlug: string, customFields: Record<string, string>): string | undefined {
  if (appSlug === "zendesk") {
    const sub = customFields["subdomain"];
    return sub ? `https://${sub}.zendesk.com` : undefined;
  }
  return undefined;
}

function account(
  id: string,
  externalId: string,
  appSlug: string,
  name: string,
  createdAt: string,
  extra: Partial<StoredAccount> = {},
): StoredAccount {
  return {
    id,
    name,
    externalId,
    appSlug,
    healthy: true,
    dead: false,
    error: null,
    createdAt,
    updatedAt: createdAt,
    expiresAt: "2026-02-01T12:00:00.000Z",
    lastRefreshedAt: "2026-02-01T11:00:00.000Z",
    nextRefreshAt: "2026-02-01T11:45:00.000Z",
    authorizedScopes: [],
    customFields: {},
    ...extra,
  };
}

export function seedAccounts(): StoredAccount[] {
  return [
    account("apn_slack_demo", "demo-user", "slack", "Demo Workspace", "2026-01-05T09:00:00.000Z", {
      authorizedScopes: ["channels:read", "chat:write", "reactions:write", "users:read", "users:read.email"],
    }),
    account("apn_gsheets_demo", "demo-user", "google_sheets", "demo@example.com", "2026-01-05T09:05:00.000Z", {
      authorizedScopes: ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive.readonly"],
    }),
    account("apn_github_work", "demo-user", "github", "work-org", "2026-01-06T10:00:00.000Z", {
      authorizedScopes: ["repo", "read:org"],
    }),
    account("apn_github_personal", "demo-user", "github", "octo-demo", "2026-01-06T10:30:00.000Z", {
      authorizedScopes: ["repo"],
    }),
    account("apn_gmail_dead", "demo-user", "gmail", "demo@gmail.com", "2026-01-07T08:00:00.000Z", {
      healthy: false,
      dead: true,
      error: "invalid_grant: token revoked",
      updatedAt: "2026-01-20T08:00:00.000Z",
      expiresAt: "2026-01-07T09:00:00.000Z",
      lastRefreshedAt: "2026-01-07T08:00:00.000Z",
      nextRefreshAt: null,
      authorizedScopes: ["https://www.googleapis.com/auth/gmail.send"],
    }),
    account("apn_zendesk_demo", "demo-user", "zendesk", "acme", "2026-01-08T14:00:00.000Z", {
      authorizedScopes: ["read", "write"],
      customFields: { subdomain: "acme" },
    }),
    account("apn_slack_other", "other-user", "slack", "Other Workspace", "2026-01-09T09:00:00.000Z", {
      authorizedScopes: ["channels:read", "chat:write"],
    }),
    account("apn_gsheets_other", "other-user", "google_sheets", "other@example.com", "2026-01-09T09:05:00.000Z", {
      authorizedScopes: ["https://www.googleapis.com/auth/spreadsheets"],
    }),
  ];
}

export function seedUsers(): StoredUser[] {
  return [
    { id: "exu_D3m0Us3r", externalId: "demo-user", createdAt: "2026-01-05T09:00:00.000Z", updatedAt: "2026-01-08T14:00:00.000Z" },
    { id: "exu_0th3rUsr", externalId: "other-user", createdAt: "2026-01-09T09:00:00.000Z", updatedAt: "2026-01-09T09:05:00.000Z" },
  ];
}

/** Wire shape of an account; credentials only when asked for. */
export function toWireAccount(acc: StoredAccount, apps: readonly WireApp[], includeCredentials: boolean): Record<string, unknown> {
  const appObj = apps.find((a) => a.name_slug === acc.appSlug);
  const wire: Record<string, unknown> = {
    id: acc.id,
    name: acc.name,
    external_id: acc.externalId,
    healthy: acc.healthy,
    dead: acc.dead,
    app: appObj,
    created_at: acc.createdAt,
    updated_at: acc.updatedAt,
    authorized_scopes: acc.authorizedScopes,
    expires_at: acc.expiresAt,
    error: acc.error,
    last_refreshed_at: acc.lastRefreshedAt,
    next_refresh_at: acc.nextRefreshAt,
  };
  if (includeCredentials) {
    // Fake, deterministic credentials; the proxy never needs real ones.
    wire["credentials"] =
      appObj?.auth_type === "keys"
        ? { api_key: `emu_key_${acc.id}`, ...acc.customFields }
        : {
            oauth_client_id: "emulator-oauth-client",
            oauth_access_token: `emu_access_${acc.id}`,
            oauth_refresh_token: `emu_refresh_${acc.id}`,
            oauth_uid: `uid_${acc.id}`,
            ...acc.customFields,
          };
  }
  return wire;
}
