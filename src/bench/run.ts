import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { generateKnowledgeBase, type GeneratedKnowledgeBase } from './generate.js';
import type { KnowledgePhaseResult, Progress } from './knowledge-phase.js';
import { runInChild } from './phases.js';
import type { QualityPhaseResult } from './quality-phase.js';
import { readDevSet } from '../engine/eval/dev-set.js';
import type { VectorsPhaseResult } from './vectors-phase.js';

/**
 * `helpdesk bench`: one run, phases in order, each heavy phase in its own process.
 *   1. quality: the shipped knowledge base built cold / warm / on restart, the dev set through
 *      the product, MiniSearch and Orama;
 *   2. knowledge: generated bases (largest first, so it fills the embedding cache the smaller
 *      ones reuse), each index rebuilt and timed, then decision latency next to the floor;
 *   3. vectors: HNSW against an exact scan at the target size.
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
}

export interface KnowledgeBaseResult extends KnowledgePhaseResult {
  generated: Omit<GeneratedKnowledgeBase, 'dir'>;
}

export interface BenchResults {
  generated_at: string;
  duration_s: number;
  machine: { cpus: number; cpu_model: string; memory_gb: number; node: string; os: string; load_average_at_end: number[] };
  quality: QualityPhaseResult;
  knowledge_bases: KnowledgeBaseResult[];
  vectors: VectorsPhaseResult;
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

  progress(`quality and cold/warm builds on ${options.seedDir} with ${queries.length} queries from ${options.queriesFile}`);
  const quality = await runInChild<QualityPhaseResult>(
    { phase: 'quality', input: { kbDir: options.seedDir, queriesFile: options.queriesFile, splits: options.splits, shareCacheFile: join(dataDir, 'embeddings.sqlite') } },
    progress,
  );

  const sizes = [...options.sizes].sort((a, b) => b - a);
  const knowledge_bases: KnowledgeBaseResult[] = [];
  for (const size of sizes) {
    const { dir, ...generated } = generateKnowledgeBase({ seedDir: options.seedDir, outDir: join(options.workDir, `kb-${size}`), articles: size });
    progress(`generated ${generated.articles} articles (${generated.generated} new, ${generated.bodyWords} body words) in ${dir}`);
    const result = await runInChild<KnowledgePhaseResult>(
      { phase: 'knowledge', input: { label: `${generated.articles} articles`, kbDir: dir, dataDir, rebuildIndex: true, queries, measureRestart: true } },
      progress,
    );
    knowledge_bases.push({ ...result, generated });
  }
  knowledge_bases.sort((a, b) => a.build.articles - b.build.articles);

  const largest = join(options.workDir, `kb-${sizes[0]}`);
  progress(`vector search at ${options.vectors} vectors`);
  const vectors = await runInChild<VectorsPhaseResult>(
    { phase: 'vectors', input: { kbDir: largest, dataDir, queriesFile: options.queriesFile, target: options.vectors } },
    progress,
  );

  const results: BenchResults = {
    generated_at: new Date().toISOString(),
    duration_s: Math.round((Date.now() - started) / 1000),
    machine: machine(),
    quality,
    knowledge_bases,
    vectors,
  };
  if (options.out) {
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    progress(`results written to ${options.out}`);
  }
  return results;
}
