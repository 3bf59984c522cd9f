import { expect, it } from 'vitest';
import { connectEach, describeStoreContract } from './backends.js';

/** The desk's judgements (README "Learning from the desk"): one per judgement key, redacted, shared by every connection. */
describeStoreContract('labelled-examples store', (backend) => {
  const now = () => new Date('2026-12-07T10:00:00Z');
  const { env, a: store, b: other } = connectEach(backend, 'labels', { now });

  it('keeps a judgement with its question, language, label, source, judge, time and conversation references', async () => {
    const { example, created } = await store.record({
      question: 'the vpn says gateway unreachable',
      lang: 'en',
      verdict: 'article',
      articleId: 'vpn-cannot-connect',
      source: 'ticket_resolved',
      by: 'Dana',
      conversationId: 'conv-1',
      turnId: 0,
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
      turnId: 0,
      ref: 'ticket:local:HD-000001',
    });
    // Another connection (another process, a replica) reads the same row.
    expect(await other.list()).toEqual([example]);
    const explicit = await other.record({ question: 'q', lang: 'fr', verdict: 'escalate', source: 'imported', by: 'curve', at: '2026-12-01T08:30:00.000Z' });
    expect(explicit.example).toEqual({ id: explicit.example.id, question: 'q', lang: 'fr', verdict: 'escalate', source: 'imported', by: 'curve', at: '2026-12-01T08:30:00.000Z' });
  });

  it('redacts secrets in the question before keeping it', async () => {
    const { example } = await store.record({ question: 'my password is Hunter2!Secret and outlook fails', lang: 'en', verdict: 'escalate', source: 'console_mark', by: 'Dana', conversationId: 'c', turnId: 3 });
    expect(example.question).not.toContain('Hunter2!Secret');
    expect(example.question).toContain('[REDACTED:password]');
    expect(await env.count(`SELECT COUNT(*) AS n FROM labelled_examples WHERE question LIKE '%Hunter2%'`)).toBe(0);
    expect(await env.count('SELECT COUNT(*) AS n FROM labelled_examples')).toBe(1);
  });

  it('replaces the same judgement recorded again (a changed mark, a retried webhook) instead of adding a vote', async () => {
    const mark = { question: 'imprimante hors ligne', lang: 'fr' as const, source: 'console_mark' as const, by: 'Dana', conversationId: 'conv-2', turnId: 7, ref: 'mark:7' };
    const first = await store.record({ ...mark, verdict: 'article', articleId: 'printer-offline' });
    expect(first.created).toBe(true);
    const second = await other.record({ ...mark, verdict: 'escalate', by: 'Lee' });
    expect(second.created).toBe(false);
    expect(second.example.id).toBe(first.example.id);
    expect(second.example).toMatchObject({ verdict: 'escalate', by: 'Lee' });
    const all = await store.list();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ verdict: 'escalate', by: 'Lee' });
    expect(all[0]!.articleId).toBeUndefined();
    // Another turn of the same conversation is another judgement.
    expect((await store.record({ ...mark, turnId: 9, ref: 'mark:9', verdict: 'article', articleId: 'printer-offline' })).created).toBe(true);
    expect(await other.list({ conversationId: 'conv-2' })).toHaveLength(2);
    // Without a conversation or a reference the question itself is the key.
    const imported = { lang: 'en' as const, verdict: 'escalate' as const, source: 'imported' as const, by: 'curve' };
    expect((await store.record({ ...imported, question: 'q1' })).created).toBe(true);
    expect((await store.record({ ...imported, question: 'q1' })).created).toBe(false);
    expect((await store.record({ ...imported, question: 'q2' })).created).toBe(true);
    expect(await env.count('SELECT COUNT(*) AS n FROM labelled_examples')).toBe(4);
  });

  it('the same judgement recorded at once on two connections leaves one row, created once', async () => {
    const mark = { question: 'outlook keeps asking for my password', lang: 'en' as const, source: 'ticket_resolved' as const, conversationId: 'conv-9', ref: 'ticket:local:HD-000009' };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).record({ ...mark, verdict: 'article', articleId: `article-${i}`, by: `tech-${i}` })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.example.id)).size).toBe(1);
    expect(await env.count('SELECT COUNT(*) AS n FROM labelled_examples')).toBe(1);
    const [kept] = await store.list();
    // The row holds one whole write (the later values), never a mix of two.
    const i = Number(kept!.by.slice('tech-'.length));
    expect(kept!.articleId).toBe(`article-${i}`);
  });

  it('filters by source and conversation, limits oldest first and counts per source', async () => {
    await store.record({ question: 'q1', lang: 'en', verdict: 'article', articleId: 'a', source: 'employee_confirmed', by: 'employee', conversationId: 'c1', ref: 'topic:t1:a' });
    await other.record({ question: 'q2', lang: 'en', verdict: 'article', articleId: 'b', source: 'gap_article', by: 'Dana', conversationId: 'c2', ref: 'gap:t2' });
    await store.record({ question: 'q3', lang: 'fr', verdict: 'escalate', source: 'imported', by: 'learning-curve' });
    await other.record({ question: 'q4', lang: 'fr', verdict: 'not_article', articleId: 'c', source: 'imported', by: 'learning-curve' });
    expect((await other.list({ sources: ['gap_article'] })).map((x) => x.question)).toEqual(['q2']);
    expect((await other.list({ sources: ['gap_article', 'employee_confirmed'] })).map((x) => x.question)).toEqual(['q1', 'q2']);
    expect((await other.list({ conversationId: 'c1' })).map((x) => x.question)).toEqual(['q1']);
    expect((await other.list({ sources: ['imported'], conversationId: 'c1' })).map((x) => x.question)).toEqual([]);
    expect((await store.list({ limit: 2 })).map((x) => x.question)).toEqual(['q1', 'q2']);
    expect((await store.list({ sources: ['imported'], limit: 1 })).map((x) => x.question)).toEqual(['q3']);
    expect((await store.list()).map((x) => x.question)).toEqual(['q1', 'q2', 'q3', 'q4']);
    expect(await other.counts()).toEqual({ ticket_resolved: 0, gap_article: 1, console_mark: 0, employee_confirmed: 1, imported: 2 });
  });

  it('refuses bad input and stores nothing', async () => {
    const bad = [
      { question: '   ', lang: 'en', verdict: 'escalate', source: 'console_mark', by: 'Dana' },
      { question: 'q', lang: 'de', verdict: 'escalate', source: 'console_mark', by: 'Dana' },
      { question: 'q', lang: 'en', verdict: 'article', source: 'console_mark', by: 'Dana' },
      { question: 'q', lang: 'en', verdict: 'maybe', articleId: 'a', source: 'console_mark', by: 'Dana' },
      { question: 'q', lang: 'en', verdict: 'escalate', source: 'rumour', by: 'Dana' },
      { question: 'q', lang: 'en', verdict: 'escalate', source: 'console_mark', by: '' },
      { question: 'q', lang: 'en', verdict: 'escalate', source: 'console_mark', by: 'Dana', at: 'yesterday' },
    ];
    for (const input of bad) await expect(store.record(input as never)).rejects.toThrow();
    expect(await other.list()).toEqual([]);
    expect(await env.count('SELECT COUNT(*) AS n FROM labelled_examples')).toBe(0);
  });
});
