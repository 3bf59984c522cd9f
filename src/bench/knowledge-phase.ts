import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createKnowledgeRuntime, type KnowledgeRuntime } from '../app/knowledge.js';
import { retrievalSchema } from '../config/sections/retrieval.js';
import { createEmbedder } from '../embeddings/factory.js';
import { loadKnowledgeBase } from '../engine/knowledge/loader.js';
import { articleEntries } from '../engine/retrieval/entries.js';
import { openEmbeddingCache } from '../storage/factory.js';
import { StandInEmbedder } from './stand-in-embedder.js';
import type { EmbedProgress } from '../engine/retrieval/embed-entries.js';
import { peakRssMb, ratio, summarizeLatency, timed, type LatencySummary } from './stats.js';

/**
 * A knowledge base opened exactly as the bot opens it (src/app/knowledge.ts: USE embedder with
 * its worker threads, SQLite embedding cache and persisted HNSW index under the data folder,
 * calibrated gate), the build timed, then each query decided by the product's
 * KnowledgeService.decide() next to the bare query-embedding call of the same embedder.
 */

export type Progress = (message: string) => void;

export interface BuildMeasure {
  articles: number;
  /** Texts the index holds (titles, questions, chunks). */
  texts: number;
  /** Texts embedded by this build (the rest came from the embedding cache). */
  embedded: number;
  seconds: number;
  articles_per_s: number;
  /** Embedded texts per second of build time (0 when everything came from the cache). */
  embedded_per_s: number;
  mode: string;
  /** Texts given a stand-in vector instead of being embedded (stand-in mode: see stand-in-embedder.ts). */
  stand_in?: number;
}

export interface LatencyMeasure {
  queries: number;
  /** KnowledgeService.decide(): query embedding, hybrid retrieval and the gate (no LLM). */
  engine: LatencySummary;
  /** The same embedder's embedQueries([query]) alone: the floor of any embedding-based answer. */
  floor: LatencySummary;
  p50_ratio: number;
  p95_ratio: number;
  /** CPU time (user + system) of one floor call, p50: less sensitive to other load on the machine than wall time. */
  floor_cpu_ms_p50: number;
  /** 1-minute load average when the timing started and ended (2 cores shared: read wall times against it). */
  load_average?: [number, number];
}

export interface KnowledgePhaseResult {
  label: string;
  build: BuildMeasure;
  latency?: LatencyMeasure;
  /** Peak RSS of the process up to the end of the index build (embedding workers included). */
  build_peak_rss_mb: number;
  /** Largest RSS seen while serving the timed questions, after the build (indexing workers gone). */
  serving_rss_mb: number;
  /** Opening the same knowledge again with the saved index (a restart, in a fresh process: runRestartPhase), in seconds. */
  index_load_s?: number;
  /**
   * Largest RSS of a fresh process that opened the saved index (a replica after a restart) and
   * decided the same questions: what a replica serves with, without what a cold build leaves behind.
   */
  restart_serving_rss_mb?: number;
  peak_rss_mb: number;
  warnings: string[];
}

export interface KnowledgePhaseInput {
  label: string;
  kbDir: string;
  dataDir: string;
  /** Remove the persisted vector index first, so the build is measured (embeddings may still be cached). */
  rebuildIndex: boolean;
  queries?: string[];
  warmup?: number;
  /**
   * Stand-in vectors for the articles (a base too big to embed here), built from the real vectors
   * of the seed articles found in `poolDataDir`'s embedding cache; the questions timed stay real.
   * `dataDir` must then be a folder of its own, so no stand-in ever reaches the real cache.
   */
  standIn?: { seedDir: string; poolDataDir: string };
}

/** The retrieval configuration the bot runs with by default (USE, one worker per core). */
export const benchRetrievalConfig = () => retrievalSchema.parse({ EMBEDDINGS_PROVIDER: 'use' });

