import { describe, expect, it } from 'vitest';
import { calibrate, chooseThresholds, crossValidate, DEFAULT_TARGETS, rates, type CalibrationExample, type Scored } from '../../../src/engine/gate/calibrate.js';
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
      passage: strength,
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
      repeats: 2,
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

  it('fits a shortlist model and a clarify band on vague questions whose right article is a close second', () => {
    // A third of the answerable questions are vague: two close candidates, the right one second.
    const vague = examples(300).map((ex, i) => {
      if (ex.expectedFamilies.size === 0 || i % 3 !== 1) return ex;
      return { ...ex, retrieval: { ...ex.retrieval, candidates: [candidate('other', 0.75), candidate('right', 0.7)] } };
    });
    const { model, outOfFold } = calibrate(vague, { mode: 'lexical-only', embedder: null, repeats: 3 });
    expect(model.shortlist?.features).toContain('second');
    expect(model.clarify.closeness).toBeGreaterThan(0);
    expect(model.thresholds.clarify).toBeLessThanOrEqual(model.thresholds.answer);
    expect(outOfFold).toMatchObject({ met: true, closeness: model.clarify.closeness, repeats: 3 });
    expect(outOfFold.clarified).toBeGreaterThan(0.1);
    expect(outOfFold.clarifyHit).toBeGreaterThanOrEqual(DEFAULT_TARGETS.minClarifyHit);
    expect(outOfFold.oosNotEscalated).toBeLessThanOrEqual(DEFAULT_TARGETS.maxOosNotEscalated);
  });

  it('cross-validates every rule on the same folds, repeat 0 by position, further repeats pooled', () => {
    const data = examples(60);
    const rules = [0.4, 0.8].map((closeness) => ({ minScore: 0.2, maxOptions: 3, closeness }));
    const [loose, strict] = crossValidate(data, rules, { folds: 5, repeats: 3 });
    expect(loose).toHaveLength(180);
    // Same ranker and gate per fold: the answer confidences do not depend on the rule.
    expect(loose!.map((x) => x.confidence)).toEqual(strict!.map((x) => x.confidence));
    const once = crossValidate(data, rules, { folds: 5 })[0]!;
    expect(loose!.slice(0, 60)).toEqual(once);
    // Other fold assignments give other (held-out) predictions.
    expect(loose!.slice(60, 120).map((x) => x.confidence)).not.toEqual(once.map((x) => x.confidence));
  });

  const s = (confidence: number, inShortlist: number, kind: 'right' | 'wrong' | 'oos', extra: Partial<Scored> = {}): Scored => ({
    confidence,
    inShortlist,
    options: 2,
    correct: kind === 'right',
    hit: kind !== 'oos',
    outOfScope: kind === 'oos',
    ...extra,
  });
  const loose = { ...DEFAULT_TARGETS, maxOosAnswered: 0, maxOosNotEscalated: 0.5, maxOosClarified: 0.5, minClarifyHit: 0, minClarifyThreshold: 0 };

  it('picks the answer threshold with the best coverage at the target precision', () => {
    const scored = [
      ...[0.95, 0.9, 0.85, 0.8, 0.7].map((c) => s(c, 0, 'right')),
      s(0.75, 0, 'wrong'),
      ...[0.6, 0.3, 0.2, 0.1].map((c) => s(c, 0, 'oos')),
    ];
    const t = chooseThresholds(scored, { ...loose, maxOosNotEscalated: 0 });
    expect(t.answer).toBe(0.76);
    expect(t.coverage).toBeCloseTo(4 / 6, 6);
    expect(t.met).toBe(true);
  });

  it('lowers the clarify threshold until the first out-of-scope limit, never below the floor', () => {
    const scored = [
      ...[0.95, 0.9].map((c) => s(c, 1, 'right')),
      s(0.85, 0, 'oos', { lang: 'en' }), // keeps the answer threshold above 0.85
      s(0.5, 0.8, 'right'),
      s(0.4, 0.7, 'wrong'), // wrong first, but the right article is among the options
      s(0.3, 0.6, 'oos', { lang: 'fr' }),
      s(0.2, 0.55, 'right'),
      ...[0.1, 0.1, 0.1].map((c) => s(c, 0.1, 'oos', { lang: 'en' })),
    ];
    // One out-of-scope question in five may be clarified overall, but then French would lose 100 %.
    const t = chooseThresholds(scored, { ...loose, maxOosNotEscalated: 0.2, maxOosClarified: 0.2 });
    expect(t).toMatchObject({ answer: 0.86, clarify: 0.61, met: true, oosClarified: 0, clarified: 2 / 5, clarifyHit: 1 });
    // Without the per-language limit it goes down to where half the out-of-scope ones would be clarified.
    expect(chooseThresholds(scored, { ...loose, maxOosClarified: 1 }).clarify).toBe(0.11);
    expect(chooseThresholds(scored, { ...loose, maxOosClarified: 1, minClarifyThreshold: 0.75 }).clarify).toBe(0.75);
  });

  it('keeps clarify offers mostly right, stops at the first miss, and only counts shortlists of two or more', () => {
    const scored = [
      s(0.95, 1, 'right'),
      s(0.9, 0, 'oos'),
      s(0.5, 0.99, 'right', { options: 1 }), // nothing to choose between: never clarified
      s(0.5, 0.9, 'right'),
      s(0.5, 0.8, 'wrong', { hit: false }),
      s(0.5, 0.7, 'right'),
    ];
    // At 0.80 half the offers miss; lower down two in three hit again, but the band stops at 0.81.
    expect(chooseThresholds(scored, { ...loose, minClarifyHit: 0.6 })).toMatchObject({ answer: 0.91, clarify: 0.81, clarifyHit: 1 });
    expect(chooseThresholds(scored, { ...loose, minClarifyHit: 0.5 }).clarify).toBe(0.01);
    expect(rates(scored, { answer: 0.91, clarify: 0.5 })).toMatchObject({ clarified: 3 / 5, clarifyHit: 2 / 3, oosNotEscalated: 0 });
  });

  it('says when the targets cannot be met and falls back to the strictest thresholds', () => {
    const scored = [s(0.99, 1, 'wrong'), s(0.99, 1, 'oos')];
    expect(chooseThresholds(scored, DEFAULT_TARGETS)).toMatchObject({ met: false, answer: 0.99, clarify: 0.99 });
  });
});
