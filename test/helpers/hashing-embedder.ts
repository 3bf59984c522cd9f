import { createHash } from 'node:crypto';
import { EmbedderUnavailableError, type Embedder } from '../../src/engine/ports/embedder.js';

/**
 * A deterministic stand-in for a sentence encoder in engine tests: hashed bag of words,
 * L2-normalised, so texts sharing words are close. It records every text it embeds, which is
 * what the tests check (what gets re-embedded), and can be told to fail at init.
 */
export class HashingEmbedder implements Embedder {
  readonly provider = 'test-hashing';
  readonly model: string;
  readonly dimension = 64;
  readonly embedded: string[] = [];
  initCalls = 0;
  /** While set, passage embedding waits for it: lets a test look inside a reload in progress. */
  hold?: Promise<void>;

  /** `failInit`: every init fails; a number: that many first inits fail. */
  constructor(private readonly options: { failInit?: boolean | number; model?: string } = {}) {
    this.model = options.model ?? 'bag-of-words-64';
  }

  async init(): Promise<void> {
    this.initCalls++;
    if (this.options.failInit === true || (typeof this.options.failInit === 'number' && this.initCalls <= this.options.failInit)) throw new EmbedderUnavailableError('model files missing from /nowhere');
  }

  private vector(text: string): Float32Array {
    const v = new Float32Array(this.dimension);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const h = createHash('md5').update(word).digest();
      v[h[0]! % this.dimension]! += 1;
    }
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  }

  async embedQueries(texts: string[]): Promise<Float32Array[]> {
    this.embedded.push(...texts);
    return texts.map((t) => this.vector(t));
  }

  async embedPassages(texts: string[]): Promise<Float32Array[]> {
    await this.hold;
    this.embedded.push(...texts);
    return texts.map((t) => this.vector(t));
  }
}
