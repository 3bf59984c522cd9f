import { beforeEach, expect, it } from 'vitest';
import { connectEach, describeStoreContract } from './backends.js';

describeStoreContract('ticket notes', (backend) => {
  let clock: number;

  beforeEach(() => {
    clock = Date.parse('2026-12-07T10:00:00Z');
  });
  const { a: notes, b: other } = connectEach(backend, 'ticketNotes', { now: () => new Date((clock += 1000)) }, {});

  it('keeps notes and replies per ticket, in order, with the delivery outcome of replies; another connection reads them', async () => {
    await notes.add({ provider: 'local', ticketNumber: 'HD-000001', kind: 'note', author: 'Sam', text: 'Gateway logs checked.' });
    const reply = await notes.add({ provider: 'local', ticketNumber: 'HD-000001', kind: 'reply', author: 'Sam', text: 'Please restart the client.' });
    const failed = await notes.add({ provider: 'local', ticketNumber: 'HD-000001', kind: 'reply', author: 'Sam', text: 'Still there?' });
    await notes.add({ provider: 'local', ticketNumber: 'HD-000002', kind: 'note', author: 'Ana', text: 'Other ticket.' });
    expect(reply).toMatchObject({ kind: 'reply', author: 'Sam', at: '2026-12-07T10:00:02.000Z' });
    await other.markDelivery(reply.id, { delivered: true });
    await other.markDelivery(failed.id, { delivered: false, error: 'no running channel "slack" to deliver to' });

    const list = await other.list('local', 'HD-000001');
    expect(list.map((n) => [n.kind, n.text, n.delivered, n.error])).toEqual([
      ['note', 'Gateway logs checked.', undefined, undefined],
      ['reply', 'Please restart the client.', true, undefined],
      ['reply', 'Still there?', false, 'no running channel "slack" to deliver to'],
    ]);
    expect(list[0]!.at < list[1]!.at).toBe(true);
    expect(await other.list('servicenow', 'HD-000001')).toEqual([]);
  });

  it('refuses a kind it does not know (the table checks it)', async () => {
    await expect(notes.add({ provider: 'local', ticketNumber: 'HD-000001', kind: 'secret' as 'note', author: 'x', text: 'y' })).rejects.toThrow(/check/i);
    expect(await other.list('local', 'HD-000001')).toEqual([]);
  });
});
