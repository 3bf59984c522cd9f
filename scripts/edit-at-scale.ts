/**
 * What a knowledge edit costs at scale, per replica: the generated base (default 10,000 articles)
 * is indexed once with the stand-in embedder of scripts/memory-at-scale.ts (no model: the vector
 * index and the lexical side are what is timed, not embedding), then one article's body is edited
 * and the knowledge reloaded, as a console save or another replica's change signal does. Prints the
 * reload's wall time and whether the saved vector index was updated in place or rebuilt.
 *
 *   npx tsx scripts/edit-at-scale.ts [articles]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GATE_MODEL_DIR, loadGateModels } from '../src/app/gate-models.js';
import { generateKnowledgeBase } from '../src/bench/generate.js';
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

const articles = Number(process.argv[2] ?? 10000);
const work = process.env.MEMORY_WORK_DIR ?? '/tmp/pm';
const kbDir = join(work, `kb-${articles}`);
if (!existsSync(join(kbDir, '.done'))) {
  generateKnowledgeBase({ seedDir: 'knowledge', outDir: kbDir, articles });
  mkdirSync(kbDir, { recursive: true });
  writeFileSync(join(kbDir, '.done'), '');
}
const indexDir = join(work, `edit-index-${articles}`);
rmSync(indexDir, { recursive: true, force: true });
const logs: string[] = [];
const { models } = loadGateModels(DEFAULT_GATE_MODEL_DIR, 'use');
const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(2));
let t0 = performance.now();
const service = await HybridKnowledgeService.create({ kbDir, embedder: new StandInEmbedder(), vectorStore: new HnswVectorStore(indexDir), models, log: { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) } });
const firstBuild = seconds(t0);

const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
const target = files(kbDir).sort()[0]!;
const original = readFileSync(target, 'utf8');
try {
  writeFileSync(target, `${original.trimEnd()}\n\nIf the steps above did not help, restart the computer and try once more.\n`);
  logs.length = 0;
  t0 = performance.now();
  await service.reload();
  const edit = seconds(t0);
  console.log(JSON.stringify({ articles, first_build_s: firstBuild, edit_reload_s: edit, vector_index: logs.filter((l) => l.startsWith('vector index')), load_average: loadavg()[0]!.toFixed(2) }, null, 2));
} finally {
  writeFileSync(target, original);
}
