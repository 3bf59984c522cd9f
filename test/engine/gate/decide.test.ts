import { describe, expect, it } from 'vitest';
import { gate } from '../../../src/engine/gate/decide.js';
import { GATE_FEATURES } from '../../../src/engine/gate/features.js';
import type { LogisticModel } from '../../../src/engine/gate/logistic.js';
import type { GateModel } from '../../../src/engine/gate/model.js';
import { uncalibratedModel } from '../../../src/engine/gate/model.js';
import { SHORTLIST_FEATURES } from '../../../src/engine/gate/shortlist.js';
import type { Candidate, Retrieval } from '../../../src/engine/retrieval/retrieve.js';

/**
 * Models whose outputs are set by the test: the confidence is sigmoid(lexical) of the best
 * candidate, the shortlist probability sigmoid(unknownWords) of the retrieval, so each
 * probability can be put exactly on either side of its threshold while ranking scores stay free.
 */
const identity = (features: readonly string[], on: string): LogisticModel => ({
  features: [...features],
  weights: features.map((f) => (f === on ? 1 : 0)),
  bias: 0,
  mean: features.map(() => 0),
  std: features.map(() => 1),
});
const model: GateModel = {
  ...uncalibratedModel('hybrid'),
  gate: identity(GATE_FEATURES, 'lexical'),
  shortlist: identity(SHORTLIST_FEATURES, 'unknownWords'),
  clarify: { minScore: 0.2, closeness: 0.5, maxOptions: 3 },
};
const logit = (p: number) => Math.log(p / (1 - p));
const thresholds = { answer: 0.8, clarify: 0.5 };

function candidate(family: string, score: number, lexical = 2): Candidate {
  return {
    family,
    members: [family],
    matchedWords: 2,
    score,
    features: { dense: 0.7, denseQuestion: 0.7, lexical, lexicalRel: 1, coverage: 1, questionMatch: 0.8, charMatch: 0.5, passage: 1 },
  };
}

/**
 * The best candidate `a` has ranking score 0.8 and confidence `p1`; `others` are [family, score]
 * in ranked order; `pk` is the shortlist probability. With closeness 0.5, "close" means ≥ 0.4.
 */
function decide(p1: number, others: [string, number][], pk = 0.9, options: { words?: number; m?: GateModel } = {}) {
  const candidates = [candidate('a', 0.8, logit(p1)), ...others.map(([f, s]) => candidate(f, s))];
  const retrieval: Retrieval = { candidates, stats: { lang: 'en', words: options.words ?? 3, unknownWords: logit(pk) } };
  return gate({
    retrieval,
    model: options.m ?? model,
    thresholds,
    mode: 'hybrid',
    queryLang: 'en',
    represent: (c) => ({ articleId: c.family, lang: 'en', title: `Title of ${c.family}`, score: c.score }),
  });
}

