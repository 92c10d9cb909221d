/**
 * Action and app definitions, read through the SQLite cache: a definition fetched by list or
 * describe is served from the cache until its TTL, so repeated describe_action calls cost nothing
 * upstream. Connect's 404 becomes an actionable "unknown action/app" error.
 */
import { ProviderError, type ActionDefinition, type ActionPage, type AppInfo, type ConnectProvider } from "../providers/provider.js";
import type { CatalogCache } from "../store/catalog-cache.js";
import { ToolError } from "./errors.js";

const ACTION_KEY = /^[a-z0-9_]+-[a-z0-9_-]+$/i;
const APP_SLUG = /^[a-z0-9_]+$/i;

export class Catalog {
  constructor(
    private readonly provider: ConnectProvider,
    private readonly cache: CatalogCache,
  ) {}

  async getAction(key: string): Promise<ActionDefinition> {
    if (!ACTION_KEY.test(key)) {
      throw new ToolError(`"${key}" is not an action key. Keys look like "slack-send-message"; find them with list_actions.`);
    }
    const cached = this.cache.getAction(key);
    if (cached) return cached;
    try {
      const action = await this.provider.getAction(key);
      this.cache.putActions([action]);
      return action;
    } catch (err) {
      if (err instanceof ProviderError && err.kind === "not_found") {
        throw new ToolError(`Unknown action "${key}". Find valid keys with list_actions (filter by app or query).`);
      }
      throw err;
    }
  }

  async listActions(query: { app?: string; query?: string; limit: number; after?: string }): Promise<ActionPage> {
    if (query.app) await this.getApp(query.app);
    const page = await this.provider.listActions(query);
    this.cache.putActions(page.actions);
    return page;
  }

  async getApp(slug: string): Promise<AppInfo> {
    if (!APP_SLUG.test(slug)) throw new ToolError(`"${slug}" is not an app slug. Slugs are lowercase with underscores, e.g. "google_sheets".`);
    const cached = this.cache.getApp(slug);
    if (cached) return cached;
    try {
      const app = await this.provider.getApp(slug);
      this.cache.putApp(app);
      return app;
    } catch (err) {
      if (err instanceof ProviderError && err.kind === "not_found") {
        throw new ToolError(`Unknown app "${slug}". App slugs are lowercase with underscores (e.g. "google_sheets"); list_accounts shows the apps this user has connected.`);
      }
      throw err;
    }
  }
}
