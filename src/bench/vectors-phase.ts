import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbedder } from '../embeddings/factory.js';
import { readDevSet } from '../engine/eval/dev-set.js';
import { loadKnowledgeBase } from '../engine/knowledge/loader.js';
import type { Embedder } from '../engine/ports/embedder.js';
import { articleEntries } from '../engine/retrieval/entries.js';
import type { VectorEntry, VectorIndex } from '../engine/retrieval/vector-index.js';
import { openEmbeddingCache } from '../storage/factory.js';
import { HnswVectorStore } from '../storage/vector/hnsw.js';
import { seedTopic } from './generate.js';
import { benchRetrievalConfig, type Progress } from './knowledge-phase.js';
import { createRandom } from './random.js';
import { peakRssMb, ratio, summarizeLatency, timed, type LatencySummary } from './stats.js';

/**
 * Nearest-neighbour search at scale: the product's persisted HNSW index (src/storage/vector/hnsw.ts,
 * hnswlib cosine, M 16, efConstruction 200) against an exact scan (one Float32Array, a tight
 * dot-product loop), on the dev-set queries' real USE vectors. The corpus is every distinct
 * real USE vector of the generated 10,000-article base (titles, questions, chunks: all embedded
 * by the knowledge phase and read from its cache), completed to the target count with
 * synthetic neighbours: a normalised mix of two real vectors of the same topic plus a little
 * Gaussian noise. Recall is also reported on the real vectors alone.
 */

export interface VectorsPhaseInput {
  kbDir: string;
  dataDir: string;
  queriesFile: string;
  target: number;
  /** Dev-set queries used (the first ones): each costs an exact scan of the whole set. */
  maxQueries?: number;
  k?: number;
  seed?: number;
}

export interface SearchMeasure {
  latency: LatencySummary;
  recall_at_10: number;
}

export interface VectorSetResult {
  vectors: number;
  real: number;
  synthetic: number;
  hnsw_build_s: number;
  exact: { latency: LatencySummary };
  /** The call retrieval makes for a small k: ef = max(64, k). */
  hnsw_k10: SearchMeasure;
  /** The call retrieval makes (k = 240, ef = 240), top 10 kept. */
  hnsw_k240: SearchMeasure;
  speedup_p50: number;
}

export interface VectorsPhaseResult {
  dimension: number;
  queries: number;
  full: VectorSetResult;
  real_only: VectorSetResult;
  peak_rss_mb: number;
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** Exact top-k by cosine (vectors are unit length) over a row-major matrix. */
export class ExactScan {
  private readonly matrix: Float32Array;
  readonly size: number;

  constructor(
    vectors: readonly Float32Array[],
    private readonly dimension: number,
  ) {
    this.size = vectors.length;
    this.matrix = new Float32Array(vectors.length * dimension);
    vectors.forEach((v, i) => this.matrix.set(v, i * dimension));
  }

