import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../../src/engine/ports/embedder.js';
import { embedEntries } from '../../../src/engine/retrieval/embed-entries.js';
import { hashText, type EmbedText } from '../../../src/engine/retrieval/entries.js';

/** Records the batches it is given; vectors say which text they came from. */
function recordingEmbedder(batches: string[][]): Embedder {
  const embed = async (texts: string[]) => {
    batches.push(texts);
    return texts.map((t) => Float32Array.of(t.length, 1));
  };
  return { provider: 'rec', model: 'rec', dimension: 2, init: async () => undefined, embedQueries: embed, embedPassages: embed };
}

const entry = (i: number, text: string): EmbedText => ({ key: `a#${i}`, articleId: 'a', kind: 'chunk', role: 'passage', text, hash: hashText('passage', text) });

describe('embedEntries batching', () => {
  it('puts short texts 32 to a batch and long ones in batches within the token budget, each text once', async () => {
    const short = Array.from({ length: 40 }, (_, i) => entry(i, `short text ${i}`));
    const long = Array.from({ length: 20 }, (_, i) => entry(100 + i, `${'word '.repeat(200)}${i}`)); // ≈ 250 tokens
    const batches: string[][] = [];
    const vectors = await embedEntries(recordingEmbedder(batches), [...long, ...short], { concurrency: 1 });
    expect(vectors.size).toBe(60);
    expect(batches.flat()).toHaveLength(60);
    expect(Math.max(...batches.map((b) => b.length))).toBe(32);
    for (const b of batches) {
      const longest = Math.max(...b.map((t) => Math.ceil(t.length / 4)));
      if (b.length > 1) expect(b.length * longest).toBeLessThanOrEqual(2048);
    }
    expect(batches.filter((b) => b[0]!.startsWith('word')).every((b) => b.length <= 8)).toBe(true);
    expect(vectors.get(long[0]!.hash)![0]).toBe(long[0]!.text.length);
  });
});
