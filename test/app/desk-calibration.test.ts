import { describe, expect, it } from 'vitest';
import { kbCopies } from '../helpers/kb-copies.js';
import { deskExamples, deskLearning, learnedQuestions, MAX_LEARNED_PER_ARTICLE } from '../../src/app/desk-calibration.js';
import type { LabelledExample } from '../../src/engine/ports/labelled-examples.js';
import { HybridKnowledgeService } from '../../src/engine/retrieval/service.js';

/**
 * Which judgements become learned questions (Article.learned), and the refit: a labelled
 * question is never asked against an index that learned it, or the ranker would learn from a
 * question finding itself.
 */

const fixture = new URL('../fixtures/kb-basic', import.meta.url).pathname;
const copyKb = kbCopies(fixture, 'kb-desk-');

// Words no article uses: only a learned question can tie them to the printer article.
const PHRASING = 'the quxbaz spits pages sideways';
const ASKED = 'quxbaz spitting sideways again';

let nextId = 1;
function label(over: Partial<LabelledExample>): LabelledExample {
  return { id: nextId++, question: PHRASING, lang: 'en', verdict: 'article', articleId: 'printer-jam', source: 'console_mark', by: 'Dana', at: '2026-12-07T10:00:00.000Z', ...over };
}

describe('desk calibration: learned questions', () => {
  it('come from "this article answers it" judgements only, newest kept per article', () => {
    const many = Array.from({ length: MAX_LEARNED_PER_ARTICLE + 3 }, (_, i) => label({ question: `printer question ${i}` }));
    const map = learnedQuestions([
      ...many,
      label({ verdict: 'escalate', articleId: undefined, question: 'order me a laptop' }),
      label({ verdict: 'not_article', articleId: 'vpn-cannot-connect', question: 'vpn is slow' }),
      label({ question: PHRASING, articleId: 'vpn-cannot-connect' }),
      label({ question: PHRASING, articleId: 'vpn-cannot-connect' }),
    ]);
    expect([...map.keys()].sort()).toEqual(['printer-jam', 'vpn-cannot-connect']);
    expect(map.get('vpn-cannot-connect')).toEqual([PHRASING]);
    expect(map.get('printer-jam')).toHaveLength(MAX_LEARNED_PER_ARTICLE);
    expect(map.get('printer-jam')![0]).toBe('printer question 3');
  });

  it('never help the judgement they came from when the ranker is refitted: each is asked with the others learned', async () => {
    const kbDir = copyKb();
    const service = await HybridKnowledgeService.create({ kbDir });
    const alone = label({ id: 10 });
    // Learned live, as the app does: the live index finds the article from the phrasing.
    service.setLearned(deskLearning([alone]));
    await service.reload();
    expect((await service.retrieve(PHRASING)).retrieval.candidates[0]?.family).toBe('printer-jam');

    const one = await deskExamples(service, [alone], { modes: ['lexical-only'] });
    const asked = one.byMode['lexical-only']![0]!;
    expect(asked.retrieval.candidates.find((c) => c.family === 'printer-jam')?.features.questionMatch ?? 0).toBeLessThan(0.3);
    expect(asked.retrieval.candidates[0]?.family).not.toBe('printer-jam');

    // A second judgement of the same kind, in another fold: each is found through the other.
    const twin = label({ id: 11, question: ASKED });
    const two = await deskExamples(service, [alone, twin], { modes: ['lexical-only'] });
    for (const example of two.byMode['lexical-only']!) {
      expect(example.retrieval.candidates[0]?.family).toBe('printer-jam');
      expect(example.expectedFamilies).toEqual(new Set(['printer-jam']));
    }
    // The live service still serves with exactly what it had learned.
    expect(service.status().learnedQuestions).toBe(1);
  });
});
