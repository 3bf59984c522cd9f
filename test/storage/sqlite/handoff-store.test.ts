import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EscalationPacket } from '../../../src/engine/escalation/packet.js';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { openHandoffStore, SqliteHandoffStore } from '../../../src/storage/sqlite/handoff-store.js';

/** The handoff state machine's transitions are compare-and-set, also across two connections (two processes). */
describe('SQLite handoff store', () => {
  let dir: string;
  let dbs: Db[];
  let a: SqliteHandoffStore;
  let b: SqliteHandoffStore;
  const user = { channel: 'web', conversationId: 'conv-1' };
  const technicians = { channel: 'slack', conversationId: 'C0TECHS' };
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 22, 9, minute)).toISOString();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'handoff-store-'));
    const file = join(dir, 'helpdesk.db');
    dbs = [openDatabase(file), openDatabase(file)];
    a = openHandoffStore(dbs[0]!);
    b = new SqliteHandoffStore(dbs[1]!);
  });
  afterEach(() => {
    for (const db of dbs) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function queued(id = randomUUID()) {
    const packet = { id, question: 'dock' } as unknown as EscalationPacket;
    const { record, created } = await a.create({ id, user, technicians, techniciansLang: 'en', packet }, at(0));
    expect(created).toBe(true);
    expect((await a.create({ id, user, technicians, techniciansLang: 'en', packet }, at(1))).created).toBe(false);
    await a.setCard(id, '1700000000.000100', at(0));
    return record;
  }

  it('one taker wins, from either connection; it is found by its thread and its user', async () => {
    const h = await queued();
    const [first, second] = [await b.take(h.id, { id: 'U1', name: 'Sam' }, at(2)), await a.take(h.id, { id: 'U2', name: 'Kim' }, at(2))];
    expect([first.won, second.won]).toEqual([true, false]);
    expect(second.record).toMatchObject({ state: 'taken', technician: { id: 'U1', name: 'Sam' } });
    expect((await a.byThread({ ...technicians, threadId: '1700000000.000100' }))?.id).toBe(h.id);
    expect((await b.active(user))?.id).toBe(h.id);
  });

  it('ends once, only from the allowed states', async () => {
    const h = await queued();
    expect((await a.end(h.id, 'closed', ['taken'], 'Sam', at(3))).won).toBe(false);
    await a.take(h.id, { id: 'U1', name: 'Sam' }, at(2));
    const [close, back] = [await a.end(h.id, 'closed', ['taken'], 'Sam', at(3)), await b.end(h.id, 'handed_back', ['taken'], 'Sam', at(3))];
    expect([close.won, back.won]).toEqual([true, false]);
    expect(await a.active(user)).toBeUndefined();
    expect((await a.latest(user))?.state).toBe('closed');
  });

  it('reminders: due after the interval, counted once per interval, bounded', async () => {
    const h = await queued();
    expect(await a.dueReminders(at(9), 2)).toHaveLength(1);
    expect(await a.recordReminder(h.id, 0, at(10))).toBe(true);
    expect(await b.recordReminder(h.id, 0, at(10))).toBe(false);
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
    expect((await a.get(h.id))?.rating).toBe(4);
  });
});
