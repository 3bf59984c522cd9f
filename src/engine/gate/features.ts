import type { Retrieval } from '../retrieval/retrieve.js';

/**
 * What the gate looks at to decide whether the best candidate answers the question. All are
 * scale-free or bounded so a model calibrated on one knowledge base transfers reasonably to
 * another; the README documents each one.
 */
export const GATE_FEATURES = [
  'top',
  'margin',
  'dense',
  'denseQuestion',
  'denseMargin',
  'lexical',
  'coverage',
  'questionMatch',
  'charMatch',
  'unknownWords',
  'length',
] as const;

export type GateFeatures = Record<(typeof GATE_FEATURES)[number], number>;

export function gateFeatures(retrieval: Retrieval): GateFeatures {
  const [first, second] = retrieval.candidates;
  const otherDense = Math.max(0, ...retrieval.candidates.slice(1).map((c) => c.features.dense));
  return {
    top: first?.score ?? 0,
    margin: (first?.score ?? 0) - (second?.score ?? 0),
    dense: first?.features.dense ?? 0,
    denseQuestion: first?.features.denseQuestion ?? 0,
    denseMargin: (first?.features.dense ?? 0) - otherDense,
    lexical: first?.features.lexical ?? 0,
    coverage: first?.features.coverage ?? 0,
    questionMatch: first?.features.questionMatch ?? 0,
    charMatch: first?.features.charMatch ?? 0,
    unknownWords: retrieval.stats.unknownWords,
    length: Math.log1p(retrieval.stats.words),
  };
}
