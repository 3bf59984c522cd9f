import { createHash } from 'node:crypto';
import type { Embedder } from '../engine/ports/embedder.js';
import { createRandom } from './random.js';

/** FNV-1a, 32 bits: a cheap stable hash of a word (millions of calls at 50,000 articles). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The benchmark's stand-in for embedding a very large generated base (50,000 articles, about
 * 113,000 texts: hours of real USE on 2 cores). While `standIn` is on, passages and article
 * questions get a stand-in vector: a normalised sum of real USE vectors (a pool, e.g. the shipped
 * articles' vectors) picked by the text's words, plus jitter, so texts sharing words lie near each
 * other and every vector sits where real USE vectors do. Once the index is built the bench turns it
 * off, and the user's question is embedded by the real model: the floor and the decision latency
 * are real, the index has the real size and shape, only which article ranks first means nothing.
 * Latency, RSS and index load time are representative; quality is not (and is never reported from it).
 */
export class StandInEmbedder implements Embedder {
  readonly provider: string;
  readonly model: string;
  /** On: passages and questions get stand-in vectors; off: everything goes to the real model. */
  standIn = true;
  /** Texts given a stand-in vector so far. */
  standIns = 0;
  /** Time spent gathering the real pool (not part of a build or of an index load: the bench subtracts it). */
  poolMs = 0;
  private pool: Float32Array[] = [];

  constructor(
    private readonly real: Embedder,
    /** Real vectors to build stand-ins from; called once, after the real model is loaded. */
    private readonly loadPool: (real: Embedder) => Promise<Float32Array[]>,
  ) {
    // Same provider and model as the real one: the calibrated gate models are chosen by provider.
    this.provider = real.provider;
    this.model = real.model;
  }

  get dimension(): number {
    return this.real.dimension;
  }

  get runtime(): string | undefined {
    return this.real.runtime;
  }

  get concurrency(): number | undefined {
    return this.real.concurrency;
  }

  get workersAlive(): number {
    return (this.real as { workersAlive?: number }).workersAlive ?? 0;
  }

  async init(): Promise<void> {
    await this.real.init();
    const started = performance.now();
    if (this.pool.length === 0) this.pool = await this.loadPool(this.real);
    this.poolMs += performance.now() - started;
    if (this.pool.length === 0) throw new Error('stand-in embedder: no real vectors to build stand-ins from');
  }

  private vector(text: string): Float32Array {
    const d = this.real.dimension;
    const seed = createHash('sha256').update(text).digest().readUInt32LE(0);
    const r = createRandom(seed);
    const v = new Float32Array(d);
    const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])].slice(0, 32);
    for (const w of words.length > 0 ? words : [text]) {
      const p = this.pool[fnv1a(w) % this.pool.length]!;
      for (let j = 0; j < d; j++) v[j]! += p[j]!;
    }
    let n = 0;
    for (let j = 0; j < d; j++) n += v[j]! * v[j]!;
    // Jitter of about a third of the vector's length, so no two texts coincide.
    const noise = (0.35 * Math.sqrt(n)) / Math.sqrt(d);
    for (let j = 0; j < d; j++) v[j]! += noise * r.gaussian();
    n = 0;
    for (let j = 0; j < d; j++) n += v[j]! * v[j]!;
    n = Math.sqrt(n) || 1;
    for (let j = 0; j < d; j++) v[j]! /= n;
    return v;
  }

  private standInMany(texts: string[]): Float32Array[] {
    this.standIns += texts.length;
    return texts.map((t) => this.vector(t));
  }

  embedQueries(texts: string[]): Promise<Float32Array[]> {
    return this.standIn ? Promise.resolve(this.standInMany(texts)) : this.real.embedQueries(texts);
  }

  embedPassages(texts: string[]): Promise<Float32Array[]> {
    return this.standIn ? Promise.resolve(this.standInMany(texts)) : this.real.embedPassages(texts);
  }

  async close(): Promise<void> {
    await this.real.close?.();
  }
}
