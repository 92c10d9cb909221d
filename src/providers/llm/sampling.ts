/**
 * ChatModel over MCP sampling: the connected client's own model answers (2025-era clients that
 * declare the `sampling` capability; deprecated in 2026-07-28). Sampling clients rarely support
 * tool calls, so tools are described in the system prompt and the model replies with one JSON
 * object naming the tool to call. Sampling reports no token usage: figures are estimates.
 */
import { randomUUID } from "node:crypto";
import { estimateTokens, ModelError, parseArguments, type ChatModel, type ModelReply, type ModelRequest } from "./model.js";

export interface SamplingMessage {
  role: "user" | "assistant";
  content: { type: "text"; text: string };
}

/** Sends `sampling/createMessage` to the client and returns its reply (text content expected). */
export type SamplingRequester = (params: {
  messages: SamplingMessage[];
  systemPrompt: string;
  maxTokens: number;
  includeContext: "none";
}) => Promise<{ content: unknown; model?: string }>;

export class SamplingModel implements ChatModel {
  readonly backend = "mcp-sampling";
  model = "client-selected";

  constructor(private readonly request: SamplingRequester) {}

  async complete(req: ModelRequest): Promise<ModelReply> {
    const toolList = req.tools.map((t) => `- ${t.name}: ${t.description}\n  arguments schema: ${JSON.stringify(t.parameters)}`).join("\n");
    const systemPrompt =
      `${req.system}\n\nTools you can call:\n${toolList}\n\n` +
      'Answer with exactly one JSON object and nothing else: {"tool": "<tool name>", "arguments": {…}}.';
    const messages: SamplingMessage[] = req.messages.map((m) => {
      if (m.role === "user") return { role: "user", content: { type: "text", text: m.content } };
      if (m.role === "tool") return { role: "user", content: { type: "text", text: `Result of ${m.name}: ${m.content}` } };
      const calls = (m.toolCalls ?? []).map((c) => JSON.stringify({ tool: c.name, arguments: c.arguments }));
      return { role: "assistant", content: { type: "text", text: [m.content, ...calls].filter(Boolean).join("\n") } };
    });
    let res: { content: unknown; model?: string };
    try {
      res = await this.request({ messages, systemPrompt, maxTokens: req.maxTokens, includeContext: "none" });
    } catch (err) {
      throw new ModelError(`the client's sampling request failed: ${(err as Error).message.slice(0, 200)}`);
    }
    if (res.model) this.model = res.model;
    const blocks = Array.isArray(res.content) ? res.content : [res.content];
    const text = blocks.flatMap((b) => (b && typeof b === "object" && (b as { type?: string }).type === "text" ? [String((b as { text?: unknown }).text ?? "")] : [])).join("\n");
    const usage = { inputTokens: estimateTokens(systemPrompt + JSON.stringify(messages)), outputTokens: estimateTokens(text), estimated: true };
    const call = extractToolCall(text);
    return call ? { toolCalls: [{ id: randomUUID(), ...call }], usage } : { content: text, toolCalls: [], usage };
  }
}

/** The `{"tool": …, "arguments": …}` object in a reply, tolerating code fences and prose around it. */
export function extractToolCall(text: string): { name: string; arguments: Record<string, unknown> } | undefined {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return undefined;
  try {
    const obj = JSON.parse(text.slice(start, end + 1)) as { tool?: unknown; arguments?: unknown };
    return typeof obj.tool === "string" ? { name: obj.tool, arguments: parseArguments(obj.arguments) } : undefined;
  } catch {
    return undefined;
  }
}
