import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deskLabels } from '../../src/cli/commands/calibrate.js';
import { openStorage } from '../../src/storage/factory.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

/** `helpdesk calibrate` learns from the desk's labels wherever the bot keeps its data: DATABASE_URL, else DATA_DIR. */
describe('helpdesk calibrate: the desk labels it reads', () => {
  let dataDir: string;
  let database: TestDatabase;
  const saved = process.env.DATABASE_URL;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'calibrate-labels-'));
    database = await createTestDatabase('calibrate_labels');
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads the labels recorded in the PostgreSQL database named by DATABASE_URL, not those in DATA_DIR', async () => {
    // What the bot recorded while running on PostgreSQL…
    const pg = await openStorage({ dataDir, databaseUrl: new URL(database.url) });
    try {
      await pg.labels.record({ question: 'the vpn says gateway unreachable', lang: 'en', verdict: 'article', articleId: 'vpn-cannot-connect', source: 'ticket_resolved', by: 'Dana', conversationId: 'c1', ref: 'ticket:local:HD-000001' });
      await pg.labels.record({ question: "l'imprimante est hors ligne", lang: 'fr', verdict: 'escalate', source: 'console_mark', by: 'Lee', conversationId: 'c2', turnId: 4 });
    } finally {
      await pg.close();
    }
    // …and an older SQLite database left in DATA_DIR, with another label.
    const sqlite = await openStorage({ dataDir });
    try {
      await sqlite.labels.record({ question: 'teams has no sound', lang: 'en', verdict: 'article', articleId: 'teams-audio', source: 'gap_article', by: 'Sam', conversationId: 'c3', ref: 'gap:t3' });
    } finally {
      await sqlite.close();
    }

    process.env.DATABASE_URL = database.url;
    const labels = await deskLabels(dataDir);
    expect(labels.map((l) => [l.source, l.verdict, l.articleId ?? null, l.question])).toEqual([
      ['ticket_resolved', 'article', 'vpn-cannot-connect', 'the vpn says gateway unreachable'],
      ['console_mark', 'escalate', null, "l'imprimante est hors ligne"],
    ]);

    // Without DATABASE_URL it reads DATA_DIR's database; with neither, there is nothing to read.
    delete process.env.DATABASE_URL;
    expect((await deskLabels(dataDir)).map((l) => l.articleId)).toEqual(['teams-audio']);
    const empty = mkdtempSync(join(tmpdir(), 'calibrate-empty-'));
    try {
      expect(await deskLabels(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
