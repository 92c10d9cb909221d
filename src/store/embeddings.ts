/**
 * Embedding vectors of catalog actions, per model, so that semantic re-ranking embeds each
 * action's text once (and again only when it changes). Vectors are stored as text (base64 of
 * float32 bytes) with plain SQL over the store's Db seam, on SQLite or PostgreSQL alike.
 */
import type { Db } from "./db.js";

export interface StoredVector {
  key: string;
  /** Hash of the text the vector was computed from. */
  hash: string;
  vector: Float32Array;
}

const UPSERT =
  "INSERT INTO action_embeddings (model, action_key, text_hash, vector, created_at) VALUES (?, ?, ?, ?, ?) " +
  "ON CONFLICT (model, action_key) DO UPDATE SET text_hash = excluded.text_hash, vector = excluded.vector, created_at = excluded.created_at";

export class EmbeddingStore {
  constructor(private readonly db: Db) {}

  /** The stored vectors of `items` whose text is unchanged (same hash), by key. */
  async get(model: string, items: ReadonlyArray<{ key: string; hash: string }>): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    if (items.length === 0) return out;
    const rows = await this.db.all<{ action_key: string; text_hash: string; vector: string }>(
      `SELECT action_key, text_hash, vector FROM action_embeddings WHERE model = ? AND action_key IN (${items.map(() => "?").join(", ")})`,
      [model, ...items.map((i) => i.key)],
    );
    const wanted = new Map(items.map((i) => [i.key, i.hash]));
    for (const row of rows) if (wanted.get(row.action_key) === row.text_hash) out.set(row.action_key, decode(row.vector));
    return out;
  }

  async put(model: string, rows: readonly StoredVector[], now = Date.now()): Promise<void> {
    if (rows.length === 0) return;
    await this.db.batch(rows.map((r) => [UPSERT, [model, r.key, r.hash, encode(r.vector), now]] as const));
  }
}

function encode(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
}

function decode(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  // A copy, aligned for Float32Array.
  return new Float32Array(new Uint8Array(bytes).buffer);
}
