/** Semantic re-ranking: RRF of lexical and embedding ranks, vectors cached per model and text, failures ignored. */
import { describe, expect, it } from "vitest";
import { SemanticReranker } from "../../src/core/search/semantic.js";
import type { Embeddings } from "../../src/providers/llm/embeddings.js";
import { openDb } from "../../src/store/db.js";
import { EmbeddingStore } from "../../src/store/embeddings.js";

/** Vectors over a few concepts: a text is near the concepts its words name. */
const CONCEPTS: Record<string, number> = { refund: 0, money: 0, message: 1, send: 1, order: 2, cancel: 3 };
class FakeEmbeddings implements Embeddings {
  readonly model = "fake-1";
  calls: string[][] = [];
  fail = false;
  async embed(texts: string[]): Promise<Float32Array[]> {
    this.calls.push(texts);
    if (this.fail) throw new Error("503 from the endpoint");
    return texts.map((t) => {
      const v = new Float32Array(5).fill(0.01);
      for (const w of t.toLowerCase().split(/\W+/)) if (w in CONCEPTS) v[CONCEPTS[w]!]! += 1;
      return v;
    });
  }
}

const TEXTS: Record<string, string> = {
  "shop-cancel-order": "Cancel Order. Cancels an order.",
  "shop-send-invoice": "Send Order Invoice. Asks for money for an order.",
  "shop-create-refund": "Create Refund. Refunds money for an order.",
  "slack-send-message": "Send Message. Sends a message.",
};
// The refund second lexically: the request's words match Cancel Order better.
const LEXICAL = ["shop-cancel-order", "shop-create-refund", "shop-send-invoice", "slack-send-message"].map((key, i) => ({ key, score: 10 - i }));

describe("SemanticReranker", () => {
  it("fuses the lexical rank with the embedding rank, and caches action vectors per model and text", async () => {
    const embeddings = new FakeEmbeddings();
    const store = new EmbeddingStore(await openDb(":memory:"));
    const reranker = new SemanticReranker(embeddings, store);
    const ranked = await reranker.rerank("give me my money back, refund", LEXICAL, (k) => TEXTS[k]);
    expect(ranked[0]!.key).toBe("shop-create-refund");
    expect(ranked.map((r) => r.key).sort()).toEqual(LEXICAL.map((r) => r.key).sort());
    // One batch of the four action texts, one query.
    expect(embeddings.calls.map((c) => c.length)).toEqual([4, 1]);
    // Again, and from a new reranker over the same store: nothing but the new query is embedded.
    await reranker.rerank("give me my money back, refund", LEXICAL, (k) => TEXTS[k]);
    expect(embeddings.calls).toHaveLength(2);
    const again = new SemanticReranker(embeddings, store);
    await again.rerank("refund", LEXICAL, (k) => TEXTS[k]);
    expect(embeddings.calls.slice(2)).toEqual([["refund"]]);
    // A changed text is embedded again.
    // (texts may come from an async store)
    await again.rerank("refund", LEXICAL, async (k) => (k === "slack-send-message" ? "Send Message. Posts a message." : TEXTS[k]));
    expect(embeddings.calls.slice(3)).toEqual([["Send Message. Posts a message."]]);
  });

  it("keeps the lexical ranking when the endpoint fails, and re-orders only the first candidates", async () => {
    const embeddings = new FakeEmbeddings();
    embeddings.fail = true;
    const reranker = new SemanticReranker(embeddings, new EmbeddingStore(await openDb(":memory:")));
    expect(await reranker.rerank("refund", LEXICAL, (k) => TEXTS[k])).toEqual(LEXICAL);
    embeddings.fail = false;
    const short = new SemanticReranker(embeddings, new EmbeddingStore(await openDb(":memory:")), { candidates: 2 });
    const ranked = await short.rerank("refund", LEXICAL, (k) => TEXTS[k]);
    expect(ranked.slice(2)).toEqual(LEXICAL.slice(2));
  });
});
