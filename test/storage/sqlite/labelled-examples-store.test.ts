import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { openLabelledExampleStore, type SqliteLabelledExampleStore } from '../../../src/storage/sqlite/labelled-examples-store.js';

describe('SQLite labelled-examples store', () => {
  let dir: string;
  let db: Db;
  let store: SqliteLabelledExampleStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'helpdesk-labels-'));
    db = openDatabase(join(dir, 'helpdesk.db'));
    store = openLabelledExampleStore(db, { now: () => new Date('2026-12-07T10:00:00Z') });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a judgement with its question, language, label, source, judge, time and conversation references', async () => {
    const { example, created } = await store.record({
      question: 'the vpn says gateway unreachable',
      lang: 'en',
      verdict: 'article',
      articleId: 'vpn-cannot-connect',
      source: 'ticket_resolved',
      by: 'Dana',
      conversationId: 'conv-1',
      ref: 'ticket:local:HD-000001',
    });
    expect(created).toBe(true);
    expect(example).toEqual({
      id: example.id,
      question: 'the vpn says gateway unreachable',
      lang: 'en',
      verdict: 'article',
      articleId: 'vpn-cannot-connect',
      source: 'ticket_resolved',
      by: 'Dana',
      at: '2026-12-07T10:00:00.000Z',
      conversationId: 'conv-1',
      ref: 'ticket:local:HD-000001',
    });
    expect(await store.list()).toEqual([example]);
  });

  it('redacts secrets in the question before keeping it', async () => {
    const { example } = await store.record({ question: 'my password is Hunter2!Secret and outlook fails', lang: 'en', verdict: 'escalate', source: 'console_mark', by: 'Dana', conversationId: 'c', turnId: 3 });
    expect(example.question).not.toContain('Hunter2!Secret');
    expect(example.question).toContain('[REDACTED:password]');
    const row = db.prepare('SELECT question FROM labelled_examples').get() as { question: string };
    expect(row.question).not.toContain('Hunter2');
  });

  it('replaces the same judgement recorded again (a changed mark, a retried webhook) instead of adding a vote', async () => {
    const mark = { question: 'imprimante hors ligne', lang: 'fr' as const, source: 'console_mark' as const, by: 'Dana', conversationId: 'conv-2', turnId: 7, ref: 'mark:7' };
    const first = await store.record({ ...mark, verdict: 'article', articleId: 'printer-offline' });
    const second = await store.record({ ...mark, verdict: 'escalate', by: 'Lee' });
    expect(second.created).toBe(false);
    expect(second.example.id).toBe(first.example.id);
    const all = await store.list();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ verdict: 'escalate', by: 'Lee' });
    expect(all[0]!.articleId).toBeUndefined();
    // Another turn of the same conversation is another judgement.
    await store.record({ ...mark, turnId: 9, ref: 'mark:9', verdict: 'article', articleId: 'printer-offline' });
    expect(await store.list({ conversationId: 'conv-2' })).toHaveLength(2);
  });

  it('filters by source and conversation and counts per source', async () => {
    await store.record({ question: 'q1', lang: 'en', verdict: 'article', articleId: 'a', source: 'employee_confirmed', by: 'employee', conversationId: 'c1', ref: 'topic:t1:a' });
    await store.record({ question: 'q2', lang: 'en', verdict: 'article', articleId: 'b', source: 'gap_article', by: 'Dana', conversationId: 'c2', ref: 'gap:t2' });
    await store.record({ question: 'q3', lang: 'fr', verdict: 'escalate', source: 'imported', by: 'learning-curve' });
    await store.record({ question: 'q4', lang: 'fr', verdict: 'escalate', source: 'imported', by: 'learning-curve' });
    expect((await store.list({ sources: ['gap_article'] })).map((x) => x.question)).toEqual(['q2']);
    expect((await store.list({ conversationId: 'c1' })).map((x) => x.question)).toEqual(['q1']);
    expect(await store.list({ limit: 2 })).toHaveLength(2);
    expect(await store.counts()).toEqual({ ticket_resolved: 0, gap_article: 1, console_mark: 0, employee_confirmed: 1, imported: 2 });
  });

  it('refuses bad input and stores nothing', async () => {
    const bad = [
      { question: '   ', lang: 'en', verdict: 'escalate', source: 'console_mark', by: 'Dana' },
      { question: 'q', lang: 'de', verdict: 'escalate', source: 'console_mark', by: 'Dana' },
      { question: 'q', lang: 'en', verdict: 'article', source: 'console_mark', by: 'Dana' },
      { question: 'q', lang: 'en', verdict: 'maybe', articleId: 'a', source: 'console_mark', by: 'Dana' },
      { question: 'q', lang: 'en', verdict: 'escalate', source: 'rumour', by: 'Dana' },
      { question: 'q', lang: 'en', verdict: 'escalate', source: 'console_mark', by: '' },
    ];
    for (const input of bad) await expect(store.record(input as never)).rejects.toThrow();
    expect(await store.list()).toEqual([]);
  });

  it('survives reopening the database (the migration runs once)', async () => {
    await store.record({ question: 'q', lang: 'en', verdict: 'escalate', source: 'console_mark', by: 'Dana', conversationId: 'c', turnId: 1 });
    db.close();
    db = openDatabase(join(dir, 'helpdesk.db'));
    store = openLabelledExampleStore(db);
    expect(await store.list()).toHaveLength(1);
  });
});
