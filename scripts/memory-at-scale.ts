/**
 * Memory and the time beyond the query embedding at 1,000 / 10,000 generated articles, with a
 * stand-in embedder (512-d hashed bag of words, no model): what the knowledge snapshot itself
 * costs, without the hour of CPU the real embedder needs to fill the 10,000-article cache.
 *
 *   node --expose-gc --import tsx scripts/memory-at-scale.ts [articles] [--queries N] [--profile FILE]
 *
 * Prints JSON: build time and peak RSS, memory after a full GC once built, then each dev-set
 * question decided (after 20 warm-up ones) with the largest RSS seen, and `decide` wall time
 * minus the stand-in's own embedding call (what retrieval, fusion, ranker and gate cost), and its
 * CPU time (less sensitive than wall time to other load on a shared machine). `--profile` writes a
 * V8 CPU profile of the timed decisions only (open it in Chrome DevTools).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GATE_MODEL_DIR, loadGateModels } from '../src/app/gate-models.js';
import { generateKnowledgeBase } from '../src/bench/generate.js';
import { summarizeLatency } from '../src/bench/stats.js';
import { readDevSet } from '../src/engine/eval/dev-set.js';
import type { Embedder } from '../src/engine/ports/embedder.js';
import { HybridKnowledgeService } from '../src/engine/retrieval/service.js';
import { HnswVectorStore } from '../src/storage/vector/hnsw.js';

class StandInEmbedder implements Embedder {
  readonly provider = 'stand-in';
  readonly model = 'hashed-words-512';
  readonly dimension = 512;
  async init(): Promise<void> {}
  private vector(text: string): Float32Array {
    const v = new Float32Array(this.dimension);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      let h = 2166136261;
      for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
      v[(h >>> 0) % this.dimension]! += 1;
      v[(h >>> 9) % this.dimension]! += 0.5;
    }
    let n = 0;
    for (const x of v) n += x * x;
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < v.length; i++) v[i]! /= n;
    return v;
  }
  async embedQueries(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.vector(t));
  }
  async embedPassages(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.vector(t));
  }
}

const args = process.argv.slice(2);
const articles = Number(args.find((a) => /^\d+$/.test(a)) ?? 10000);
const limitAt = args.indexOf('--queries');
const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : Infinity;
const profileAt = args.indexOf('--profile');
const profileFile = profileAt >= 0 ? args[profileAt + 1] : undefined;
const work = process.env.MEMORY_WORK_DIR ?? '/tmp/pm';
const kbDir = join(work, `kb-${articles}`);
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (x: number) => Math.round(x / 1048576);

if (!existsSync(join(kbDir, '.done'))) {
  generateKnowledgeBase({ seedDir: 'knowledge', outDir: kbDir, articles });
  mkdirSync(kbDir, { recursive: true });
  rmSync(join(kbDir, '.done'), { force: true });
  writeFileSync(join(kbDir, '.done'), '');
}
const indexDir = join(work, `index-${articles}`);
rmSync(indexDir, { recursive: true, force: true });
gc?.();
const baseline = process.memoryUsage();

const started = performance.now();
const { models } = loadGateModels(DEFAULT_GATE_MODEL_DIR, 'use');
const embedder = new StandInEmbedder();
const service = await HybridKnowledgeService.create({ kbDir, embedder, vectorStore: new HnswVectorStore(indexDir), models });
const buildSeconds = (performance.now() - started) / 1000;
const buildPeak = process.resourceUsage().maxRSS / 1024;
gc?.();
const built = process.memoryUsage();

const queries = readDevSet('eval/dev.jsonl').map((q) => q.query).slice(0, limit);
for (const q of queries.slice(0, 20)) await service.decide(q);
const engine: number[] = [];
const beyond: number[] = [];
const engineCpu: number[] = [];
let servingRss = process.memoryUsage().rss;
const loadStart = loadavg()[0]!;
const session = profileFile ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
for (const q of queries) {
  const t0 = performance.now();
  await embedder.embedQueries([q]);
  const floor = performance.now() - t0;
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  await service.decide(q);
  const ms = performance.now() - t1;
  const used = process.cpuUsage(cpu);
  engineCpu.push((used.user + used.system) / 1000);
  engine.push(ms);
  beyond.push(Math.max(0, ms - floor));
  servingRss = Math.max(servingRss, process.memoryUsage().rss);
}
if (session && profileFile) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(profileFile, JSON.stringify(profile));
  session.disconnect();
}
gc?.();
const after = process.memoryUsage();
const status = service.status();
console.log(
  JSON.stringify(
    {
      articles: status.articles,
      vectors: status.vectors,
      build_s: Math.round(buildSeconds * 10) / 10,
      build_peak_rss_mb: Math.round(buildPeak),
      code_only: { rss_mb: mb(baseline.rss), heap_used_mb: mb(baseline.heapUsed) },
      after_build_gc: { rss_mb: mb(built.rss), heap_used_mb: mb(built.heapUsed), external_mb: mb(built.external), array_buffers_mb: mb(built.arrayBuffers) },
      serving: { largest_rss_mb: mb(servingRss), after_gc_rss_mb: mb(after.rss), heap_used_mb: mb(after.heapUsed) },
      decide_ms: summarizeLatency(engine),
      beyond_embedding_ms: summarizeLatency(beyond),
      decide_cpu_ms: summarizeLatency(engineCpu),
      load_average: [loadStart, loadavg()[0]!].map((x) => Math.round(x * 100) / 100),
    },
    null,
    2,
  ),
);
