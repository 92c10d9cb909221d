/** Short and full views of an action definition, as the tools return them. */
import type { ActionDefinition } from "../providers/provider.js";
import { actionAppSlug } from "../store/catalog-cache.js";

/** The app an action belongs to: its app prop's app, else the key's prefix (`slack-send-message` → slack). */
export const actionApp: (action: ActionDefinition) => string = actionAppSlug;

/**
 * Every app an action touches: each app prop's app (an action may use several accounts), else the
 * key's prefix. The one rule policy uses for "which apps does this action belong to".
 */
export function actionApps(action: Pick<ActionDefinition, "key" | "props">): string[] {
  const apps = new Set<string>();
  for (const p of action.props) if (p.type === "app" && typeof p.app === "string" && p.app) apps.add(p.app);
  if (apps.size === 0) apps.add(actionAppSlug(action as ActionDefinition));
  return [...apps];
}

/** First sentence of a description, without markdown links, at most 160 characters. */
export function oneLine(description: string | undefined): string {
  if (!description) return "";
  const text = description
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  const sentence = /^(.+?[.!?])(\s|$)/.exec(text)?.[1] ?? text;
  return sentence.length > 160 ? `${sentence.slice(0, 157)}…` : sentence;
}

export function actionSummary(action: ActionDefinition) {
  return {
    key: action.key,
    ...(action.provider ? { provider: action.provider } : {}),
    name: action.name,
    description: oneLine(action.description),
    app: actionApp(action),
    read_only: action.annotations?.readOnlyHint === true,
    destructive: action.annotations?.destructiveHint === true,
  };
}
