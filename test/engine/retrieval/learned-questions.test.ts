import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kbCopies } from '../../helpers/kb-copies.js';
import { articleEntries } from '../../../src/engine/retrieval/entries.js';
import { HybridKnowledgeService } from '../../../src/engine/retrieval/service.js';
import type { DeskLearning } from '../../../src/engine/retrieval/snapshot.js';
import { HashingEmbedder } from '../../helpers/hashing-embedder.js';

/**
 * Learning from the desk, retrieval side: a question a technician (or an employee's "it worked")
 * tied to an article is matched as that article's own question, on the real indexes
 * (test/app/desk-calibration.test.ts: where they come from, and the refit).
 */

const fixture = new URL('../../fixtures/kb-basic', import.meta.url).pathname;
const copyKb = kbCopies(fixture, 'kb-learned-');

// Words no article uses: only a learned question can tie them to the printer article.
const PHRASING = 'the quxbaz spits pages sideways';
const ASKED = 'quxbaz spitting sideways again';

describe('questions learned from the desk', () => {
  it('are matched as the article’s own questions, lexically and densely, and never shown or written', async () => {
    const kbDir = copyKb();
    const file = join(kbDir, 'articles', 'en', 'printer-jam.md');
    const before = readFileSync(file, 'utf8');
    for (const embedder of [undefined, new HashingEmbedder()]) {
      const service = await HybridKnowledgeService.create({ kbDir, ...(embedder ? { embedder } : {}) });
      const cold = await service.retrieve(ASKED);
      expect(cold.retrieval.candidates[0]?.family).not.toBe('printer-jam');

      service.setLearned({ questions: new Map([['printer-jam', [PHRASING]], ['no-such-article', ['ignored']]]), escalations: [] });
      await service.reload();
      expect(service.status().learnedQuestions).toBe(1);
      const warm = await service.retrieve(ASKED);
      const top = warm.retrieval.candidates[0]!;
      expect(top.family).toBe('printer-jam');
      expect(top.features.questionMatch).toBeGreaterThan(0.3);
      expect(top.features.charMatch).toBeGreaterThan(0);
      if (embedder) {
        expect(warm.mode).toBe('hybrid');
        expect(top.features.denseQuestion).toBeGreaterThan(cold.retrieval.candidates.find((c) => c.family === 'printer-jam')?.features.denseQuestion ?? 0);
        expect(embedder.embedded).toContain(PHRASING);
      }
      // The article as shown and edited keeps its own questions only.
      expect(service.article('printer-jam')?.questions).not.toContain(PHRASING);
    }
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('are read at every reload; a failing read keeps the ones learned before', async () => {
    const kbDir = copyKb();
    let learned: DeskLearning | Error = { questions: new Map([['printer-jam', [PHRASING]]]), escalations: ['please order me a new chair'] };
    const warnings: string[] = [];
    const service = await HybridKnowledgeService.create({
      kbDir,
      learned: async () => {
        if (learned instanceof Error) throw learned;
        return learned;
      },
      log: { info: () => undefined, warn: (m) => warnings.push(m) },
    });
    expect(service.status()).toMatchObject({ learnedQuestions: 1, learnedEscalations: 1 });
    learned = new Error('database is down');
    await service.reload();
    expect(warnings.join('\n')).toMatch(/could not read what the desk taught \(database is down\)/);
    expect(service.status()).toMatchObject({ learnedQuestions: 1, learnedEscalations: 1 });
    expect((await service.retrieve(ASKED)).retrieval.candidates[0]?.family).toBe('printer-jam');
    learned = { questions: new Map(), escalations: [] };
    await service.reload();
    expect(service.status()).toMatchObject({ learnedQuestions: 0, learnedEscalations: 0 });
    expect((await service.retrieve(ASKED)).retrieval.candidates[0]?.family).not.toBe('printer-jam');
  });

  it('are embedded under keys of their own, so the article’s numbered questions keep theirs', async () => {
    const service = await HybridKnowledgeService.create({ kbDir: copyKb() });
    const article = { ...service.calibrationView().snapshot.kb.byId.get('printer-jam')!, learned: [PHRASING, PHRASING] };
    const entries = articleEntries(article);
    const learnedEntries = entries.filter((e) => e.key.includes('?l'));
    expect(learnedEntries).toHaveLength(1);
    expect(learnedEntries[0]).toMatchObject({ kind: 'question', role: 'query', text: PHRASING });
    expect(entries.filter((e) => /\?q\d+$/.test(e.key)).map((e) => e.text)).toEqual(article.questions);
  });

  it('escalates a near-copy of a question the desk said must go to a technician, and only that', async () => {
    const service = await HybridKnowledgeService.create({ kbDir: copyKb() });
    const order = 'please order me a new printer toner cartridge for floor 3';
    service.setLearned({ questions: new Map(), escalations: [order, 'I forgot my password'] });
    await service.reload();
    expect(service.status().learnedEscalations).toBe(2);
    const copy = await service.decide('Please order me a new printer toner cartridge for floor 3!');
    expect(copy).toMatchObject({ kind: 'escalate', explanationKey: 'gate.explain.escalate_learned' });
    expect(Number(copy.explanationParams?.similarity)).toBeGreaterThanOrEqual(0.9);
    // Another printer question is not caught by it.
    expect((await service.decide('the printer jams on every page')).explanationKey).not.toBe('gate.explain.escalate_learned');
    // An article's own question, matched as closely, wins: the desk also said an article answers it.
    expect((await service.decide('I forgot my password')).explanationKey).not.toBe('gate.explain.escalate_learned');
  });
});