describe('gate decisions', () => {
  it('answers at the answer threshold and above, whatever the shortlist says', () => {
    const d = decide(0.8, [['b', 0.8]], 0.99);
    expect(d.kind).toBe('answer');
    expect(d.confidence).toBeCloseTo(0.8, 6);
    expect(d.chosen?.articleId).toBe('a');
    expect(d.explanationKey).toBe('gate.explain.answer');
    expect(decide(0.9, [['b', 0.1]]).explanation).toBe(
      'answered: "Title of a" with confidence 0.90 (answer threshold 0.80); 2 of 3 words found, closest example question 0.80, semantic similarity 0.70',
    );
    expect(decide(0.7999, [['b', 0.8]], 0.99).kind).toBe('clarify');
  });

  it('clarifies below the answer threshold when the shortlist probability reaches the clarify threshold', () => {
    const d = decide(0.7, [['b', 0.6], ['c', 0.5], ['d', 0.45]], 0.5);
    expect(d.kind).toBe('clarify');
    // Confidence stays P(best answers); the shortlist probability is reported beside it.
    expect(d.confidence).toBeCloseTo(0.7, 6);
    expect(d.shortlistConfidence).toBeCloseTo(0.5, 6);
    expect(decide(0.7, [['b', 0.6]], 0.4999)).toMatchObject({ kind: 'escalate', explanationKey: 'gate.explain.escalate' });
  });

  it('offers 2-3 options, best first, only those close to the best', () => {
    const three = decide(0.7, [['b', 0.8], ['c', 0.4], ['d', 0.39], ['e', 0.1]]);
    expect(three.options?.map((o) => o.articleId)).toEqual(['a', 'b', 'c']);
    const two = decide(0.7, [['b', 0.6], ['c', 0.39], ['d', 0.3]]);
    expect(two.options?.map((o) => o.articleId)).toEqual(['a', 'b']);
    // Without a closeness rule the absolute floor (minScore 0.2) still applies.
    const loose = { ...model, clarify: { ...model.clarify, closeness: 0 } };
    expect(decide(0.3, [['b', 0.2], ['c', 0.19]], 0.9, { m: loose }).options?.map((o) => o.articleId)).toEqual(['a', 'b']);
    const capped = decide(0.7, [['b', 0.8], ['c', 0.7]], 0.9, { m: { ...model, clarify: { ...model.clarify, maxOptions: 2 } } });
    expect(capped.options?.map((o) => o.articleId)).toEqual(['a', 'b']);
  });

  it('explains a clarify with the options and both probabilities, in English and as a locale key', () => {
    const d = decide(0.7, [['b', 0.52], ['c', 0.47]], 0.86);
    expect(d.explanation).toBe(
      'clarify: 3 close matches (a 0.80, b 0.52, c 0.47); the right one is among them with confidence 0.86 (clarify threshold 0.50), the best alone has 0.70 (answer threshold 0.80)',
    );
    expect(d.explanationKey).toBe('gate.explain.clarify');
    expect(d.explanationParams).toMatchObject({ count: 3, shortlist: '0.86', options: 'a 0.80, b 0.52, c 0.47' });
  });

  it('escalates when only one candidate is close, however likely the shortlist', () => {
    const d = decide(0.7, [['b', 0.39], ['c', 0.3]], 0.99);
    expect(d).toMatchObject({ kind: 'escalate', explanationKey: 'gate.explain.escalate_single' });
    expect(d.options).toBeUndefined();
  });

  it('escalates below the clarify threshold, saying what was close and by how much', () => {
    const d = decide(0.2, [['b', 0.5], ['c', 0.1]], 0.3);
    expect(d).toMatchObject({ kind: 'escalate', explanationKey: 'gate.explain.escalate' });
    expect(d.explanation).toBe(
      'escalated: best match "Title of a" has confidence 0.20 (answer threshold 0.80) and the close matches (a 0.80, b 0.50) contain the right article with confidence 0.30, below 0.50',
    );
  });

  it('without a shortlist model (older files) the confidence stands in for the shortlist probability', () => {
    const old = { ...model, shortlist: undefined };
    expect(decide(0.6, [['b', 0.5]], 0.99, { m: old })).toMatchObject({ kind: 'clarify', shortlistConfidence: expect.closeTo(0.6, 6) });
    expect(decide(0.4, [['b', 0.5]], 0.99, { m: old }).kind).toBe('escalate');
  });

  it('escalates with confidence 0 when nothing matches or nothing was asked', () => {
    const empty = gate({
      retrieval: { candidates: [], stats: { lang: 'en', words: 2, unknownWords: 0 } },
      model,
      thresholds,
      mode: 'hybrid',
      queryLang: 'en',
      represent: () => ({ articleId: 'x', lang: 'en', title: 'x', score: 0 }),
    });
    expect(empty).toMatchObject({ kind: 'escalate', confidence: 0, explanationKey: 'gate.explain.escalate_none' });
    expect(decide(0.9, [['b', 0.5]], 0.9, { words: 0 })).toMatchObject({ kind: 'escalate', confidence: 0, explanationKey: 'gate.explain.escalate_empty' });
  });

  it('keeps both probabilities in [0,1] and lists at most 10 candidates with the features used', () => {
    const d = decide(0.7, Array.from({ length: 14 }, (_, i) => [`c${i}`, 0.8 - i / 100] as [string, number]));
    expect(d.confidence).toBeGreaterThanOrEqual(0);
    expect(d.confidence).toBeLessThanOrEqual(1);
    expect(d.shortlistConfidence).toBeGreaterThanOrEqual(0);
    expect(d.shortlistConfidence).toBeLessThanOrEqual(1);
    expect(d.candidates).toHaveLength(10);
    expect(Object.keys(d.features).sort()).toEqual([...GATE_FEATURES].sort());
  });
});
