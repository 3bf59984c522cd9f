import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deskLearning } from '../../src/app/desk-calibration.js';
import { DeskCalibrator } from '../../src/app/desk-calibrator.js';
import { ensureCalibration, zeroLabelDir } from '../../src/app/zero-label.js';
import { readDevSet, selectSplit } from '../../src/engine/eval/dev-set.js';
import { HybridKnowledgeService } from '../../src/engine/retrieval/service.js';
import { openDatabase } from '../../src/storage/sqlite/database.js';
import { openLabelledExampleStore } from '../../src/storage/sqlite/labelled-examples-store.js';

const root = new URL('../../', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'desk-calibrator-'));
const db = openDatabase(join(tmp, 'helpdesk.db'));
afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});
const silent = { info: () => undefined, error: () => undefined };

/**
 * The console's refit, end to end on real SQLite and the real retrieval (lexical-only, shipped
 * articles): the desk's judgements are used, the curves are measured on them, the models are
 * saved and used, the next start picks them up, and the operating point moves the thresholds.
 */
describe('DeskCalibrator', () => {
  it('refits on the labelled examples, saves and uses the models, and moves the operating point', { timeout: 600_000 }, async () => {
    const kbDir = join(root, 'knowledge');
    const dataDir = join(tmp, 'data');
    const labels = openLabelledExampleStore(db);
    // As the app composes it: the judgements are read from the store at every reload.
    const service = await HybridKnowledgeService.create({ kbDir, learned: async () => deskLearning(await labels.list()) });
    const dev = selectSplit(readDevSet(join(root, 'eval', 'dev.jsonl')), 'calibration').slice(0, 40);
    for (const q of dev) {
      await labels.record({ question: q.query, lang: q.lang ?? 'en', verdict: q.expected[0] ? 'article' : 'escalate', ...(q.expected[0] ? { articleId: q.expected[0] } : {}), source: 'console_mark', by: 'Dana', conversationId: `c-${q.id}`, turnId: 1 });
    }
    // Neither kind of unusable judgement is fitted on.
    await labels.record({ question: 'outlook is slow', lang: 'en', verdict: 'not_article', articleId: 'outlook-not-syncing', source: 'console_mark', by: 'Dana', conversationId: 'c-x', turnId: 1 });
    await labels.record({ question: 'the old fax', lang: 'en', verdict: 'article', articleId: 'fax-retired', source: 'ticket_resolved', by: 'Dana', ref: 'ticket:local:HD-1' });

    expect(service.status().learnedQuestions).toBe(0);
    let reloads = 0;
    const reload = async () => {
      reloads += 1;
      await service.reload();
    };
    const calibrator = new DeskCalibrator({ service, labels, dataDir, log: silent, repeats: 1, reload });
    expect(calibrator.refit(0.9)).toBe(true);
    expect(calibrator.refit(0.9)).toBe(false); // one at a time
    expect((await calibrator.view()).running).toBe(true);
    await calibrator.settled();
    const view = await calibrator.view();
    expect(view.error).toBeUndefined();
    expect(view.last).toMatchObject({ labelsUsed: 40, skipped: { notArticle: 1, unknownArticle: 1 }, measuredOn: 'labels', mode: 'lexical-only' });
    // The curves are on the 40 judged questions: at threshold 0 every one of them is answered.
    expect(view.last!.before[0]!.answered).toBe(40);
    expect(view.last!.after[0]!.answered).toBe(40);
    expect(service.status().calibration).toMatchObject({ source: 'desk' });
    // Once the refit is in use, the knowledge is reloaded (every replica) with the judged questions learned.
    expect(reloads).toBe(1);
    const judged = new Set(dev.filter((q) => q.expected[0]).map((q) => `${q.expected[0]}\0${q.query}`)).size;
    expect(judged).toBeGreaterThan(10);
    expect(service.status().learnedQuestions).toBe(judged);
    const dir = zeroLabelDir(dataDir, service.status().knowledgeHash);
    const file = join(dir, 'gate-lexical-only.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { thresholds: { answer: number }; provenance: { labelled: number; examples: { labelled: number; labelWeight: number } } };
    expect(saved.provenance).toMatchObject({ labelled: 40, examples: { labelled: 40, labelWeight: 5 } });
    expect(existsSync(join(dir, 'scored-lexical-only.json'))).toBe(true);

    // The next start (even of the shipped knowledge base, which otherwise keeps the committed models) uses the refit.
    const next = await HybridKnowledgeService.create({ kbDir });
    await ensureCalibration(next, { kbDir, dataDir, explicitModelDir: false });
    expect(next.status().calibration).toMatchObject({ source: 'desk' });
    expect(next.status().calibration?.note).toMatch(/calibrated with 40 labelled examples from the desk/);

    // A stricter operating point never lowers the answer threshold; it is saved and used.
    expect(await calibrator.choose(0.99)).toBe(true);
    const strict = JSON.parse(readFileSync(file, 'utf8')) as { thresholds: { answer: number }; provenance: { operatingPoint: { targetPrecision: number } } };
    expect(strict.provenance.operatingPoint.targetPrecision).toBe(0.99);
    expect(strict.thresholds.answer).toBeGreaterThanOrEqual(saved.thresholds.answer);
    expect(service.modelInUse('lexical-only').thresholds).toEqual(strict.thresholds);
    expect((await calibrator.view()).current.targetPrecision).toBe(0.99);
  });

  it('fits again when the knowledge changes during a refit, instead of saving models of the old version under the new one', { timeout: 600_000 }, async () => {
    const kbDir = join(tmp, 'kb-changing');
    cpSync(join(root, 'knowledge'), kbDir, { recursive: true });
    const dataDir = join(tmp, 'data-changing');
    const own = openDatabase(join(tmp, 'changing.db'));
    const labels = openLabelledExampleStore(own);
    const service = await HybridKnowledgeService.create({ kbDir });
    const dev = selectSplit(readDevSet(join(root, 'eval', 'dev.jsonl')), 'calibration').slice(0, 12);
    for (const q of dev) {
      await labels.record({ question: q.query, lang: q.lang ?? 'en', verdict: q.expected[0] ? 'article' : 'escalate', ...(q.expected[0] ? { articleId: q.expected[0] } : {}), source: 'console_mark', by: 'Dana', conversationId: `changing-${q.id}`, turnId: 1 });
    }
    // A judgement naming an article that only the change brings.
    await labels.record({ question: 'the plotter says load paper but paper is loaded', lang: 'en', verdict: 'article', articleId: 'plotter-paper', source: 'gap_article', by: 'Dana', conversationId: 'changing-plotter', turnId: 1 });
    const logged: string[] = [];
    const calibrator = new DeskCalibrator({ service, labels, dataDir, log: { info: (_o, m) => logged.push(m ?? ''), error: () => undefined }, repeats: 1 });
    expect(calibrator.refit(0.9)).toBe(true);
    writeFileSync(join(kbDir, 'articles', 'en', 'plotter-paper.md'), ['---', 'id: plotter-paper', 'title: The plotter asks for paper although it is loaded', 'lang: en', 'questions:', '  - the plotter wants paper', '---', '', '## Resolution', '1. Push the roll until it clicks.', ''].join('\n'));
    const changed = (await service.reload()).status.knowledgeHash;
    await calibrator.settled();
    const view = await calibrator.view();
    expect(view.error).toBeUndefined();
    expect(logged).toContain('knowledge changed during the refit: fitting again on the new version');
    // Fitted on the new version: the new article's judgement is used, and the models are saved under its hash.
    expect(view.last).toMatchObject({ skipped: { unknownArticle: 0 } });
    expect(view.last!.labelsUsed).toBe((await labels.list()).length);
    expect(service.status().calibration).toMatchObject({ source: 'desk', knowledgeHash: changed });
    expect(existsSync(join(zeroLabelDir(dataDir, changed), 'gate-lexical-only.json'))).toBe(true);
    own.close();
  });
});
