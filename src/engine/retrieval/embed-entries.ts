import type { Embedder } from '../ports/embedder.js';
import type { EmbedText } from './entries.js';
import type { EmbeddingCache, VectorLookup } from './vector-index.js';

/**
 * Vectors for every entry, computing only what is not already known: first the vectors of the
 * previous load (by text hash), then the persistent cache, then the embedder, in batches with
 * a couple in flight so a multi-worker embedder keeps every core busy. Each batch is cached as
 * soon as it is computed, so an interrupted indexing run resumes where it stopped.
 */

export interface EmbedProgress {
  done: number;
  total: number;
  /** How many came from the previous load or the cache. */
  reused: number;
}

export interface EmbedEntriesOptions {
  cache?: EmbeddingCache;
  previous?: VectorLookup;
  batchSize?: number;
  /** Texts × tokens of the longest one, at most, per batch (default 2048). */
  batchTokens?: number;
  concurrency?: number;
  onProgress?: (progress: EmbedProgress) => void;
}

/** About four characters a token, the usual rule of thumb for subword vocabularies. */
const approxTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

export async function embedEntries(
  embedder: Embedder,
  entries: readonly EmbedText[],
  options: EmbedEntriesOptions = {},
): Promise<Map<string, Float32Array>> {
  const byHash = new Map<string, Float32Array>();
  const wanted = [...new Set(entries.map((e) => e.hash))];
  for (const h of wanted) {
    const v = options.previous?.get(h);
    if (v) byHash.set(h, v);
  }
  if (options.cache) {
    const cached = await options.cache.getMany(embedder.provider, embedder.model, wanted.filter((h) => !byHash.has(h)));
    for (const [h, v] of cached) if (v.length === embedder.dimension) byHash.set(h, v);
  }
  const missing = new Map<string, EmbedText>();
  for (const e of entries) if (!byHash.has(e.hash) && !missing.has(e.hash)) missing.set(e.hash, e);
  const reused = wanted.length - missing.size;
  let done = reused;
  options.onProgress?.({ done, total: wanted.length, reused });

  const batchSize = options.batchSize ?? 32;
  const tokenBudget = options.batchTokens ?? 2048;
  const batches: EmbedText[][] = [];
  for (const role of ['query', 'passage'] as const) {
    // Similar lengths together: padding in a batch costs as much as real text.
    const list = [...missing.values()].filter((e) => e.role === role).sort((a, b) => a.text.length - b.text.length);
    // Long texts in smaller batches: a batch is padded to its longest text, and a transformer's
    // working memory grows with batch × length² (a model's heap never shrinks once grown).
    let batch: EmbedText[] = [];
    for (const e of list) {
      const padded = (batch.length + 1) * approxTokens(e.text);
      if (batch.length > 0 && (batch.length >= batchSize || padded > tokenBudget)) {
        batches.push(batch);
        batch = [];
      }
      batch.push(e);
    }
    if (batch.length > 0) batches.push(batch);
  }
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const texts = batch.map((e) => e.text);
      const vectors = batch[0]!.role === 'query' ? await embedder.embedQueries(texts) : await embedder.embedPassages(texts);
      const items = batch.map((e, i) => ({ hash: e.hash, vector: vectors[i]! }));
      for (const item of items) byHash.set(item.hash, item.vector);
      await options.cache?.putMany(embedder.provider, embedder.model, items);
      done += batch.length;
      options.onProgress?.({ done, total: wanted.length, reused });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  return byHash;
}
