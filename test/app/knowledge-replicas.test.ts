import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/coordination-backends.js';
import { until } from '../helpers/server-process.js';
import { REPO_KNOWLEDGE, startTestApp, type TestApp } from '../server/start.js';

/**
 * Two composed replicas on one PostgreSQL database and one shared knowledge folder (KB_DIR on a
 * shared volume). An article saved on replica A and made live there (the console's reload) is then
 * served by replica B, which re-reads the folder when A signals the change.
 */
describe('a knowledge edit on one replica', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let kbDir: string;
  let a: TestApp | undefined;
  let b: TestApp | undefined;

  beforeAll(async () => {
    db = await freshDatabase();
    kbDir = mkdtempSync(join(tmpdir(), 'helpdesk-shared-kb-'));
    cpSync(REPO_KNOWLEDGE, kbDir, { recursive: true });
    a = await startTestApp({ KB_DIR: kbDir, DATABASE_URL: db.url });
    b = await startTestApp({ KB_DIR: kbDir, DATABASE_URL: db.url });
  }, 180_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
    if (kbDir) rmSync(kbDir, { recursive: true, force: true });
  });

  it('is served by every other replica', async () => {
    const before = b!.app.knowledge.status();
    expect(a!.app.knowledge.status().knowledgeHash).toBe(before.knowledgeHash);
    writeFileSync(join(kbDir, 'articles', 'en', 'visitor-badge-printer.md'), [
      '---',
      'id: visitor-badge-printer',
      'title: Visitor badge printer prints blank badges',
      'lang: en',
      'category: hardware',
      'questions:',
      '  - the visitor badge printer at reception prints blank badges',
      'tags: [badge, visitor, printer]',
      '---',
      '',
      '## Resolution',
      '1. Open the badge printer and turn the ribbon cartridge over.',
      '',
    ].join('\n'));
    // What the console does after a save, on replica A only.
    const reloaded = await a!.app.knowledge.reload();
    expect(reloaded.status.articles).toBe(before.articles + 1);
    await until(() => (b!.app.knowledge.status().knowledgeHash === reloaded.status.knowledgeHash ? true : undefined), 'replica B reloading');
    expect(b!.app.knowledge.status().articles).toBe(before.articles + 1);
    const decision = await b!.app.knowledge.decide('the visitor badge printer prints blank badges');
    expect(JSON.stringify(decision)).toContain('visitor-badge-printer');
  });

  it('serves a refit on the desk\'s judgements made on another replica, and redoes it when the knowledge changes', { timeout: 300_000 }, async () => {
    const phrasing = 'the zorvex gizmo keeps quibbling at me';
    const later = 'zorvex gizmo quibbling again';
    await a!.app.labels.record({ question: phrasing, lang: 'en', verdict: 'article', articleId: 'vpn-cannot-connect', source: 'console_mark', by: 'Dana', conversationId: 'c-replicas-1', turnId: 1 });
    await a!.app.labels.record({ question: 'please order me a new office chair', lang: 'en', verdict: 'escalate', source: 'console_mark', by: 'Dana', conversationId: 'c-replicas-2', turnId: 1 });
    expect(a!.app.calibrator.refit(0.9)).toBe(true);
    await a!.app.calibrator.settled();
    expect((await a!.app.calibrator.view()).error).toBeUndefined();
    const fitted = a!.app.knowledge.status();
    expect(fitted.calibration).toMatchObject({ source: 'desk', knowledgeHash: fitted.knowledgeHash });

    // Replica B has its own DATA_DIR: it serves A's refit from the shared store, and the learned question.
    await until(async () => ((await b!.app.calibrator.view()).current.note?.includes('labelled examples from the desk') ? true : undefined), 'replica B serving the refit');
    expect(b!.app.knowledge.status().calibration).toMatchObject({ source: 'desk', knowledgeHash: fitted.knowledgeHash });
    expect((await b!.app.calibrator.view()).current.thresholds).toEqual((await a!.app.calibrator.view()).current.thresholds);
    expect(b!.app.knowledge.status().learnedQuestions).toBe(1);
    expect((await b!.app.knowledge.decide(later, { lang: 'en' })).candidates[0]?.articleId).toBe('vpn-cannot-connect');

    // An operating point chosen on B is used by A.
    expect(await b!.app.calibrator.choose(0.99)).toBe(true);
    const strict = (await b!.app.calibrator.view()).current;
    expect(strict.targetPrecision).toBe(0.99);
    await until(async () => ((await a!.app.calibrator.view()).current.targetPrecision === 0.99 ? true : undefined), 'replica A using the operating point');
    expect((await a!.app.calibrator.view()).current.thresholds).toEqual(strict.thresholds);

    // An article added on A: the refit is redone on the new knowledge at the chosen operating point, and B follows.
    writeFileSync(join(kbDir, 'articles', 'en', 'plotter-paper.md'), ['---', 'id: plotter-paper', 'title: The plotter asks for paper although it is loaded', 'lang: en', 'questions:', '  - the plotter says load paper but paper is loaded', '---', '', '## Resolution', '1. Open the roll cover and push the roll until it clicks.', ''].join('\n'));
    const edited = (await a!.app.knowledge.reload()).status.knowledgeHash;
    expect(edited).not.toBe(fitted.knowledgeHash);
    const refitted = async (app: TestApp) => {
      const status = app.app.knowledge.status();
      return status.calibration?.source === 'desk' && status.calibration.knowledgeHash === edited ? true : undefined;
    };
    await until(() => refitted(a!), 'replica A refitting on the edited knowledge');
    await a!.app.calibrator.settled();
    expect((await a!.app.calibrator.view()).current.targetPrecision).toBe(0.99);
    await until(() => refitted(b!), 'replica B serving the new refit');
    expect((await b!.app.knowledge.decide(later, { lang: 'en' })).candidates[0]?.articleId).toBe('vpn-cannot-connect');
  });
});
