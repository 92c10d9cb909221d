/**
 * The seam for the sub-agent's language model. Back ends (OpenAI-compatible chat completions,
 * Anthropic Messages, MCP sampling) all implement ChatModel; the agent loop never sees their wire
 * formats. Tool calling is the common ground: the model either calls tools or answers in text.
 */
export interface ModelToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ModelToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type ModelMessage =
  | { role: "user"; content: string }
  | { role: "assistant"; content?: string; toolCalls?: ModelToolCall[] }
  | { role: "tool"; toolCallId: string; name: string; content: string };

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  /** True when the back end reports no usage and the figures are estimates (~4 characters a token). */
  estimated?: boolean;
}

export interface ModelReply {
  content?: string;
  toolCalls: ModelToolCall[];
  usage: ModelUsage;
}

export interface ModelRequest {
  system: string;
  messages: ModelMessage[];
  tools: ModelToolSpec[];
  maxTokens: number;
  signal?: AbortSignal;
}

export interface ChatModel {
  /** "openai-compatible" | "anthropic" | "mcp-sampling" */
  readonly backend: string;
  readonly model: string;
  complete(request: ModelRequest): Promise<ModelReply>;
}

/** A failed model call; the message is safe to show (no keys, no prompts). */
export class ModelError extends Error {
  override name = "ModelError";
}

/**
 * What went wrong talking to the model endpoint, as an operator can act on it: the endpoint that
 * could not be reached, the key it refused, the model it does not serve. Both model libraries
 * throw errors with `status` (an HTTP answer) or without (the request never got one).
 */
export function modelFailure(err: unknown, baseUrl: string, model: string, signal?: AbortSignal): ModelError {
  const status = (err as { status?: number }).status;
  const name = (err as Error).name ?? "";
  const detail = String((err as Error).message ?? err).replace(/\s+/g, " ").slice(0, 200);
  if (status === undefined) {
    if (signal?.aborted) return new ModelError(`the call to the model endpoint ${baseUrl} was stopped`);
    if (/Timeout/i.test(name)) return new ModelError(`the model endpoint ${baseUrl} did not answer in time`);
    return new ModelError(`could not reach the model endpoint ${baseUrl} (${detail}); check CONNECT_MCP_LLM_BASE_URL and that the model server is running`);
  }
  if (status === 401 || status === 403) return new ModelError(`the model endpoint ${baseUrl} refused the API key (HTTP ${status}); check CONNECT_MCP_LLM_API_KEY`);
  if (status === 404) return new ModelError(`the model endpoint ${baseUrl} does not serve model "${model}" (HTTP 404: ${detail}); check CONNECT_MCP_LLM_MODEL and CONNECT_MCP_LLM_BASE_URL`);
  if (status === 429) return new ModelError(`the model endpoint ${baseUrl} is rate limiting this server (HTTP 429); try again later`);
  return new ModelError(`the model endpoint ${baseUrl} failed (HTTP ${status}): ${detail}`);
}

/** Best-effort JSON object from a tool-call argument string. */
export function parseArguments(raw: unknown): Record<string, unknown> {
  if (raw && typeof raw === "object" && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw !== "string" || !raw.trim()) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { _unparsable: raw.slice(0, 200) };
  }
}

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
