/** ChatModel over any OpenAI-compatible chat-completions endpoint (OpenAI, llama.cpp, Ollama, vLLM, gateways). */
import OpenAI from "openai";
import { modelFailure, ModelError, parseArguments, type ChatModel, type ModelReply, type ModelRequest } from "./model.js";

export interface OpenAiModelOptions {
  baseUrl?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}

export class OpenAiCompatibleModel implements ChatModel {
  readonly backend = "openai-compatible";
  readonly model: string;
  private readonly client: OpenAI;

  constructor(options: OpenAiModelOptions) {
    this.model = options.model;
    // Local servers need no key, but the library insists on one.
    this.client = new OpenAI({ apiKey: options.apiKey ?? "not-needed", baseURL: options.baseUrl, timeout: options.timeoutMs, maxRetries: 0 });
  }

  async complete(req: ModelRequest): Promise<ModelReply> {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: "system", content: req.system }];
    for (const m of req.messages) {
      if (m.role === "user") messages.push({ role: "user", content: m.content });
      else if (m.role === "tool") messages.push({ role: "tool", tool_call_id: m.toolCallId, content: m.content });
      else {
        messages.push({
          role: "assistant",
          content: m.content ?? null,
          ...(m.toolCalls?.length
            ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) }
            : {}),
        });
      }
    }
    let res: OpenAI.Chat.Completions.ChatCompletion;
    try {
      res = await this.client.chat.completions.create(
        {
          model: this.model,
          messages,
          max_tokens: req.maxTokens,
          tools: req.tools.map((t) => ({ type: "function" as const, function: { name: t.name, description: t.description, parameters: t.parameters } })),
        },
        { signal: req.signal },
      );
    } catch (err) {
      throw modelFailure(err, this.client.baseURL, this.model, req.signal);
    }
    const message = res.choices?.[0]?.message;
    if (!message) throw new ModelError("the model endpoint answered without a message");
    return {
      ...(message.content ? { content: message.content } : {}),
      toolCalls: (message.tool_calls ?? []).flatMap((c) => (c.type === "function" ? [{ id: c.id, name: c.function.name, arguments: parseArguments(c.function.arguments) }] : [])),
      usage: { inputTokens: res.usage?.prompt_tokens ?? 0, outputTokens: res.usage?.completion_tokens ?? 0, ...(res.usage ? {} : { estimated: true }) },
    };
  }
}
