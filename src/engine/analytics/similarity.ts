import type { Lang } from '../lang.js';
import { analyzeQuery } from '../retrieval/query.js';

/**
 * Question similarity for the console, on the retrieval's own text processing: each content word
 * contributes its stem in both languages and its glossary equivalents, so "imprimante bloquée" and
 * "printer stuck" share terms. Vectors are L2-normalised term weights; cosine is a dot product.
 */
export type TermVector = Map<string, number>;
/** How much a term says about a topic (an IDF): "printer" a lot, "working" little. */
export type TermWeight = (term: string) => number;

function rawTerms(text: string, lang: Lang): Map<string, number> {
  const v = new Map<string, number>();
  for (const token of analyzeQuery(text, lang).tokens) {
    for (const [term, weight] of token.variants) v.set(term, (v.get(term) ?? 0) + weight);
  }
  return v;
}

export function questionVector(text: string, lang: Lang, weight?: TermWeight): TermVector {
  const v = rawTerms(text, lang);
  if (weight) for (const [term, w] of v) v.set(term, w * weight(term));
  return normalise(v);
}

/**
 * Smoothed inverse document frequency over reference texts (e.g. each article's title and
 * questions): generic symptom words that every article mentions ("not working", "error") weigh
 * little, product and object words weigh a lot. Terms never seen weigh the most.
 */
export function idfWeights(docs: ReadonlyArray<{ text: string; lang: Lang }>): TermWeight {
  const df = new Map<string, number>();
  for (const d of docs) for (const term of rawTerms(d.text, d.lang).keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const n = docs.length;
  return (term) => Math.max(0.05, Math.log((n + 1) / ((df.get(term) ?? 0) + 0.5)));
}

export function normalise(v: TermVector): TermVector {
  let sum = 0;
  for (const w of v.values()) sum += w * w;
  if (sum === 0) return v;
  const norm = Math.sqrt(sum);
  return new Map([...v].map(([k, w]) => [k, w / norm]));
}

export function cosine(a: TermVector, b: TermVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [k, w] of small) dot += w * (large.get(k) ?? 0);
  return dot;
}

/** Adds `v` into `into` (unnormalised running sum), for centroids. */
export function addInto(into: TermVector, v: TermVector): void {
  for (const [k, w] of v) into.set(k, (into.get(k) ?? 0) + w);
}
