/**
 * Which conversation a call belongs to, when the client says. Configuration handles and
 * per-conversation defaults (like the account chosen for an app) are scoped to it.
 * Sources, strongest first:
 * - the request's `_meta` (`conversationId` or `conversation_id`): 2026-07-28 clients;
 * - an `x-conversation-id`, `x-pd-conversation-id` or `x-pd-mcp-chat-id` HTTP header;
 * - the legacy MCP session id (2025-era HTTP clients), used for defaults only: a session ends with
 *   a reconnect or restart, so handles are not bound to it.
 */
export interface Conversation {
  id: string;
  source: "meta" | "header" | "session";
}

const META_KEYS = ["conversationId", "conversation_id"];
const HEADERS = ["x-conversation-id", "x-pd-conversation-id", "x-pd-mcp-chat-id"];
const VALID = /^[\x21-\x7e]{1,200}$/;

export function conversationFrom(input: { meta?: Record<string, unknown>; headers?: Headers; sessionId?: string }): Conversation | undefined {
  for (const key of META_KEYS) {
    const v = input.meta?.[key];
    if (typeof v === "string" && VALID.test(v)) return { id: v, source: "meta" };
  }
  for (const name of HEADERS) {
    const v = input.headers?.get(name);
    if (v && VALID.test(v)) return { id: v, source: "header" };
  }
  if (input.sessionId && VALID.test(input.sessionId)) return { id: `session:${input.sessionId}`, source: "session" };
  return undefined;
}

/** The conversation a handle is bound to: only ones the client named explicitly. */
export function bindingConversation(c: Conversation | undefined): string | undefined {
  return c && c.source !== "session" ? c.id : undefined;
}
