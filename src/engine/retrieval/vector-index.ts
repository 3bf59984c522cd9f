/**
 * Ports for the dense side of retrieval. Adapters: src/storage/vector/hnsw.ts (persisted HNSW
 * index) and src/storage/sqlite/embedding-cache.ts. The engine never touches files for these.
 */

export interface VectorEntry {
  /** Unique key of the embedded text, e.g. "vpn-cannot-connect#2" or "vpn-cannot-connect?q3". */
  key: string;
  vector: Float32Array;
}

export interface VectorHit {
  key: string;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

export interface VectorIndex {
  readonly size: number;
  /** Nearest entries by cosine similarity, best first. */
  search(query: Float32Array, k: number): VectorHit[];
}

/** What a persisted index was built from; any difference means it must be rebuilt. */
export interface IndexManifest {
  provider: string;
  model: string;
  dimension: number;
  /** Hash over the embedded entries (keys and text hashes). */
  knowledgeHash: string;
}

export interface OpenedIndex {
  index: VectorIndex;
  /** Why the index was (re)built rather than loaded, e.g. "manifest changed: model". */
  rebuiltBecause?: string;
}

export interface VectorIndexStore {
  /** The persisted index when its manifest matches and its file is intact, else one built from `entries` and persisted. */
  open(manifest: IndexManifest, entries: readonly VectorEntry[]): Promise<OpenedIndex>;
}

/** Embeddings already computed: the port lives with the other storage ports. */
export type { EmbeddingCache } from '../ports/embedding-cache.js';

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Vectors by the hash of their text: what a reload and calibration look vectors up by. */
export interface VectorLookup {
  get(hash: string): Float32Array | undefined;
}

/**
 * The distinct vectors of a snapshot in one Float32Array (row per text hash), each handed out as
 * a view of its row: one allocation instead of one per vector, and texts sharing a vector share
 * its row.
 */
export class VectorTable implements VectorLookup {
  private readonly rows = new Map<string, Float32Array>();

  constructor(readonly dimension: number, vectors: ReadonlyMap<string, Float32Array>) {
    const data = new Float32Array(vectors.size * dimension);
    let offset = 0;
    for (const [hash, vector] of vectors) {
      if (vector.length !== dimension) throw new Error(`vector of ${vector.length} dimensions, expected ${dimension}`);
      data.set(vector, offset);
      this.rows.set(hash, data.subarray(offset, offset + dimension));
      offset += dimension;
    }
  }

  get size(): number {
    return this.rows.size;
  }

  get(hash: string): Float32Array | undefined {
    return this.rows.get(hash);
  }
}

/** Exact search over vectors in memory: used when no persisted index is available. */
export class BruteForceIndex implements VectorIndex {
  constructor(private readonly entries: readonly VectorEntry[]) {}

  get size(): number {
    return this.entries.length;
  }

  search(query: Float32Array, k: number): VectorHit[] {
    return this.entries
      .map((e) => ({ key: e.key, score: dot(query, e.vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }
}
