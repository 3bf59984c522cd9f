import type { EmbeddingCache } from '../../engine/ports/embedding-cache.js';
import type { PgPool } from './pool.js';

/**
 * Embeddings by (provider, model, sha256 of the text) in PostgreSQL (schema 0012_embedding_cache),
 * shared by every replica: a chunk embedded by one is never embedded again by another, and each
 * builds its vector index from the same vectors. The vector is its float32 bytes (bytea): exact,
 * 4 bytes a dimension, read back without parsing text.
 */
const BATCH = 1000;

export class PgEmbeddingCache implements EmbeddingCache {
  constructor(private readonly pool: PgPool) {}

  async getMany(provider: string, model: string, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (let i = 0; i < hashes.length; i += BATCH) {
      const { rows } = await this.pool.query<{ hash: string; dimension: number; vector: Buffer }>(
        'SELECT hash, dimension, vector FROM embedding_cache WHERE provider = $1 AND model = $2 AND hash = ANY($3::text[])',
        [provider, model, hashes.slice(i, i + BATCH)],
      );
      for (const row of rows) {
        if (row.vector.byteLength !== row.dimension * 4) continue; // damaged row: embed again
        // Copy: a Buffer's memory may not be 4-byte aligned for a Float32Array view.
        out.set(row.hash, new Float32Array(new Uint8Array(row.vector).buffer));
      }
    }
    return out;
  }

  async putMany(provider: string, model: string, items: readonly { hash: string; vector: Float32Array }[]): Promise<void> {
    const now = new Date().toISOString();
    for (let i = 0; i < items.length; i += BATCH) {
      // Last write wins within a batch, as INSERT OR REPLACE does in SQLite; ON CONFLICT may touch a row once per statement.
      const batch = [...new Map(items.slice(i, i + BATCH).map((it) => [it.hash, it])).values()];
      await this.pool.query(
        `INSERT INTO embedding_cache (provider, model, hash, dimension, vector, created_at)
         SELECT $1, $2, h, d, v, $6 FROM unnest($3::text[], $4::int[], $5::bytea[]) AS t (h, d, v)
         ON CONFLICT (provider, model, hash) DO UPDATE SET dimension = excluded.dimension, vector = excluded.vector, created_at = excluded.created_at`,
        [
          provider,
          model,
          batch.map((b) => b.hash),
          batch.map((b) => b.vector.length),
          batch.map((b) => Buffer.from(b.vector.buffer, b.vector.byteOffset, b.vector.byteLength)),
          now,
        ],
      );
    }
  }
}