  search(query: Float32Array, k: number): number[] {
    const d = this.dimension;
    const m = this.matrix;
    const topIds = new Int32Array(k).fill(-1);
    const topScores = new Float64Array(k).fill(-Infinity);
    for (let i = 0, base = 0; i < this.size; i++, base += d) {
      let s = 0;
      for (let j = 0; j < d; j++) s += query[j]! * m[base + j]!;
      if (s <= topScores[k - 1]!) continue;
      let p = k - 1;
      while (p > 0 && topScores[p - 1]! < s) {
        topScores[p] = topScores[p - 1]!;
        topIds[p] = topIds[p - 1]!;
        p--;
      }
      topScores[p] = s;
      topIds[p] = i;
    }
    return [...topIds].filter((id) => id >= 0);
  }
}

/** Synthetic neighbours: mixes of two real vectors of one topic, jittered, unit length. */
export function synthesise(real: readonly { topic: string; vector: Float32Array }[], count: number, seed: number): Float32Array[] {
  const r = createRandom(seed);
  const byTopic = new Map<string, Float32Array[]>();
  for (const v of real) byTopic.set(v.topic, [...(byTopic.get(v.topic) ?? []), v.vector]);
  const dimension = real[0]?.vector.length ?? 0;
  const noise = 0.3 / Math.sqrt(dimension);
  const out: Float32Array[] = [];
  for (let n = 0; n < count; n++) {
    const base = r.pick(real);
    const other = r.pick(byTopic.get(base.topic)!);
    const a = r.next();
    const v = new Float32Array(dimension);
    for (let j = 0; j < dimension; j++) v[j] = a * base.vector[j]! + (1 - a) * other[j]! + noise * r.gaussian();
    out.push(normalise(v));
  }
  return out;
}

async function measureSet(vectors: readonly Float32Array[], real: number, queries: readonly Float32Array[], embedder: Embedder, k: number, progress: Progress): Promise<VectorSetResult> {
  const exact = new ExactScan(vectors, embedder.dimension);
  const exactMs: number[] = [];
  const truth: number[][] = [];
  for (const q of queries) {
    const { value, ms } = await timed(() => exact.search(q, k));
    truth.push(value);
    exactMs.push(ms);
  }
  progress(`vectors ${vectors.length}: exact scan done, building HNSW (the product's store)`);
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-bench-hnsw-'));
  try {
    const entries: VectorEntry[] = vectors.map((vector, i) => ({ key: String(i), vector }));
    const manifest = { provider: embedder.provider, model: embedder.model, dimension: embedder.dimension, knowledgeHash: `bench-${vectors.length}` };
    const { value: opened, ms: buildMs } = await timed(() => new HnswVectorStore(dir).open(manifest, entries));
    const measure = async (index: VectorIndex, searchK: number): Promise<SearchMeasure> => {
      const ms: number[] = [];
      let hits = 0;
      for (const [i, q] of queries.entries()) {
        const { value, ms: t } = await timed(() => index.search(q, searchK));
        ms.push(t);
        const want = new Set(truth[i]);
        hits += value.slice(0, k).filter((h) => want.has(Number(h.key))).length;
      }
      return { latency: summarizeLatency(ms), recall_at_10: Math.round((hits / (queries.length * k)) * 10_000) / 10_000 };
    };
    const hnsw_k10 = await measure(opened.index, k);
    const hnsw_k240 = await measure(opened.index, 240);
    const exactLatency = summarizeLatency(exactMs);
    return {
      vectors: vectors.length,
      real,
      synthetic: vectors.length - real,
      hnsw_build_s: Math.round(buildMs / 100) / 10,
      exact: { latency: exactLatency },
      hnsw_k10,
      hnsw_k240,
      speedup_p50: ratio(exactLatency.p50, hnsw_k10.latency.p50, 1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runVectorsPhase(input: VectorsPhaseInput, progress: Progress): Promise<VectorsPhaseResult> {
  const k = input.k ?? 10;
  const { embedder, problem } = await createEmbedder(benchRetrievalConfig().embeddings);
  if (!embedder) throw new Error(problem ?? 'no embedder');
  await embedder.init();
  try {
    const kb = loadKnowledgeBase(input.kbDir);
    const topicOf = new Map<string, string>();
    for (const a of kb.articles) for (const e of articleEntries(a)) if (!topicOf.has(e.hash)) topicOf.set(e.hash, seedTopic(a.id));
    const cache = openEmbeddingCache(input.dataDir);
    const cached = await cache.getMany(embedder.provider, embedder.model, [...topicOf.keys()]);
    cache.close();
    const real = [...topicOf.entries()].flatMap(([hash, topic]) => {
      const vector = cached.get(hash);
      return vector ? [{ topic, vector }] : [];
    });
    if (real.length === 0) throw new Error(`no cached vectors for ${input.kbDir}: run the knowledge phase first`);
    progress(`vectors: ${real.length} distinct real USE vectors from the cache, ${Math.max(0, input.target - real.length)} synthetic`);
    const synthetic = synthesise(real, Math.max(0, input.target - real.length), input.seed ?? 7);
    const corpus = [...real.map((v) => v.vector), ...synthetic].slice(0, input.target);
    const queries = await embedder.embedQueries(readDevSet(input.queriesFile).slice(0, input.maxQueries ?? 100).map((q) => q.query));

    const full = await measureSet(corpus, Math.min(real.length, input.target), queries, embedder, k, progress);
    progress(`vectors ${full.vectors}: HNSW built in ${full.hnsw_build_s} s, recall@10 ${full.hnsw_k10.recall_at_10}, exact p50 ${full.exact.latency.p50} ms vs HNSW ${full.hnsw_k10.latency.p50} ms`);
    const realOnly = await measureSet(real.map((v) => v.vector), real.length, queries, embedder, k, progress);
    return { dimension: embedder.dimension, queries: queries.length, full, real_only: realOnly, peak_rss_mb: peakRssMb() };
  } finally {
    await embedder.close?.();
  }
}
