import { expect, it } from 'vitest';
import { connectEach, describeStoreContract } from './backends.js';

describeStoreContract('proactive web chat log', (backend) => {
  const { env, a, b } = connectEach(backend, 'proactive');

  it('stores each message before anyone reads it, and another connection reads it after an id', async () => {
    const first = await a.append('conv-1', '{"id":"m1"}', new Date('2026-12-07T10:00:00Z'));
    const second = await b.append('conv-1', '{"id":"m2"}', new Date('2026-12-07T10:00:01Z'));
    await a.append('conv-2', '{"id":"other"}');
    expect(second).toBeGreaterThan(first);
    expect((await b.after('conv-1', 0, 10)).map((e) => [e.id, e.payload])).toEqual([
      [first, '{"id":"m1"}'],
      [second, '{"id":"m2"}'],
    ]);
    expect((await a.after('conv-1', first, 10)).map((e) => e.payload)).toEqual(['{"id":"m2"}']);
    expect(await a.after('conv-1', second, 10)).toEqual([]);
    expect((await b.after('conv-1', 0, 1)).map((e) => e.id)).toEqual([first]);
    expect((await a.after('conv-1', 0, 10))[0]).toMatchObject({ conversationId: 'conv-1', at: '2026-12-07T10:00:00.000Z' });
  });

  it('stores a message once per conversation and message id: a repeated send returns the first id', async () => {
    const first = await a.append('conv-6', '{"id":"ticket_opened-p1"}', new Date(), 'ticket_opened-p1');
    const between = await a.append('conv-6', '{"id":"other"}');
    // The outbox repeats the send from another replica: nothing new is stored.
    expect(await b.append('conv-6', '{"id":"ticket_opened-p1"}', new Date(), 'ticket_opened-p1')).toBe(first);
    // The same message id in another conversation is another message.
    const elsewhere = await b.append('conv-7', '{"id":"ticket_opened-p1"}', new Date(), 'ticket_opened-p1');
    expect(elsewhere).not.toBe(first);
    // Two connections repeating one send at once still store it once.
    const racing = await Promise.all([a, b, a, b].map((s) => s.append('conv-6', '{"id":"news-1"}', new Date(), 'news-1')));
    expect(new Set(racing).size).toBe(1);
    expect((await b.after('conv-6', 0, 10)).map((e) => e.id)).toEqual([first, between, racing[0]]);
    expect((await a.after('conv-7', 0, 10)).map((e) => e.id)).toEqual([elsewhere]);
  });

  it('gives the newest messages oldest first, and the newest id per conversation', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await (i % 2 ? a : b).append('conv-3', `m${i}`));
    const other = await a.append('conv-4', 'x');
    expect((await b.latest('conv-3', 3)).map((e) => e.payload)).toEqual(['m2', 'm3', 'm4']);
    expect(await a.latest('nobody', 3)).toEqual([]);
    expect(await b.newestIds(['conv-3', 'conv-4', 'nobody'])).toEqual(new Map([['conv-3', ids[4]], ['conv-4', other]]));
    expect(await b.newestIds([])).toEqual(new Map());
  });

  it('ids of one conversation grow in the order the messages are stored, even when two connections append at once', async () => {
    // A reader that sent everything up to id N asks for "after N" next: an id committed later but
    // smaller than N would be skipped for ever. Each append is followed by such a reader here.
    // (Without the PostgreSQL store's per-conversation lock this lost a message in one run of two
    // at 300 appends on this machine; at 40 it never did: hence 300.)
    const seen: number[] = [];
    let cursor = 0;
    // One reader at a time, as the web hub reads for a stream.
    let reading: Promise<void> = Promise.resolve();
    const read = (): Promise<void> =>
      (reading = reading.then(async () => {
        for (const e of await a.after('race', cursor, 1000)) {
          seen.push(e.id);
          cursor = e.id;
        }
      }));
    await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        await (i % 2 ? a : b).append('race', `m${i}`);
        await read();
      }),
    );
    await read();
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
  });

  it('prunes messages stored before the retention, and ids do not go back afterwards', async () => {
    const old = await a.append('conv-5', 'old', new Date('2026-11-01T00:00:00Z'));
    await a.append('conv-6', 'old too', new Date('2026-11-02T00:00:00Z'));
    const kept = await b.append('conv-5', 'new', new Date('2026-12-07T00:00:00Z'));
    expect(await b.prune(new Date('2026-12-01T00:00:00Z'))).toBe(2);
    expect((await a.after('conv-5', 0, 10)).map((e) => e.id)).toEqual([kept]);
    expect(await env.count('SELECT COUNT(*) AS n FROM web_proactive_messages')).toBe(1);
    await a.prune(new Date('2026-12-31T00:00:00Z'));
    // A page that last saw `kept` must still be sent what comes next.
    expect(await a.append('conv-5', 'after the prune')).toBeGreaterThan(Math.max(old, kept));
  });
});
