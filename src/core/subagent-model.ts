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

/** The model back end a config selects: `auto` is an OpenAI-compatible endpoint when a model is named, else MCP sampling. */
export function modelBackend(config: Config): "openai" | "anthropic" | "sampling" {
  return config.llmProvider === "auto" ? (config.llmModel ? "openai" : "sampling") : config.llmProvider;
}

/**
 * What keeps sub-agent mode from having a model, said once at start-up (and by doctor): nothing
 * configured (only clients offering MCP sampling could then use instruction — Claude Desktop does
 * not), or an API back end missing its model name or key. Undefined when nothing is missing.
 */
export function modelSetupProblem(config: Config): string | undefined {
  if (config.toolMode !== "sub-agent") return undefined;
  const backend = modelBackend(config);
  if (backend === "sampling") {
    return config.llmProvider === "sampling"
      ? undefined
      : "sub-agent mode has no model configured: run_action {instruction} works only for clients that offer MCP sampling (2025-era protocol; Claude Desktop does not). " +
          "Set CONNECT_MCP_LLM_MODEL (with CONNECT_MCP_LLM_BASE_URL and/or CONNECT_MCP_LLM_API_KEY), or CONNECT_MCP_LLM_PROVIDER=anthropic with CONNECT_MCP_LLM_MODEL and CONNECT_MCP_LLM_API_KEY.";
  }
  if (!config.llmModel) return `CONNECT_MCP_LLM_PROVIDER=${backend} needs CONNECT_MCP_LLM_MODEL (the model name).`;
  if (backend === "anthropic" && !config.llmApiKey) return "CONNECT_MCP_LLM_PROVIDER=anthropic needs CONNECT_MCP_LLM_API_KEY (an Anthropic API key).";
  if (backend === "openai" && !config.llmApiKey && !config.llmBaseUrl && !process.env.OPENAI_BASE_URL) {
    return "CONNECT_MCP_LLM_MODEL is set without CONNECT_MCP_LLM_BASE_URL or CONNECT_MCP_LLM_API_KEY: OpenAI's API needs a key (set CONNECT_MCP_LLM_API_KEY), or point CONNECT_MCP_LLM_BASE_URL at your model server.";
  }
  return undefined;
}

export async function chooseModel(config: Config, sampling: SamplingRequester | undefined): Promise<ChatModel> {
  const provider = modelBackend(config);
  if (provider === "sampling") {
    if (!sampling) throw new ToolError(config.llmProvider === "sampling" ? `CONNECT_MCP_LLM_PROVIDER=sampling, but this client does not offer MCP sampling. ${NO_MODEL}` : NO_MODEL);
    return new (await import("../providers/llm/sampling.js")).SamplingModel(sampling);
  }
  if (!config.llmModel) throw new ToolError(`CONNECT_MCP_LLM_PROVIDER=${provider} needs CONNECT_MCP_LLM_MODEL. ${NO_MODEL}`);
  // The SDK's own complaint ("Could not resolve authentication method") names none of our settings.
  if (provider === "anthropic" && !config.llmApiKey) {
    throw new ToolError("The sub-agent's model is not available: CONNECT_MCP_LLM_PROVIDER=anthropic needs CONNECT_MCP_LLM_API_KEY (an Anthropic API key) in the server's environment. This is a server configuration problem, not the instruction; meanwhile run_action with action and configured_props works without the model.");
  }
  apiModel ??= createApiModel(config, provider);
  return apiModel;
}
