/**
 * Optional semantic re-ranking of list_actions: when an embeddings endpoint is configured, the best
 * lexical candidates are re-ordered by reciprocal-rank fusion (RRF) of their lexical rank and the
 * rank of their text's similarity to the request. Never needed: any failure or slowness of the
 * endpoint leaves the lexical ranking as it was.
 */
import { createHash } from "node:crypto";
import type { Logger } from "../../logger.js";
import type { Embeddings } from "../../providers/llm/embeddings.js";
import type { EmbeddingStore } from "../../store/embeddings.js";
import type { RankedAction } from "./catalog-search.js";

/** RRF constant: smaller than the usual 60, as only a short list of candidates is fused. */
const RRF_K = 10;
const BATCH = 64;
const QUERY_CACHE = 256;

export interface SemanticOptions {
  /** How many of the best lexical candidates are re-ordered. */
  candidates?: number;
  logger?: Logger;
}

export class SemanticReranker {
  /** How many of the best lexical candidates are re-ordered. */
  readonly depth: number;
  private readonly queryVectors = new Map<string, Float32Array>();
  private warned = false;

  constructor(
    private readonly embeddings: Embeddings,
    private readonly store: EmbeddingStore,
    private readonly options: SemanticOptions = {},
  ) {
    this.depth = options.candidates ?? 30;
  }

  /**
   * `ranked` (best first) with its first candidates re-ordered by RRF; `textOf` gives an action's
   * text to embed (name and description), possibly from an async store. On any error, `ranked`
   * unchanged.
   */
  async rerank(query: string, ranked: RankedAction[], textOf: (key: string) => string | undefined | Promise<string | undefined>): Promise<RankedAction[]> {
    const head = ranked.slice(0, this.depth);
    if (head.length < 2) return ranked;
    try {
      const texts = await Promise.all(head.map((r) => textOf(r.key)));
      const items = head.flatMap((r, i) => {
        const text = texts[i];
        return text ? [{ key: r.key, text, hash: createHash("sha256").update(text).digest("hex") }] : [];
      });
      const model = this.embeddings.model;
      const vectors = await this.store.get(model, items);
      const missing = items.filter((i) => !vectors.has(i.key));
      for (let i = 0; i < missing.length; i += BATCH) {
        const batch = missing.slice(i, i + BATCH);
        const got = await this.embeddings.embed(batch.map((b) => b.text));
        const rows = batch.map((b, j) => ({ key: b.key, hash: b.hash, vector: got[j]! }));
        await this.store.put(model, rows);
        for (const r of rows) vectors.set(r.key, r.vector);
      }
      const q = await this.queryVector(query);
      const similarity = new Map<string, number>();
      for (const [key, v] of vectors) similarity.set(key, cosine(q, v));
      const bySimilarity = [...similarity].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      const semanticRank = new Map(bySimilarity.map(([key], i) => [key, i]));
      const fused = head.map((r, lexical) => {
        const s = semanticRank.get(r.key);
        return { key: r.key, score: 1 / (RRF_K + lexical) + (s === undefined ? 0 : 1 / (RRF_K + s)) };
      });
      fused.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
      return [...fused, ...ranked.slice(head.length)];
    } catch (err) {
      // Once per process: the lexical ranking stands on its own.
      if (!this.warned) this.options.logger?.warn({ err: String(err), model: this.embeddings.model }, "semantic re-ranking failed; lexical ranking only");
      this.warned = true;
      return ranked;
    }
  }

  private async queryVector(query: string): Promise<Float32Array> {
    const cached = this.queryVectors.get(query);
    if (cached) return cached;
    const [v] = await this.embeddings.embed([query]);
    if (this.queryVectors.size >= QUERY_CACHE) this.queryVectors.delete(this.queryVectors.keys().next().value!);
    this.queryVectors.set(query, v!);
    return v!;
  }
}

function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
