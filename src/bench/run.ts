import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { generateKnowledgeBase, type GeneratedKnowledgeBase } from './generate.js';
import type { KnowledgePhaseInput, KnowledgePhaseResult, Progress, RestartPhaseResult } from './knowledge-phase.js';
import { runInChild } from './phases.js';
import type { QualityPhaseResult } from './quality-phase.js';
import { readDevSet } from '../engine/eval/dev-set.js';
import type { VectorsPhaseResult } from './vectors-phase.js';
import { runSaturateLoad, readSaturateLoad, type SaturateLoadResult } from './load-phase.js';

/**
 * `helpdesk bench`: one run, phases in order, each heavy phase in its own process.
 *   1. quality: the shipped knowledge base built cold / warm / on restart, the dev set through
 *      the product, MiniSearch and Orama;
 *   2. knowledge: generated bases (largest first, so it fills the embedding cache the smaller
 *      ones reuse), each index rebuilt and timed, then decision latency next to the floor;
 *   3. vectors: HNSW against an exact scan at the target size;
 *   4. load: `npm run load -- --saturate` (the web chat, then the Bot Framework endpoint, each
 *      under 100 users with no think time), or its last result read from bench/load-saturate.json.
 * Any phase can be skipped (`--skip`); a skipped phase's numbers are carried over from the
 * results file being replaced, marked with the date they were measured, so phases can be run
 * one at a time and still make one complete results file.
 * Embeddings of generated texts are cached in <workDir>/data across runs (only texts change
 * the cache key), which is what keeps a repeated run short; cold numbers come from phase 1.
 */

/** Generated bases and their embedding cache live outside the repository (hours of CPU to rebuild at 50,000 articles). */
export const DEFAULT_BENCH_DIR = process.env.HELPDESK_BENCH_DIR ?? join(homedir(), '.cache', 'helpdesk-bot', 'bench');

export interface BenchOptions {
  seedDir: string;
  queriesFile: string;
  sizes: number[];
  vectors: number;
  workDir: string;
  splits: string[];
  out?: string;
  /** Phases not run this time (their previous results are carried over from `out`). */
  skip?: Phase[];
  /** Sizes whose article vectors are stand-ins (stand-in-embedder.ts), not embedded: latency and RSS representative, quality not. */
  standIn?: number[];
  /** The saturating load: run it now, or read its last result from `loadFile`. */
  load?: { mode: 'run' | 'file'; messages: number; file: string };
}

export const PHASES = ['quality', 'knowledge', 'vectors', 'load'] as const;
export type Phase = (typeof PHASES)[number];

export interface KnowledgeBaseResult extends KnowledgePhaseResult {
  generated: Omit<GeneratedKnowledgeBase, 'dir'>;
  /** The article vectors are stand-ins, not the model's (see stand-in-embedder.ts): latency, RSS, index load representative; quality not. */
  stand_in_vectors?: boolean;
  /** When this entry was measured, if earlier than the run (carried over from the previous results file). */
  measured_at?: string;
}

export interface BenchResults {
  generated_at: string;
  duration_s: number;
  machine: { cpus: number; cpu_model: string; memory_gb: number; node: string; os: string; load_average_at_end: number[] };
  /** Phases run this time; the others were carried over (each with its measured_at). */
  phases_run: Phase[];
  quality?: QualityPhaseResult & { measured_at?: string };
  knowledge_bases: KnowledgeBaseResult[];
  vectors?: VectorsPhaseResult & { measured_at?: string };
  load?: SaturateLoadResult;
}

/** The previous results file, if there is one (the source of skipped phases' numbers). */
function previous(out: string | undefined): Partial<BenchResults> | undefined {
  if (!out || !existsSync(out)) return undefined;
  try {
    return JSON.parse(readFileSync(out, 'utf8')) as Partial<BenchResults>;
  } catch {
    return undefined;
  }
}

