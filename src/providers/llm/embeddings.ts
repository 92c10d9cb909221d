/** Text embeddings over any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, llama.cpp, Ollama, vLLM, gateways). */
import OpenAI from "openai";

export interface EmbeddingsOptions {
  baseUrl?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}

export interface Embeddings {
  readonly model: string;
  /** One vector per text, in order. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

export class OpenAiEmbeddings implements Embeddings {
  readonly model: string;
  private readonly client: OpenAI;

  constructor(options: EmbeddingsOptions) {
    this.model = options.model;
    // Local servers need no key, but the library insists on one.
    this.client = new OpenAI({ apiKey: options.apiKey ?? "not-needed", baseURL: options.baseUrl, timeout: options.timeoutMs, maxRetries: 0 });
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    // Floats, not the library's default base64: what every compatible server speaks.
    const res = await this.client.embeddings.create({ model: this.model, input: texts, encoding_format: "float" });
    const out: Array<Float32Array | undefined> = new Array(texts.length);
    for (const d of res.data ?? []) if (d.index >= 0 && d.index < texts.length) out[d.index] = Float32Array.from(d.embedding);
    if (out.some((v) => v === undefined || v.length === 0)) throw new Error(`the embeddings endpoint answered ${res.data?.length ?? 0} vectors for ${texts.length} texts`);
    return out as Float32Array[];
  }
}
