import { normalize } from './text.js';

/**
 * Character-trigram similarity between a message and short texts (titles, `questions`):
 * language-agnostic and robust to what word matching misses (typos, inflections, missing
 * accents, glued or split words). TF-IDF weighted cosine over the texts it was built from.
 */

type Vector = Map<string, number>;

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

export class CharNgramIndex {
  private readonly idf = new Map<string, number>();
  private readonly vectors = new Map<string, { vector: Vector; norm: number }[]>();
  private readonly maxIdf: number;

  /** `texts`: for each owner (article id), the short texts describing it. */
  constructor(texts: ReadonlyMap<string, readonly string[]>) {
    const df = new Map<string, number>();
    let n = 0;
    const raw = new Map<string, Map<string, number>[]>();
    for (const [owner, list] of texts) {
      const counted = list.map(grams);
      raw.set(owner, counted);
      for (const c of counted) {
        n++;
        for (const g of c.keys()) df.set(g, (df.get(g) ?? 0) + 1);
      }
    }
    for (const [g, d] of df) this.idf.set(g, Math.log(1 + n / d));
    this.maxIdf = Math.log(1 + Math.max(1, n));
    for (const [owner, counted] of raw) this.vectors.set(owner, counted.map((c) => this.weigh(c)));
  }

  private weigh(counts: Map<string, number>): { vector: Vector; norm: number } {
    const vector: Vector = new Map();
    let sq = 0;
    for (const [g, c] of counts) {
      const w = (1 + Math.log(c)) * (this.idf.get(g) ?? this.maxIdf);
      vector.set(g, w);
      sq += w * w;
    }
    return { vector, norm: Math.sqrt(sq) || 1 };
  }

  /** Prepared query, reused across owners. */
  prepare(text: string): { vector: Vector; norm: number } {
    return this.weigh(grams(text));
  }

  /** Best cosine between the query and one of the owner's texts. */
  best(query: { vector: Vector; norm: number }, owner: string): number {
    let best = 0;
    for (const t of this.vectors.get(owner) ?? []) {
      let dotp = 0;
      const [small, large] = query.vector.size <= t.vector.size ? [query.vector, t.vector] : [t.vector, query.vector];
      for (const [g, w] of small) {
        const o = large.get(g);
        if (o !== undefined) dotp += w * o;
      }
      best = Math.max(best, dotp / (query.norm * t.norm));
    }
    return best;
  }
}
