import { expect, it } from 'vitest';
import type { LocalTicketEvent, LocalTicketStore } from '../../../src/engine/ports/local-tickets.js';
import { makePacket } from '../../tickets/fixtures/packet.js';
import { connectEach, describeStoreContract } from './backends.js';

/** The embedded ticket system's store: numbering, idempotency, history and the cursor a notifier follows, from two connections. */
describeStoreContract('local ticket store', (backend) => {
  const { env, a, b } = connectEach(backend, 'tickets');

  const create = (store: LocalTicketStore, packet = makePacket()) => store.create({ idempotencyKey: packet.id, packet, title: packet.question, body: 'context' });

  it('numbers tickets HD-000001, HD-000002 across connections and is idempotent on the key', async () => {
    const p1 = makePacket();
    const first = await create(a, p1);
    expect(first).toMatchObject({ created: true, ticket: { id: 1, number: 'HD-000001', state: 'new', requesterEmail: 'lea.martin@example.org', packet: p1 } });
    expect(await create(b, p1)).toMatchObject({ created: false, ticket: { number: 'HD-000001' } });
    expect((await create(b)).ticket.number).toBe('HD-000002');
    expect((await b.getByIdempotencyKey(p1.id))?.number).toBe('HD-000001');
    for (const n of ['HD-000001', 'hd-1', 'HD1', ' 1 ']) expect((await b.get(n))?.number).toBe('HD-000001');
    expect(await b.get('INC0000001')).toBeUndefined();
    expect(await b.get('HD-000099')).toBeUndefined();
  });

  it('escalations created at once on two connections get distinct numbers; a retried one gets its first ticket', async () => {
    const packets = Array.from({ length: 12 }, () => makePacket());
    const results = await Promise.all([...packets, ...packets.slice(0, 4)].map((p, i) => create(i % 2 ? a : b, p)));
    expect(results.filter((r) => r.created)).toHaveLength(12);
    const numbers = new Set(results.filter((r) => r.created).map((r) => r.ticket.number));
    expect(numbers.size).toBe(12);
    for (const p of packets.slice(0, 4)) {
      expect(new Set(results.filter((r) => r.ticket.idempotencyKey === p.id).map((r) => r.ticket.number)).size).toBe(1);
    }
    // Every creation left exactly one "created" event, for the ticket it made.
    const events = await a.eventsSince(0, 100);
    expect(events.filter((e) => e.kind === 'created').map((e) => e.number).sort()).toEqual([...numbers].sort());
  });

  it('records every change with actor; listeners of this connection hear them; another follows with a cursor', async () => {
    const seen: LocalTicketEvent[] = [];
    a.onChange((e) => seen.push(e));
    const { ticket } = await create(a);
    await a.assign(ticket.number, 'Sam', { actor: 'Sam' });
    await b.setState(ticket.number, 'on_hold', { actor: 'Sam', note: 'waiting for the laptop' });
    await a.setState(ticket.number, 'on_hold', { actor: 'Sam' }); // no change, no event
    const resolved = await a.resolve(ticket.number, 'Reset it; the password is hunter2 now.', { actor: 'Sam' });
    expect(resolved).toMatchObject({ state: 'resolved', assignee: 'Sam' });
    expect(resolved.resolutionNotes).not.toContain('hunter2');
    const history = (await b.history(ticket.number)).map((e) => [e.kind, e.fromState ?? null, e.toState, e.actor ?? null]);
    expect(history).toEqual([
      ['created', null, 'new', null],
      ['assigned', 'new', 'in_progress', 'Sam'],
      ['status', 'in_progress', 'on_hold', 'Sam'],
      ['status', 'on_hold', 'resolved', 'Sam'],
    ]);
    // b's change is not heard by a's listeners (another process): the cursor is how it follows.
    expect(seen.map((e) => e.toState)).toEqual(['new', 'in_progress', 'resolved']);
    const firstTwo = await b.eventsSince(0, 2);
    expect(firstTwo.map((e) => e.kind)).toEqual(['created', 'assigned']);
    expect((await b.eventsSince(firstTwo[1]!.id)).map((e) => e.toState)).toEqual(['on_hold', 'resolved']);
    await expect(b.setState('HD-000404', 'closed')).rejects.toThrow(/not found/);
    await a.assign(ticket.number, null);
    expect((await b.get(ticket.number))?.assignee).toBeUndefined();
  });

  it('lists the requester tickets newest first, by channel id or e-mail (any case)', async () => {
    const mine1 = makePacket();
    const other = makePacket({ user: { id: 'U999', email: 'other@example.org' } });
    const mine2 = makePacket({ user: { id: 'slack-U1', email: 'LEA.MARTIN@example.org' } });
    for (const p of [mine1, other, mine2]) await create(a, p);
    expect((await b.list({ requesterId: 'U123', requesterEmail: 'lea.martin@example.org' })).map((t) => t.number)).toEqual(['HD-000003', 'HD-000001']);
    expect((await b.list({ requesterId: 'U123' })).map((t) => t.number)).toEqual(['HD-000001']);
    expect(await b.list({ states: ['new'], conversationId: 'conv-42' })).toHaveLength(3);
    expect((await b.list({ limit: 1, offset: 1 })).map((t) => t.number)).toEqual(['HD-000002']);
  });
  it("keeps the requester's comment in the history, redacted, without touching state or assignee", async () => {
    const seen: LocalTicketEvent[] = [];
    a.onChange((e) => seen.push(e));
    const { ticket } = await create(a);
    await a.assign(ticket.number, 'Sam', { actor: 'Sam' });
    const before = await b.get(ticket.number);
    const [, assigned] = await b.eventsSince(0);
    const commented = await b.comment(ticket.number, 'Still broken; my password is Hunter2!Secret if you need it', { actor: 'lea.martin@example.org' });
    expect(commented).toMatchObject({ state: 'in_progress', assignee: 'Sam' });
    expect(await a.get(ticket.number)).toMatchObject({ state: 'in_progress', assignee: 'Sam', resolutionNotes: before?.resolutionNotes });
    const history = await a.history(ticket.number);
    expect(history.map((e) => e.kind)).toEqual(['created', 'assigned', 'commented']);
    const event = history[2]!;
    expect(event).toMatchObject({ number: ticket.number, fromState: 'in_progress', toState: 'in_progress', assignee: 'Sam', actor: 'lea.martin@example.org' });
    expect(event.note).toContain('Still broken');
    expect(event.note).not.toContain('Hunter2');
    expect(await env.count(`SELECT COUNT(*) AS n FROM local_ticket_events WHERE note LIKE '%Hunter2%'`)).toBe(0);
    // A notifier following the cursor sees the comment too.
    expect((await a.eventsSince(assigned!.id)).map((e) => [e.kind, e.note])).toEqual([['commented', event.note]]);
    // b's comment is not heard by a's listeners; a's own comment is.
    await a.comment(ticket.number, 'and now the screen is black');
    expect(seen.map((e) => e.kind)).toEqual(['created', 'assigned', 'commented']);
    expect(seen[2]).toMatchObject({ note: 'and now the screen is black', toState: 'in_progress' });
    // Commenting on a resolved ticket leaves it resolved.
    await a.resolve(ticket.number, 'Replaced the cable', { actor: 'Sam' });
    expect(await b.comment(ticket.number, 'thanks!')).toMatchObject({ state: 'resolved', assignee: 'Sam', resolutionNotes: 'Replaced the cable' });
    await expect(b.comment('HD-000404', 'hello?')).rejects.toThrow(/not found/);
    expect(await env.count(`SELECT COUNT(*) AS n FROM local_ticket_events WHERE kind = 'commented'`)).toBe(3);
  });
});
