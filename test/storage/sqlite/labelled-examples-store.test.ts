import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { migrateSqlite } from '../../../src/storage/sqlite/migrations.js';
import { openLabelledExampleStore, openMemoryLabelledExampleStore } from '../../../src/storage/sqlite/labelled-examples-store.js';

/**
 * What only the SQLite backend has: a store opened on its own (tests, the learning curve) that runs
 * its one migration itself. The port's behaviour is in test/storage/contract/labelled-examples-store.test.ts.
 */
describe('SQLite labelled-examples store opened on its own', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'helpdesk-labels-'));
    file = join(dir, 'helpdesk.db');
    db = openDatabase(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives reopening the database; the migration runs once, also when the full list runs after it', async () => {
    await openLabelledExampleStore(db).record({ question: 'q', lang: 'en', verdict: 'escalate', source: 'console_mark', by: 'Dana', conversationId: 'c', turnId: 1 });
    db.close();
    db = openDatabase(file);
    const store = openLabelledExampleStore(db);
    migrateSqlite(db);
    expect(await store.list()).toHaveLength(1);
    expect((db.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'labelled_examples'`).get() as { n: number }).n).toBe(1);
  });

  it('a throw-away store in memory keeps labels until closed', async () => {
    const memory = openMemoryLabelledExampleStore();
    try {
      await memory.record({ question: 'q', lang: 'fr', verdict: 'escalate', source: 'imported', by: 'learning-curve' });
      expect(await memory.counts()).toMatchObject({ imported: 1 });
    } finally {
      memory.close();
    }
  });
});
