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
});
