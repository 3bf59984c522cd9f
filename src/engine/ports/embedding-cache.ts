/**
 * Embeddings already computed, by (provider, model, sha256 of the embedded text): an unchanged
 * chunk is never embedded twice, across reloads, restarts, `helpdesk index` runs and replicas (each
 * replica builds its vector index from the shared cache). A cache: losing it only costs embedding
 * time. Backends: src/storage/sqlite/embedding-cache.ts (its own file under DATA_DIR; and the
 * PostgreSQL one).
 */
export interface EmbeddingCache {
  /** The vectors found among `hashes`; a missing or damaged entry is simply absent. */
  getMany(provider: string, model: string, hashes: readonly string[]): Promise<Map<string, Float32Array>>;
  /** Stores (or replaces) the vectors. */
  putMany(provider: string, model: string, items: readonly { hash: string; vector: Float32Array }[]): Promise<void>;
}
