import type { EmbeddingCache } from '../../engine/ports/embedding-cache.js';
import { openDatabase, type Db } from './database.js';
import { migrateEmbeddingCache } from './migrations.js';

/**
 * Embeddings by (provider, model, sha256 of the embedded text): an unchanged chunk is never
 * embedded twice, across reloads, restarts and `helpdesk index` runs. Lives in its own SQLite
 * file under DATA_DIR because it is a cache: deleting it only costs re-embedding time.
 */

// SQLite's default limit on bound parameters is 32766; stay far below.
const LOOKUP_BATCH = 500;

export class SqliteEmbeddingCache implements EmbeddingCache {
  private readonly insert;

  constructor(private readonly db: Db) {
    migrateEmbeddingCache(db);
    this.insert = db.prepare(
      'INSERT OR REPLACE INTO embedding_cache (provider, model, hash, dimension, vector, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  static open(file: string): SqliteEmbeddingCache {
    return new SqliteEmbeddingCache(openDatabase(file));
  }

  async getMany(provider: string, model: string, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (let i = 0; i < hashes.length; i += LOOKUP_BATCH) {
      const batch = hashes.slice(i, i + LOOKUP_BATCH);
      const rows = this.db
        .prepare(
          `SELECT hash, dimension, vector FROM embedding_cache WHERE provider = ? AND model = ? AND hash IN (${batch.map(() => '?').join(',')})`,
        )
        .all(provider, model, ...batch) as { hash: string; dimension: number; vector: Buffer }[];
      for (const row of rows) {
        if (row.vector.byteLength !== row.dimension * 4) continue; // truncated row: embed again
        // Copy: a Buffer's memory may not be 4-byte aligned for a Float32Array view.
        const copy = new Uint8Array(row.vector);
        out.set(row.hash, new Float32Array(copy.buffer));
      }
    }
    return out;
  }

  async putMany(provider: string, model: string, items: readonly { hash: string; vector: Float32Array }[]): Promise<void> {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const { hash, vector } of items) {
        this.insert.run(provider, model, hash, vector.length, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), now);
      }
    })();
  }

  close(): void {
    this.db.close();
  }
}
