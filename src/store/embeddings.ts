/**
 * Embedding vectors of catalog actions, per model, so that semantic re-ranking embeds each
 * action's text once (and again only when it changes). Async like the other stores will be, and
 * vectors are stored as text (base64 of float32 bytes) with plain SQL, so the store's async
 * SQLite/PostgreSQL seam can carry it unchanged.
 */
import type Database from "better-sqlite3";
import type { Db } from "./db.js";

export interface StoredVector {
  key: string;
  /** Hash of the text the vector was computed from. */
  hash: string;
  vector: Float32Array;
}

export class EmbeddingStore {
  private select: Database.Statement | undefined;
  private upsert: Database.Statement | undefined;

  constructor(private readonly db: Db) {}

  /** The stored vectors of `items` whose text is unchanged (same hash), by key. */
  async get(model: string, items: ReadonlyArray<{ key: string; hash: string }>): Promise<Map<string, Float32Array>> {
    this.select ??= this.db.prepare("SELECT text_hash, vector FROM action_embeddings WHERE model = ? AND action_key = ?");
    const out = new Map<string, Float32Array>();
    for (const { key, hash } of items) {
      const row = this.select.get(model, key) as { text_hash: string; vector: string } | undefined;
      if (!row || row.text_hash !== hash) continue;
      out.set(key, decode(row.vector));
    }
    return out;
  }

  async put(model: string, rows: readonly StoredVector[], now = Date.now()): Promise<void> {
    this.upsert ??= this.db.prepare(
      "INSERT INTO action_embeddings (model, action_key, text_hash, vector, created_at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (model, action_key) DO UPDATE SET text_hash = excluded.text_hash, vector = excluded.vector, created_at = excluded.created_at",
    );
    const write = this.db.transaction((list: readonly StoredVector[]) => {
      for (const r of list) this.upsert!.run(model, r.key, r.hash, encode(r.vector), now);
    });
    write(rows);
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
