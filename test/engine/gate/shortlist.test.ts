import { describe, expect, it } from 'vitest';
import { SHORTLIST_FEATURES, shortlist, shortlistFeatures } from '../../../src/engine/gate/shortlist.js';
import type { Candidate, Retrieval } from '../../../src/engine/retrieval/retrieve.js';

function candidate(family: string, score: number, f: Partial<Candidate['features']> = {}): Candidate {
  return {
    family,
    members: [family],
    matchedWords: 1,
    score,
    features: { dense: 0.5, denseQuestion: 0.5, lexical: 1, lexicalRel: 0.5, coverage: 0.5, questionMatch: 0.3, charMatch: 0.2, passage: 0.5, ...f },
  };
}

const rule = { minScore: 0.2, closeness: 0.5, maxOptions: 3 };

describe('clarify shortlist', () => {
  it('keeps the best and the next candidates close to it, in rank order, up to maxOptions', () => {
    const ranked = [candidate('a', 0.9), candidate('b', 0.5), candidate('c', 0.45), candidate('d', 0.44)];
    expect(shortlist(ranked, rule).map((c) => c.family)).toEqual(['a', 'b', 'c']);
    expect(shortlist(ranked, { ...rule, maxOptions: 2 }).map((c) => c.family)).toEqual(['a', 'b']);
    expect(shortlist(ranked, { ...rule, closeness: 0.6 }).map((c) => c.family)).toEqual(['a']);
    expect(shortlist([candidate('a', 0.3), candidate('b', 0.19)], { ...rule, closeness: 0 }).map((c) => c.family)).toEqual(['a']);
    expect(shortlist([], rule)).toEqual([]);
  });

  it('describes the shortlist: option scores (0 when absent), count, best evidence among them, unknown words, language', () => {
    const options = [candidate('a', 0.8, { coverage: 0.6, dense: 0.4 }), candidate('b', 0.6, { coverage: 1, questionMatch: 0.9, dense: 0.7 })];
    const retrieval: Retrieval = { candidates: options, stats: { lang: 'fr', words: 2, unknownWords: 0.25 } };
    const f = shortlistFeatures(retrieval, options);
    expect(Object.keys(f).sort()).toEqual([...SHORTLIST_FEATURES].sort());
    expect(f).toEqual({ first: 0.8, second: 0.6, third: 0, options: 2, coverage: 1, questionMatch: 0.9, dense: 0.7, charMatch: 0.2, unknownWords: 0.25, french: 1 });
    expect(shortlistFeatures({ ...retrieval, stats: { ...retrieval.stats, lang: 'en' } }, options).french).toBe(0);
  });
});
