import { describe, expect, it } from 'vitest';
import { pseudoQuestions } from '../../../src/engine/knowledge/pseudo-questions.js';
import { HybridKnowledgeService } from '../../../src/engine/retrieval/service.js';
import { zeroLabelExamples } from '../../../src/engine/retrieval/zero-label.js';
import { HashingEmbedder } from '../../helpers/hashing-embedder.js';

const fixture = new URL('../../fixtures/kb-basic', import.meta.url).pathname;
const bank = [
  { id: 'b1', query: 'the coffee machine is broken', lang: 'en' as const },
  { id: 'b2', query: 'combien de jours de congés me reste-t-il', lang: 'fr' as const },
];

describe('zero-label calibration examples', () => {
  it('asks each pseudo-question with its source text out of the index, and labels it with its own family', async () => {
    const embedder = new HashingEmbedder();
    const service = await HybridKnowledgeService.create({ kbDir: fixture, embedder });
    const { snapshot } = service.calibrationView();
    const examples = await zeroLabelExamples(snapshot, { outOfScope: bank, embedQueries: (t) => embedder.embedQueries(t), leaveOutShare: 0 });
    const answerable = examples.lexical.filter((e) => e.expectedFamilies.size > 0);
    const drawn = snapshot.kb.articles.reduce((s, a) => s + pseudoQuestions(a, 4).length, 0);
    expect(answerable).toHaveLength(drawn);
    expect(examples.hybrid).toHaveLength(examples.lexical.length);
    for (const ex of answerable) {
      const article = ex.id.split('#')[0]!;
      expect([...ex.expectedFamilies]).toEqual([snapshot.families.familyOf.get(article)]);
      if (ex.id.includes('#title@')) {
        // The title is out of the index: it does not find itself (a trigram match of 1 would be the title).
        const own = ex.retrieval.candidates.find((c) => ex.expectedFamilies.has(c.family));
        if (own && own.members.length === 1) expect(own.features.charMatch).toBeLessThan(0.99);
      }
    }
    const fromBank = examples.lexical.filter((e) => e.id.startsWith('bank:'));
    expect(fromBank.map((e) => [e.id, e.expectedFamilies.size, e.lang])).toEqual([
      ['bank:b1', 0, 'en'],
      ['bank:b2', 0, 'fr'],
    ]);
    expect(examples.counts).toMatchObject({ articles: 6, pseudoQuestions: drawn, leftOut: 0, bank: 2 });
  });

  it('turns the questions of articles left out of the index into must-escalate examples', async () => {
    const service = await HybridKnowledgeService.create({ kbDir: fixture });
    const { snapshot } = service.calibrationView();
    const examples = await zeroLabelExamples(snapshot, { outOfScope: [], leaveOutShare: 0.5 });
    expect(examples.hybrid).toBeUndefined();
    const leftOut = examples.lexical.filter((e) => e.expectedFamilies.size === 0);
    expect(leftOut.length).toBeGreaterThan(0);
    expect(examples.counts.leftOut).toBe(leftOut.length);
    for (const ex of leftOut) {
      const family = snapshot.families.familyOf.get(ex.id.split('#')[0]!)!;
      expect(ex.retrieval.candidates.map((c) => c.family)).not.toContain(family);
    }
  });
});
