import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UseEmbedder } from '../../src/embeddings/use.js';
import { EmbedderUnavailableError } from '../../src/engine/ports/embedder.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('UseEmbedder (Universal Sentence Encoder lite, offline weights)', () => {
  const embedder = new UseEmbedder({ workers: 2 });
  beforeAll(() => embedder.init());
  afterAll(() => embedder.close());

  it('names its model with the weights package version', () => {
    expect(embedder.provider).toBe('use');
    expect(embedder.model).toMatch(/^universal-sentence-encoder-lite@\d+\.\d+\.\d+$/);
  });

  it('returns normalised 512-d vectors that reflect meaning', async () => {
    const [forgot, reset, printer] = await embedder.embedQueries([
      'I forgot my password',
      'how do I reset a forgotten password',
      'the printer is jammed',
    ]);
    for (const v of [forgot!, reset!, printer!]) {
      expect(v).toHaveLength(512);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    expect(dot(forgot!, reset!)).toBeGreaterThan(dot(forgot!, printer!) + 0.2);
  });

  it('gives the same vectors from the worker threads as in-process', async () => {
    const texts = Array.from({ length: 12 }, (_, i) => `Restart the VPN client and try again, attempt ${i}`);
    const [pooled, local] = await Promise.all([embedder.embedPassages(texts), embedder.embedQueries(texts.slice(0, 2))]);
    expect(pooled).toHaveLength(12);
    for (let i = 0; i < 2; i++) expect(dot(pooled[i]!, local[i]!)).toBeCloseTo(1, 4);
  });

  it('lets its indexing workers go once idle, and starts new ones for the next batch', async () => {
    const texts = Array.from({ length: 9 }, (_, i) => `Clear the Teams cache and sign in again, step ${i}`);
    const first = await embedder.embedPassages(texts);
    expect(embedder.workersAlive).toBe(2);
    await vi.waitFor(() => expect(embedder.workersAlive).toBe(0), { timeout: 30_000, interval: 200 });
    const again = await embedder.embedPassages(texts);
    expect(dot(first[3]!, again[3]!)).toBeCloseTo(1, 5);
  });

  it('lets I/O through between questions embedded at once: no more than one embedding runs before a waiting callback', async () => {
    // tfjs runs the model as promise callbacks; twelve questions embedded together used to run to
    // the end before Node read any socket (the server stopped reading requests under load).
    const order: string[] = [];
    const questions = Array.from({ length: 12 }, (_, i) => `my laptop does not start after update number ${i}`);
    const done = questions.map((q, i) => embedder.embedQueries([q]).then(() => order.push(`embedding ${i}`)));
    setImmediate(() => order.push('io'));
    await Promise.all(done);
    expect(order).toHaveLength(13);
    expect(order.indexOf('io')).toBeLessThanOrEqual(1);
    // Still each question's own vector, in the order asked.
    expect(order.filter((o) => o !== 'io')).toEqual(questions.map((_, i) => `embedding ${i}`));
  });

  it('refuses to embed before init', async () => {
    await expect(new UseEmbedder({ workers: 1 }).embedQueries(['x'])).rejects.toBeInstanceOf(EmbedderUnavailableError);
  });
});
