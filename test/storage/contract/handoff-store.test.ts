import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { EscalationPacket } from '../../../src/engine/escalation/packet.js';
import { connectEach, describeStoreContract } from './backends.js';

/** The handoff state machine's transitions are compare-and-set, also across two connections (two processes or replicas). */
describeStoreContract('handoff store', (backend) => {
  const user = { channel: 'web', conversationId: 'conv-1' };
  const technicians = { channel: 'slack', conversationId: 'C0TECHS' };
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 22, 9, minute)).toISOString();

  const { a, b } = connectEach(backend, 'handoffs');

  async function queued(id = randomUUID(), card = true) {
    const packet = { id, question: 'dock' } as unknown as EscalationPacket;
    const { record, created } = await a.create({ id, user, technicians, techniciansLang: 'en', packet }, at(0));
    expect(created).toBe(true);
    expect((await b.create({ id, user, technicians, techniciansLang: 'en', packet }, at(1))).created).toBe(false);
    if (card) await a.setCard(id, '1700000000.000100', at(0));
    return record;
  }

  it('one taker wins, from either connection; it is found by its thread and its user', async () => {
    const h = await queued();
    expect(h).toMatchObject({ state: 'queued', remindersSent: 0, lastReminderAt: at(0), packet: { question: 'dock' } });
    const [first, second] = [await b.take(h.id, { id: 'U1', name: 'Sam' }, at(2)), await a.take(h.id, { id: 'U2', name: 'Kim' }, at(2))];
    expect([first.won, second.won]).toEqual([true, false]);
    expect(second.record).toMatchObject({ state: 'taken', technician: { id: 'U1', name: 'Sam' }, takenAt: at(2) });
    expect((await a.byThread({ ...technicians, threadId: '1700000000.000100' }))?.id).toBe(h.id);
    expect(await a.byThread(technicians)).toBeUndefined();
    expect((await b.active(user))?.id).toBe(h.id);
  });

  it('ten technicians pressing "Take it" at once: exactly one wins', async () => {
    const h = await queued();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).take(h.id, { id: `U${i}`, name: `T${i}` }, at(2))));
    const winners = results.filter((r) => r.won);
    expect(winners).toHaveLength(1);
    expect((await a.get(h.id))?.technician?.id).toBe(winners[0]!.record?.technician?.id);
  });

  it('ends once, only from the allowed states', async () => {
    const h = await queued();
    expect((await a.end(h.id, 'closed', ['taken'], 'Sam', at(3))).won).toBe(false);
    await a.take(h.id, { id: 'U1', name: 'Sam' }, at(2));
    const [close, back] = await Promise.all([a.end(h.id, 'closed', ['taken'], 'Sam', at(3)), b.end(h.id, 'handed_back', ['taken'], 'Sam', at(3))]);
    expect([close.won, back.won].filter(Boolean)).toHaveLength(1);
    expect(await a.active(user)).toBeUndefined();
    expect((await a.latest(user))?.endedBy).toBe('Sam');
  });

  it('the newest handoff of the user is the active or latest one', async () => {
    const old = await queued();
    await a.end(old.id, 'cancelled', ['queued'], 'user', at(1));
    const packet = { id: 'newer', question: 'x' } as unknown as EscalationPacket;
    await a.create({ id: 'newer', user, technicians, techniciansLang: 'fr', packet }, at(5));
    expect((await b.latest(user))?.id).toBe('newer');
    expect((await b.active(user))?.techniciansLang).toBe('fr');
    expect((await b.withoutCard()).map((h) => h.id)).toEqual(['newer']);
    await b.setTicket('newer', 'HD-000007', at(6));
    expect((await a.get('newer'))?.ticketNumber).toBe('HD-000007');
  });

  it('reminders: due after the interval, counted once per interval, bounded', async () => {
    const h = await queued();
    expect(await a.dueReminders(at(9), 2)).toHaveLength(1);
    const counted = await Promise.all([a.recordReminder(h.id, 0, at(10)), b.recordReminder(h.id, 0, at(10))]);
    expect(counted.filter(Boolean)).toHaveLength(1);
    expect(await a.dueReminders(at(9), 2)).toHaveLength(0);
    expect(await a.recordReminder(h.id, 1, at(20))).toBe(true);
    expect(await a.dueReminders(at(30), 2)).toHaveLength(0);
  });

  it('a rating is stored once, with the nonce of the question', async () => {
    const h = await queued();
    await a.setRatingNonce(h.id, 'n1', at(5));
    expect(await a.rate(h.id, 'other', 3, at(6))).toBe(false);
    expect(await a.rate(h.id, 'n1', 4, at(6))).toBe(true);
    expect(await b.rate(h.id, 'n1', 2, at(6))).toBe(false);
    expect((await b.get(h.id))?.rating).toBe(4);
  });
});