function embeddingProgress(label: string, progress: Progress): (p: EmbedProgress) => void {
  let started = 0;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (!started) started = now;
    const fresh = p.done - p.reused;
    if (p.total === p.reused || (now - last < 15_000 && p.done < p.total)) return;
    last = now;
    const rate = fresh / Math.max(0.001, (now - started) / 1000);
    const eta = rate > 0 ? Math.round((p.total - p.done) / rate) : 0;
    progress(`${label}: embedded ${fresh} of ${p.total - p.reused} new texts (${p.reused} cached), ${rate.toFixed(1)}/s${p.done < p.total ? `, ~${eta} s left` : ''}`);
  };
}

/** The real vectors stand-ins are made of: the seed articles' texts from the real cache, else their titles embedded now. */
function standInPool(standIn: NonNullable<KnowledgePhaseInput['standIn']>, progress: Progress): (real: import('../engine/ports/embedder.js').Embedder) => Promise<Float32Array[]> {
  return async (real) => {
    const entries = loadKnowledgeBase(standIn.seedDir).articles.flatMap((a) => articleEntries(a));
    const cache = openEmbeddingCache(standIn.poolDataDir);
    try {
      const found = [...(await cache.getMany(real.provider, real.model, entries.map((e) => e.hash))).values()];
      if (found.length >= 64) return found;
      const titles = entries.filter((e) => e.kind === 'title');
      progress(`stand-in: embedding the ${titles.length} seed titles for real (the cache in ${standIn.poolDataDir} has ${found.length} seed vectors)`);
      const vectors = await real.embedPassages(titles.map((e) => e.text));
      await cache.putMany(real.provider, real.model, titles.map((e, i) => ({ hash: e.hash, vector: vectors[i]! })));
      return vectors;
    } finally {
      cache.close();
    }
  };
}

export async function openTimed(input: Pick<KnowledgePhaseInput, 'label' | 'kbDir' | 'dataDir' | 'rebuildIndex' | 'standIn'>, progress: Progress): Promise<{ runtime: KnowledgeRuntime; build: BuildMeasure }> {
  if (input.rebuildIndex) rmSync(join(resolve(input.dataDir), 'vector-index'), { recursive: true, force: true });
  let standIn: StandInEmbedder | undefined;
  if (input.standIn) {
    const { embedder, problem } = await createEmbedder(benchRetrievalConfig().embeddings);
    if (!embedder) throw new Error(problem ?? 'no embedder');
    standIn = new StandInEmbedder(embedder, standInPool(input.standIn, progress));
  }
  const { value: runtime, ms: elapsed } = await timed(() =>
    createKnowledgeRuntime(
      { core: { kbDir: input.kbDir, dataDir: input.dataDir }, retrieval: benchRetrievalConfig() },
      // Builds and latency are measured with the committed models, not a zero-label fit of each generated base.
      {
        onProgress: embeddingProgress(input.label, progress),
        log: { info: () => undefined, warn: (m) => progress(`${input.label}: warning: ${m}`) },
        autoCalibrate: false,
        ...(standIn ? { embedder: standIn } : {}),
      },
    ),
  );
  // From here on the user's questions are embedded by the real model.
  if (standIn) standIn.standIn = false;
  const ms = elapsed - (standIn?.poolMs ?? 0);
  const status = runtime.service.status();
  const seconds = ms / 1000;
  const embedded = status.lastLoad?.embedded ?? 0;
  const build: BuildMeasure = {
    articles: status.articles,
    texts: status.vectors,
    embedded,
    seconds: Math.round(seconds * 10) / 10,
    articles_per_s: ratio(status.articles, seconds, 1),
    embedded_per_s: ratio(embedded, seconds, 1),
    mode: status.mode,
    ...(standIn ? { stand_in: standIn.standIns } : {}),
  };
  return { runtime, build };
}

