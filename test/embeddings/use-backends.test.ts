import { describe, expect, it } from 'vitest';
import { UseEmbedder } from '../../src/embeddings/use.js';
import { readDevSet } from '../../src/engine/eval/dev-set.js';

/**
 * The WebAssembly backend (default) and the JavaScript CPU backend (fallback) must give the same
 * vectors, so the committed calibration and the embedding cache stay valid whichever runs.
 * TensorFlow.js has one engine per thread: the two embedders run one after the other.
 */

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

async function embedAll(backend: 'wasm' | 'cpu', texts: string[]): Promise<{ vectors: Float32Array[]; runtime?: string }> {
  // Two worker threads on the chosen backend; batches of similar lengths, as indexing does (the
  // CPU backend pays dearly for padding a short question to a long one).
  const embedder = new UseEmbedder({ workers: 2, backend });
  await embedder.init();
  try {
    const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
    const batches: number[][] = [];
    for (let i = 0; i < order.length; i += 8) batches.push(order.slice(i, i + 8));
    const vectors: Float32Array[] = new Array(texts.length);
    await Promise.all(
      batches.map(async (batch) => {
        const out = await embedder.embedPassages(batch.map((i) => texts[i]!));
        batch.forEach((i, k) => (vectors[i] = out[k]!));
      }),
    );
    return { vectors, runtime: embedder.runtime };
  } finally {
    await embedder.close();
  }
}

describe('UseEmbedder backends', () => {
  // Every third dev-set question (123 of 370, short and long alike) keeps npm test near its time budget;
  // the whole set was checked once when the CPU fallback was added (README "Benchmarks").
  it('gives the same vector on WebAssembly and on the CPU backend for the dev-set questions', { timeout: 2_400_000 }, async () => {
    const questions = readDevSet('eval/dev.jsonl').map((q) => q.query).filter((_, i) => i % 3 === 0);
    expect(questions.length).toBeGreaterThan(100);
    const wasm = await embedAll('wasm', questions);
    expect(wasm.runtime).toMatch(/^wasm \(tfjs \d+\.\d+\.\d+/);
    const cpu = await embedAll('cpu', questions);
    expect(cpu.runtime).toMatch(/^cpu \(tfjs \d+\.\d+\.\d+, JavaScript\)/);
    const cosines = wasm.vectors.map((v, i) => dot(v, cpu.vectors[i]!));
    expect(cosines).toHaveLength(questions.length);
    const worst = Math.min(...cosines);
    expect(worst).toBeGreaterThanOrEqual(0.999);
  });
});
