/**
 * Embedding vectors of catalog actions, per model, so that semantic re-ranking embeds each
 * action's text once (and again only when it changes). Async like the other stores will be, so a
 * remote database can back it without changing callers.
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
      const row = this.select.get(model, key) as { text_hash: string; vector: Buffer } | undefined;
      if (!row || row.text_hash !== hash) continue;
      // Copy out of SQLite's buffer, aligned for Float32Array.
      out.set(key, new Float32Array(new Uint8Array(row.vector).buffer));
    }
    return out;
  }

  async put(model: string, rows: readonly StoredVector[], now = Date.now()): Promise<void> {
    this.upsert ??= this.db.prepare(
      "INSERT INTO action_embeddings (model, action_key, text_hash, vector, created_at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (model, action_key) DO UPDATE SET text_hash = excluded.text_hash, vector = excluded.vector, created_at = excluded.created_at",
    );
    const write = this.db.transaction((list: readonly StoredVector[]) => {
      for (const r of list) this.upsert!.run(model, r.key, r.hash, Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength), now);
    });
    write(rows);
  }
}
