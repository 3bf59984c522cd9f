import { describe, expect, it } from 'vitest';
import { gate } from '../../../src/engine/gate/decide.js';
import { GATE_FEATURES } from '../../../src/engine/gate/features.js';
import type { GateModel } from '../../../src/engine/gate/model.js';
import { uncalibratedModel } from '../../../src/engine/gate/model.js';
import type { Candidate, Retrieval } from '../../../src/engine/retrieval/retrieve.js';

/** A gate whose confidence is exactly the top candidate's score, to test the decision rules. */
const model: GateModel = {
  ...uncalibratedModel('hybrid'),
  gate: {
    features: [...GATE_FEATURES],
    weights: GATE_FEATURES.map((f) => (f === 'top' ? 1 : 0)),
    bias: 0,
    mean: GATE_FEATURES.map(() => 0),
    std: GATE_FEATURES.map(() => 1),
  },
  clarify: { minScore: 0.2, maxOptions: 3 },
};
// logit → probability: confidence = sigmoid(top). Pick tops giving the confidences we want.
const topFor = (p: number) => Math.log(p / (1 - p));

function candidate(family: string, score: number): Candidate {
  return {
    family,
    members: [family],
    matchedWords: 2,
    score,
    features: { dense: 0.7, denseQuestion: 0.7, lexical: 2, lexicalRel: 1, coverage: 1, questionMatch: 0.8, charMatch: 0.5 },
  };
}

function decide(candidates: Candidate[], words = 3) {
  const retrieval: Retrieval = { candidates, stats: { lang: 'en', words, unknownWords: 0 } };
  return gate({
    retrieval,
    model,
    thresholds: { answer: 0.8, clarify: 0.5 },
    mode: 'hybrid',
    queryLang: 'en',
    represent: (c) => ({ articleId: c.family, lang: 'en', title: `Title of ${c.family}`, score: c.score }),
  });
}

describe('gate decisions', () => {
  it('answers above the answer threshold, with an explanation', () => {
    const d = decide([candidate('a', topFor(0.9)), candidate('b', 0.1)]);
    expect(d.kind).toBe('answer');
    expect(d.confidence).toBeCloseTo(0.9, 6);
    expect(d.chosen?.articleId).toBe('a');
    expect(d.explanationKey).toBe('gate.explain.answer');
    expect(d.explanation).toBe(
      'answered: "Title of a" with confidence 0.90 (answer threshold 0.80); 2 of 3 words found, closest example question 0.80, semantic similarity 0.70',
    );
    expect(d.explanationParams).toMatchObject({ title: 'Title of a', confidence: '0.90' });
  });

  it('offers 2-3 close candidates between the thresholds', () => {
    const d = decide([candidate('a', topFor(0.6)), candidate('b', 0.5), candidate('c', 0.3), candidate('d', 0.25), candidate('e', 0.1)]);
    expect(d.kind).toBe('clarify');
    expect(d.options?.map((o) => o.articleId)).toEqual(['a', 'b', 'c']);
    expect(d.explanation).toMatch(/^asked to choose between 3 close articles/);
  });

  it('escalates between the thresholds when there is nothing else to offer', () => {
    const d = decide([candidate('a', topFor(0.6)), candidate('b', 0.05)]);
    expect(d.kind).toBe('escalate');
    expect(d.explanationKey).toBe('gate.explain.escalate_single');
  });

  it('escalates below the clarify threshold, saying by how much', () => {
    const d = decide([candidate('a', topFor(0.31))]);
    expect(d.kind).toBe('escalate');
    expect(d.explanation).toBe('escalated: best match "Title of a" has confidence 0.31, below 0.50');
  });

  it('escalates with confidence 0 when nothing matches or nothing was asked', () => {
    expect(decide([])).toMatchObject({ kind: 'escalate', confidence: 0, explanationKey: 'gate.explain.escalate_none' });
    expect(decide([candidate('a', 5)], 0)).toMatchObject({ kind: 'escalate', confidence: 0, explanationKey: 'gate.explain.escalate_empty' });
  });

  it('keeps confidence in [0,1] and lists at most 10 candidates with the features used', () => {
    const d = decide(Array.from({ length: 15 }, (_, i) => candidate(`c${i}`, 40 - i)));
    expect(d.confidence).toBeGreaterThanOrEqual(0);
    expect(d.confidence).toBeLessThanOrEqual(1);
    expect(d.candidates).toHaveLength(10);
    expect(Object.keys(d.features).sort()).toEqual([...GATE_FEATURES].sort());
  });
});
