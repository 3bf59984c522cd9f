import { normalize } from './text.js';

/**
 * Character-trigram similarity between a message and short texts (titles, `questions`):
 * language-agnostic and robust to what word matching misses (typos, inflections, missing
 * accents, glued or split words). TF-IDF weighted cosine over the texts it was built from.
 *
 * Stored flat (one id per distinct trigram, each text's grams and weights in shared typed
 * arrays) rather than one Map per text: at 10,000 articles the Maps took about 127 MB of heap,
 * the typed arrays a tenth of it. Sums run in the same order as over Maps (the smaller side's
 * insertion order), so similarities are the same to the last bit.
 */

function grams(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of normalize(text).split(/[^\p{L}\p{N}]+/u)) {
    if (word.length === 0) continue;
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) {
      const g = padded.slice(i, i + 3);
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
  }
  return counts;
}

/** A prepared query: its grams in first-seen order (-1 for grams no text has), weights, and a lookup by id. */
export interface CharQuery {
  ids: Int32Array;
  weights: Float64Array;
  byId: Map<number, number>;
  norm: number;
}

export class CharNgramIndex {
  private readonly gramIds = new Map<string, number>();
  private readonly idf: Float64Array;
  private readonly maxIdf: number;
  /** Texts of each owner: [first, end) into `starts`. */
  private readonly owners = new Map<string, [number, number]>();
  /** Text t's grams are ids/weights[starts[t] .. starts[t + 1]). */
  private readonly starts: Int32Array;
  private readonly ids: Int32Array;
  private readonly weights: Float64Array;
  private readonly norms: Float64Array;
  /** Scratch table (weights of one text by gram id), zero outside best(). */
  private readonly scratch: Float64Array;

  /** `texts`: for each owner (article id), the short texts describing it. */
  constructor(texts: ReadonlyMap<string, readonly string[]>) {
    const df: number[] = [];
    const counted: Map<string, number>[] = [];
    for (const [owner, list] of texts) {
      this.owners.set(owner, [counted.length, counted.length + list.length]);
      for (const text of list) {
        const c = grams(text);
        counted.push(c);
        for (const g of c.keys()) {
          let id = this.gramIds.get(g);
          if (id === undefined) this.gramIds.set(g, (id = df.length));
          df[id] = (df[id] ?? 0) + 1;
        }
      }
    }
    const n = counted.length;
    this.idf = Float64Array.from(df, (d) => Math.log(1 + n / d));
    this.maxIdf = Math.log(1 + Math.max(1, n));
    const total = counted.reduce((s, c) => s + c.size, 0);
    this.starts = new Int32Array(n + 1);
    this.ids = new Int32Array(total);
    this.weights = new Float64Array(total);
    this.norms = new Float64Array(n);
    let at = 0;
    counted.forEach((c, t) => {
      this.starts[t] = at;
      let sq = 0;
      for (const [g, count] of c) {
        const id = this.gramIds.get(g)!;
        const w = (1 + Math.log(count)) * this.idf[id]!;
        this.ids[at] = id;
        this.weights[at++] = w;
        sq += w * w;
      }
      this.norms[t] = Math.sqrt(sq) || 1;
    });
    this.starts[n] = at;
    this.scratch = new Float64Array(this.idf.length);
  }

  /** Prepared query, reused across owners. */
  prepare(text: string): CharQuery {
    const counts = grams(text);
    const ids = new Int32Array(counts.size);
    const weights = new Float64Array(counts.size);
    const byId = new Map<number, number>();
    let sq = 0;
    let i = 0;
    for (const [g, c] of counts) {
      const id = this.gramIds.get(g) ?? -1;
      const w = (1 + Math.log(c)) * (id >= 0 ? this.idf[id]! : this.maxIdf);
      ids[i] = id;
      weights[i++] = w;
      if (id >= 0) byId.set(id, w);
      sq += w * w;
    }
    return { ids, weights, byId, norm: Math.sqrt(sq) || 1 };
  }

  /** Best cosine between the query and one of the owner's texts. */
  best(query: CharQuery, owner: string): number {
    const range = this.owners.get(owner);
    if (!range) return 0;
    let best = 0;
    for (let t = range[0]; t < range[1]; t++) {
      const from = this.starts[t]!;
      const to = this.starts[t + 1]!;
      let dotp = 0;
      if (query.ids.length <= to - from) {
        // The query is the smaller side: walk its grams, look the text's up in the scratch table.
        for (let j = from; j < to; j++) this.scratch[this.ids[j]!] = this.weights[j]!;
        for (let i = 0; i < query.ids.length; i++) {
          const id = query.ids[i]!;
          if (id < 0) continue;
          const o = this.scratch[id]!;
          if (o !== 0) dotp += query.weights[i]! * o;
        }
        for (let j = from; j < to; j++) this.scratch[this.ids[j]!] = 0;
      } else {
        for (let j = from; j < to; j++) {
          const o = query.byId.get(this.ids[j]!);
          if (o !== undefined) dotp += this.weights[j]! * o;
        }
      }
      best = Math.max(best, dotp / (query.norm * this.norms[t]!));
    }
    return best;
  }
}
