/** ChatModel over the Anthropic Messages API. */
import Anthropic from "@anthropic-ai/sdk";
import { modelFailure, type ChatModel, type ModelReply, type ModelRequest } from "./model.js";

export interface AnthropicModelOptions {
  baseUrl?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}

export class AnthropicModel implements ChatModel {
  readonly backend = "anthropic";
  readonly model: string;
  private readonly client: Anthropic;

  constructor(options: AnthropicModelOptions) {
    this.model = options.model;
    this.client = new Anthropic({ apiKey: options.apiKey ?? null, baseURL: options.baseUrl, timeout: options.timeoutMs, maxRetries: 0 });
  }

  async complete(req: ModelRequest): Promise<ModelReply> {
    const messages: Anthropic.MessageParam[] = [];
    for (const m of req.messages) {
      if (m.role === "user") messages.push({ role: "user", content: m.content });
      else if (m.role === "assistant") {
        const content: Anthropic.ContentBlockParam[] = [];
        if (m.content) content.push({ type: "text", text: m.content });
        for (const c of m.toolCalls ?? []) content.push({ type: "tool_use", id: c.id, name: c.name, input: c.arguments });
        messages.push({ role: "assistant", content });
      } else {
        // Tool results travel in a user turn; consecutive results share one.
        const block: Anthropic.ToolResultBlockParam = { type: "tool_result", tool_use_id: m.toolCallId, content: m.content };
        const last = messages.at(-1);
        if (last?.role === "user" && Array.isArray(last.content) && last.content.every((b) => b.type === "tool_result")) last.content.push(block);
        else messages.push({ role: "user", content: [block] });
      }
    }
    let res: Anthropic.Message;
    try {
      res = await this.client.messages.create(
        {
          model: this.model,
          max_tokens: req.maxTokens,
          system: req.system,
          messages,
          tools: req.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters as Anthropic.Tool.InputSchema })),
        },
        { signal: req.signal },
      );
    } catch (err) {
      throw modelFailure(err, this.client.baseURL, this.model, req.signal);
    }
    const text = res.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n");
    return {
      ...(text ? { content: text } : {}),
      toolCalls: res.content.flatMap((b) => (b.type === "tool_use" ? [{ id: b.id, name: b.name, arguments: (b.input ?? {}) as Record<string, unknown> }] : [])),
      usage: { inputTokens: res.usage.input_tokens, outputTokens: res.usage.output_tokens },
    };
  }
}
