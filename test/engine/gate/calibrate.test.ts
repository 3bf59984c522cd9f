import { describe, expect, it } from 'vitest';
import { calibrate, chooseThresholds, type CalibrationExample } from '../../../src/engine/gate/calibrate.js';
import { gateModelSchema } from '../../../src/engine/gate/model.js';
import type { Candidate } from '../../../src/engine/retrieval/retrieve.js';

function candidate(family: string, strength: number): Candidate {
  return {
    family,
    members: [family],
    matchedWords: 1,
    score: 0,
    features: {
      dense: 0.3 + 0.5 * strength,
      denseQuestion: 0.3 + 0.5 * strength,
      lexical: 3 * strength,
      lexicalRel: strength,
      coverage: strength,
      questionMatch: strength,
      charMatch: 0.2 + 0.6 * strength,
    },
  };
}

/** Synthetic labelled retrievals: answerable ones have a strong right candidate, out-of-scope ones only weak ones. */
function examples(n: number): CalibrationExample[] {
  let s = 3;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  return Array.from({ length: n }, (_, i) => {
    const oos = i % 3 === 0;
    const right = oos ? 0.2 + 0.3 * rand() : 0.5 + 0.5 * rand();
    const other = 0.1 + 0.4 * rand();
    return {
      id: `q${i}`,
      lang: i % 2 ? 'fr' : 'en',
      expectedFamilies: new Set(oos ? [] : ['right']),
      retrieval: { candidates: [candidate('other', other), candidate('right', right)], stats: { lang: i % 2 ? 'fr' : 'en', words: 3, unknownWords: oos ? 0.5 : 0.1 } },
    };
  });
}

describe('calibration', () => {
  it('fits a valid model whose out-of-fold thresholds meet the targets', () => {
    const { model, outOfFold, outOfFoldByLang } = calibrate(examples(300), {
      mode: 'hybrid',
      embedder: { provider: 'test', model: 'm' },
      provenance: { devSet: 'synthetic' },
    });
    expect(() => gateModelSchema.parse(model)).not.toThrow();
    expect(outOfFold.precision).toBeGreaterThanOrEqual(0.95);
    expect(outOfFold.oosAnswered).toBeLessThanOrEqual(0.04);
    expect(outOfFold.coverage).toBeGreaterThan(0.5);
    expect(model.thresholds.clarify).toBeLessThanOrEqual(model.thresholds.answer);
    expect(Object.keys(outOfFoldByLang).sort()).toEqual(['en', 'fr']);
    expect(model.provenance).toMatchObject({ devSet: 'synthetic', outOfFold: { answer: model.thresholds.answer } });
    // The ranker learned that stronger evidence means the right article.
    expect(model.ranker.weights[model.ranker.features.indexOf('coverage')]).toBeGreaterThan(0);
  });

  it('picks the most permissive thresholds that keep precision and out-of-scope rates', () => {
    const scored = [
      ...[0.95, 0.9, 0.85, 0.8, 0.7].map((confidence) => ({ confidence, correct: true, outOfScope: false })),
      { confidence: 0.75, correct: false, outOfScope: false },
      ...[0.6, 0.3, 0.2, 0.1].map((confidence) => ({ confidence, correct: false, outOfScope: true })),
    ];
    const t = chooseThresholds(scored, { answerPrecision: 0.95, maxOosAnswered: 0, maxOosNotEscalated: 0 });
    expect(t.answer).toBe(0.76);
    expect(t.coverage).toBeCloseTo(4 / 6, 6);
    expect(t.clarify).toBe(0.61);
  });
});
