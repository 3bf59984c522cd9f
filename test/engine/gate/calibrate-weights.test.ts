import { describe, expect, it } from 'vitest';
import { calibrate, rates, type CalibrationExample, type Scored } from '../../../src/engine/gate/calibrate.js';
import { predict } from '../../../src/engine/gate/logistic.js';
import type { Candidate, CandidateFeatures } from '../../../src/engine/retrieval/retrieve.js';

/**
 * Labelled examples from the desk outweigh pseudo-questions: on a knowledge base where the
 * pseudo-questions say "word coverage decides" and the desk's real questions say "meaning
 * (dense similarity) decides", the weight given to the desk's examples flips a known case.
 */

function candidate(family: string, f: Partial<CandidateFeatures>): Candidate {
  const base: CandidateFeatures = { dense: 0.5, denseQuestion: 0.5, lexical: 1, lexicalRel: 0.5, coverage: 0.5, questionMatch: 0.3, charMatch: 0.3, passage: 0.5 };
  return { family, members: [family], matchedWords: 1, score: 0, features: { ...base, ...f } };
}

function make(n: number, seed: number, kind: 'pseudo' | 'desk', weight?: number): CalibrationExample[] {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  return Array.from({ length: n }, (_, i) => {
    const jitter = () => 0.1 * rand();
    // Pseudo-questions: the right article shares the words (coverage), meaning is a coin toss.
    // The desk's questions: the right article means the same (dense), another shares more words.
    const right = kind === 'pseudo' ? { coverage: 0.8 + jitter(), dense: 0.5 + jitter() } : { coverage: 0.3 + jitter(), dense: 0.75 + jitter() };
    const other = kind === 'pseudo' ? { coverage: 0.3 + jitter(), dense: 0.5 + jitter() } : { coverage: 0.65 + jitter(), dense: 0.45 + jitter() };
    return {
      id: `${kind}${i}`,
      lang: 'en',
      expectedFamilies: new Set(['right']),
      retrieval: { candidates: [candidate('other', other), candidate('right', right)], stats: { lang: 'en', words: 4, unknownWords: 0 } },
      ...(weight !== undefined ? { weight } : {}),
    };
  });
}

// The known case: the meaning matches one article, the words another.
const known = { meaning: candidate('meaning', { dense: 0.78, coverage: 0.32 }), words: candidate('words', { dense: 0.46, coverage: 0.68 }) };

function preference(weight: number | undefined): number {
  const examples = [...make(240, 7, 'pseudo'), ...(weight === undefined ? [] : make(60, 11, 'desk', weight))];
  const { model } = calibrate(examples, { mode: 'lexical-only', embedder: null, repeats: 1 });
  return predict(model.ranker, { ...known.meaning.features }) - predict(model.ranker, { ...known.words.features });
}

describe('calibration weighted towards the desk', () => {
  it('ranks the known case by words without labels, and by meaning once the labels outweigh the pseudo-questions', () => {
    const none = preference(undefined);
    const equal = preference(1);
    const weighted = preference(5);
    expect(none).toBeLessThan(0);
    expect(weighted).toBeGreaterThan(0);
    // The heavier the desk's judgements, the more the ranker follows them.
    expect(equal).toBeGreaterThan(none);
    expect(weighted).toBeGreaterThan(equal);
  });

  it('weights the rates thresholds are chosen on', () => {
    const s = (correct: boolean, weight?: number): Scored => ({ confidence: 0.9, inShortlist: 0, options: 0, correct, hit: correct, outOfScope: false, ...(weight !== undefined ? { weight } : {}) });
    const t = { answer: 0.5, clarify: 0.5 };
    expect(rates([s(true), s(false)], t).precision).toBeCloseTo(0.5);
    expect(rates([s(true, 3), s(false)], t).precision).toBeCloseTo(0.75);
  });
});