export function machine(): BenchResults['machine'] {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${release()}`,
    load_average_at_end: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export async function runBenchmark(options: BenchOptions, log: (line: string) => void): Promise<BenchResults> {
  const started = Date.now();
  const progress: Progress = (line) => {
    const s = Math.round((Date.now() - started) / 1000);
    log(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${line}`);
  };
  const queries = readDevSet(options.queriesFile).map((q) => q.query);
  const dataDir = join(options.workDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const skip = new Set(options.skip ?? []);
  const run = PHASES.filter((p) => !skip.has(p));
  const before = previous(options.out);
  const carried = <T extends object>(value: T | undefined, at: string | undefined): (T & { measured_at?: string }) | undefined =>
    value ? { ...value, measured_at: (value as { measured_at?: string }).measured_at ?? at } : undefined;

  let quality = carried(before?.quality, before?.generated_at);
  if (!skip.has('quality')) {
    progress(`quality and cold/warm builds on ${options.seedDir} with ${queries.length} queries from ${options.queriesFile}`);
    quality = await runInChild<QualityPhaseResult>(
      { phase: 'quality', input: { kbDir: options.seedDir, queriesFile: options.queriesFile, splits: options.splits, shareCacheFile: join(dataDir, 'embeddings.sqlite') } },
      progress,
    );
  }

  const standIn = new Set(options.standIn ?? []);
  const sizes = [...options.sizes].sort((a, b) => b - a);
  const measured: KnowledgeBaseResult[] = [];
  if (!skip.has('knowledge')) {
    for (const size of sizes) {
      const { dir, ...generated } = generateKnowledgeBase({ seedDir: options.seedDir, outDir: join(options.workDir, `kb-${size}`), articles: size });
      const fake = standIn.has(size);
      progress(`generated ${generated.articles} articles (${generated.generated} new, ${generated.bodyWords} body words) in ${dir}${fake ? '; STAND-IN article vectors (latency/RSS representative, quality not), real query embeddings' : ''}`);
      const input: KnowledgePhaseInput = {
        label: `${generated.articles} articles${fake ? ' (stand-in vectors)' : ''}`,
        kbDir: dir,
        // Stand-in vectors get a cache of their own: they must never be mistaken for real ones.
        dataDir: fake ? join(options.workDir, 'data-stand-in') : dataDir,
        rebuildIndex: true,
        queries,
        ...(fake ? { standIn: { seedDir: options.seedDir, poolDataDir: dataDir } } : {}),
      };
      const result = await runInChild<KnowledgePhaseResult>({ phase: 'knowledge', input }, progress);
      // The restart in a fresh process: a replica's index load and serving memory.
      const restart = await runInChild<RestartPhaseResult>({ phase: 'restart', input: { ...input, rebuildIndex: false } }, progress);
      measured.push({ ...result, index_load_s: restart.index_load_s, restart_serving_rss_mb: restart.serving_rss_mb, generated, ...(fake ? { stand_in_vectors: true } : {}) });
    }
  }
  // Sizes not measured this time keep their previous numbers (a 50,000-article point is not re-run every time).
  const key = (k: KnowledgeBaseResult) => `${k.build.articles}${k.stand_in_vectors ? 's' : ''}`;
  const fresh = new Set(measured.map(key));
  const knowledge_bases = [
    ...measured,
    ...(before?.knowledge_bases ?? []).filter((k) => !fresh.has(key(k))).map((k) => carried(k, before?.generated_at)!),
  ].sort((a, b) => a.build.articles - b.build.articles || Number(!!a.stand_in_vectors) - Number(!!b.stand_in_vectors));

  let vectors = carried(before?.vectors, before?.generated_at);
  if (!skip.has('vectors')) {
    // The largest base whose vectors are real (the comparison is on real USE vectors plus synthetic neighbours).
    const real = sizes.filter((n) => !standIn.has(n));
    if (real.length === 0) throw new Error('the vectors phase needs a generated size with real vectors (or --skip vectors)');
    const largest = join(options.workDir, `kb-${real[0]}`);
    progress(`vector search at ${options.vectors} vectors`);
    vectors = await runInChild<VectorsPhaseResult>(
      { phase: 'vectors', input: { kbDir: largest, dataDir, queriesFile: options.queriesFile, target: options.vectors } },
      progress,
    );
  }

  let load = before?.load;
  if (!skip.has('load') && options.load) {
    load =
      options.load.mode === 'run'
        ? await runSaturateLoad({ messages: options.load.messages, file: options.load.file }, progress)
        : readSaturateLoad(options.load.file);
    progress(`saturating load (${options.load.mode === 'run' ? 'run now' : `read from ${options.load.file}`}): web p99 ${load.web?.latency.p99 ?? '–'} ms, Bot Framework p99 ${load.teams?.latency.p99 ?? '–'} ms`);
  }

  const results: BenchResults = {
    generated_at: new Date().toISOString(),
    duration_s: Math.round((Date.now() - started) / 1000),
    machine: machine(),
    phases_run: run,
    ...(quality ? { quality } : {}),
    knowledge_bases,
    ...(vectors ? { vectors } : {}),
    ...(load ? { load } : {}),
  };
  if (options.out) {
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    progress(`results written to ${options.out}`);
  }
  return results;
}
