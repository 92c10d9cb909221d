/**
 * Which model the sub-agent uses — the operator's choice, never ours: an OpenAI-compatible endpoint
 * (OpenAI, llama.cpp, Ollama, vLLM, gateways), the Anthropic Messages API, or the connected client's
 * own model through MCP sampling. Model libraries load on first use, not at start-up.
 */
import type { Config } from "../config.js";
import type { ChatModel } from "../providers/llm/model.js";
import type { SamplingRequester } from "../providers/llm/sampling.js";
import { ToolError } from "./errors.js";

const NO_MODEL =
  "Sub-agent mode needs a model, and none is available: set CONNECT_MCP_LLM_MODEL (with CONNECT_MCP_LLM_BASE_URL and/or " +
  "CONNECT_MCP_LLM_API_KEY) for an OpenAI-compatible endpoint, or CONNECT_MCP_LLM_PROVIDER=anthropic with CONNECT_MCP_LLM_MODEL " +
  "and CONNECT_MCP_LLM_API_KEY, or connect with a client that supports MCP sampling (2025-era protocol). " +
  "Meanwhile run_action still runs with configured_props instead of instruction.";

let apiModel: Promise<ChatModel> | undefined;

async function createApiModel(config: Config, provider: "openai" | "anthropic"): Promise<ChatModel> {
  const options = { baseUrl: config.llmBaseUrl, apiKey: config.llmApiKey, model: config.llmModel!, timeoutMs: config.subagentTimeoutMs };
  if (provider === "anthropic") return new (await import("../providers/llm/anthropic.js")).AnthropicModel(options);
  return new (await import("../providers/llm/openai.js")).OpenAiCompatibleModel(options);
}

export async function chooseModel(config: Config, sampling: SamplingRequester | undefined): Promise<ChatModel> {
  const provider = config.llmProvider === "auto" ? (config.llmModel ? "openai" : "sampling") : config.llmProvider;
  if (provider === "sampling") {
    if (!sampling) throw new ToolError(config.llmProvider === "sampling" ? `CONNECT_MCP_LLM_PROVIDER=sampling, but this client does not offer MCP sampling. ${NO_MODEL}` : NO_MODEL);
    return new (await import("../providers/llm/sampling.js")).SamplingModel(sampling);
  }
  if (!config.llmModel) throw new ToolError(`CONNECT_MCP_LLM_PROVIDER=${provider} needs CONNECT_MCP_LLM_MODEL. ${NO_MODEL}`);
  apiModel ??= createApiModel(config, provider);
  return apiModel;
}
