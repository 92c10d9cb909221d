// Mutable per-environment state. Connect keeps accounts, users, connect
// tokens and dynamic props separately for `development` and `production`, so
// the emulator holds one EnvState per environment, both seeded identically.

import { seedAccounts, seedApps, seedUsers } from "./seed.js";
import type { ConfigurableProp, Environment, StoredAccount, StoredUser, WireApp } from "./types.js";
import { randomId } from "./util.js";

export interface DynamicPropsRecord {
  id: string;
  componentKey: string;
  externalUserId: string;
  props: ConfigurableProp[];
}

export interface ConnectTokenRecord {
  token: string;
  externalUserId: string;
  expiresAt: number;
  successRedirectUri?: string;
  errorRedirectUri?: string;
  webhookUri?: string;
  allowedOrigins?: string[];
}

export interface EnvState {
  environment: Environment;
  apps: WireApp[];
  accounts: StoredAccount[];
  users: StoredUser[];
  dynamicProps: Map<string, DynamicPropsRecord>;
  connectTokens: Map<string, ConnectTokenRecord>;
}

export function createEnvState(environment: Environment): EnvState {
  return {
    environment,
    apps: seedApps(),
    accounts: seedAccounts(),
    users: seedUsers(),
    dynamicProps: new Map(),
    connectTokens: new Map(),
  };
}

/** Apps are addressed by slug or by `app_…` id everywhere in the API. */
export function findApp(state: EnvState, slugOrId: string): WireApp | undefined {
  return state.apps.find((a) => a.name_slug === slugOrId || a.id === slugOrId);
}

export function findAccount(state: EnvState, id: string): StoredAccount | undefined {
  return state.accounts.find((a) => a.id === id);
}

/** Connect creates the external user record implicitly on first connection. */
export function ensureUser(state: EnvState, externalId: string, now: string): StoredUser {
  let user = state.users.find((u) => u.externalId === externalId);
  if (!user) {
    user = { id: randomId("exu_"), externalId, createdAt: now, updatedAt: now };
    state.users.push(user);
  }
  return user;
}