export async function measureLatency(runtime: KnowledgeRuntime, queries: readonly string[], warmup: number, onQuery?: () => void): Promise<LatencyMeasure> {
  const embedder = runtime.embedder;
  if (!embedder) throw new Error('latency needs the embedder');
  for (const q of queries.slice(0, warmup)) {
    await embedder.embedQueries([q]);
    await runtime.service.decide(q);
  }
  const engine: number[] = [];
  const floor: number[] = [];
  const floorCpu: number[] = [];
  const loadStart = loadavg()[0]!;
  // Interleaved, so both see the same machine state (GC, other load).
  for (const q of queries) {
    const cpu = process.cpuUsage();
    floor.push((await timed(() => embedder.embedQueries([q]))).ms);
    const used = process.cpuUsage(cpu);
    floorCpu.push((used.user + used.system) / 1000);
    engine.push((await timed(() => runtime.service.decide(q))).ms);
    onQuery?.();
  }
  const e = summarizeLatency(engine);
  const f = summarizeLatency(floor);
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return {
    queries: queries.length,
    engine: e,
    floor: f,
    p50_ratio: ratio(e.p50, f.p50),
    p95_ratio: ratio(e.p95, f.p95),
    floor_cpu_ms_p50: summarizeLatency(floorCpu).p50,
    load_average: [round2(loadStart), round2(loadavg()[0]!)],
  };
}

/** Waits (a few seconds at most) until the embedder has let its indexing workers go. */
async function workersGone(runtime: KnowledgeRuntime): Promise<void> {
  const embedder = runtime.embedder as { workersAlive?: number } | undefined;
  for (let i = 0; i < 100 && (embedder?.workersAlive ?? 0) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  (globalThis as { gc?: () => void }).gc?.();
}

export async function runKnowledgePhase(input: KnowledgePhaseInput, progress: Progress): Promise<KnowledgePhaseResult> {
  const { runtime, build } = await openTimed(input, progress);
  const buildPeak = peakRssMb();
  let result: KnowledgePhaseResult;
  try {
    progress(`${input.label}: ${build.articles} articles, ${build.texts} texts indexed in ${build.seconds} s (${build.embedded} embedded, ${build.mode}), peak RSS ${Math.round(buildPeak)} MB`);
    await workersGone(runtime);
    let serving = process.memoryUsage().rss;
    const sample = () => {
      serving = Math.max(serving, process.memoryUsage().rss);
    };
    let latency: LatencyMeasure | undefined;
    if (input.queries && input.queries.length > 0) {
      progress(`${input.label}: timing ${input.queries.length} decisions`);
      latency = await measureLatency(runtime, input.queries, input.warmup ?? 20, sample);
    }
    result = {
      label: input.label,
      build,
      latency,
      build_peak_rss_mb: buildPeak,
      serving_rss_mb: Math.round(serving / 1048576),
      peak_rss_mb: peakRssMb(),
      warnings: runtime.service.status().warnings,
    };
  } finally {
    await runtime.close();
  }
  return result;
}

export interface RestartPhaseResult {
  index_load_s: number;
  serving_rss_mb: number;
}

/**
 * A replica restarting on a saved index, in a process of its own (run by run.ts after the build's
 * process has exited): the index load timed, then every question decided (after the warm-up) with
 * the largest RSS seen. The build's process keeps whatever its cold build grew to; this one does not.
 */
export async function runRestartPhase(input: KnowledgePhaseInput, progress: Progress): Promise<RestartPhaseResult> {
  const { runtime, build } = await openTimed({ ...input, rebuildIndex: false }, progress);
  try {
    progress(`${input.label}: restart (saved index loaded) in ${build.seconds} s`);
    await workersGone(runtime);
    let serving = process.memoryUsage().rss;
    const questions = input.queries ?? [];
    for (const [i, q] of questions.entries()) {
      await runtime.service.decide(q);
      if (i >= (input.warmup ?? 20)) serving = Math.max(serving, process.memoryUsage().rss);
    }
    const servingMb = Math.round(serving / 1048576);
    progress(`${input.label}: serving after a restart, largest RSS ${servingMb} MB over ${questions.length} decisions`);
    return { index_load_s: build.seconds, serving_rss_mb: servingMb };
  } finally {
    await runtime.close();
  }
}
