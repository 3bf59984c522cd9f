import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/storage/sqlite/database.js';
import { SqliteTicketStore as TicketStore } from '../../src/storage/sqlite/ticket-store.js';
import type { LocalTicketEvent } from '../../src/engine/ports/local-tickets.js';
import { LocalTicketProvider } from '../../src/tickets/local.js';
import { makePacket } from './fixtures/packet.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrations.js';

describe('local ticket provider (SQLite store)', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let store: TicketStore;
  let provider: LocalTicketProvider;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'helpdesk-local-tickets-'));
    file = join(dir, 'helpdesk.db');
    db = openDatabase(file);
    migrateSqlite(db);
    store = new TicketStore(db);
    provider = new LocalTicketProvider(store);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('numbers tickets HD-000001, HD-000002 and is idempotent on the packet id', async () => {
    const p1 = makePacket();
    const p2 = makePacket();
    const a = await provider.create(p1, { idempotencyKey: p1.id });
    const again = await provider.create(p1, { idempotencyKey: p1.id, attempt: 2 });
    const b = await provider.create(p2, { idempotencyKey: p2.id });
    expect(a).toEqual({ provider: 'local', id: '1', number: 'HD-000001' });
    expect(again).toEqual(a);
    expect(b.number).toBe('HD-000002');
    expect(await store.list()).toHaveLength(2);
    const t = (await store.get('HD-000001'))!;
    expect(t).toMatchObject({ state: 'new', title: p1.question, requesterEmail: 'lea.martin@example.org', priority: 'high', packet: p1 });
    expect(t.body).toContain('What was already tried');
    expect(t.body).toContain('User: Did not help, my password is [REDACTED]');
  });

  it('finds tickets by any spelling of the number and survives a reopen', async () => {
    const p = makePacket();
    await provider.create(p, { idempotencyKey: p.id });
    for (const n of ['HD-000001', 'hd-1', 'HD1', ' 1 ']) expect((await provider.status(n))?.number).toBe('HD-000001');
    expect(await provider.status('INC0000001')).toBeUndefined();
    expect(await provider.status('HD-000099')).toBeUndefined();
    db.close();
    db = openDatabase(file);
    migrateSqlite(db);
    expect((await new TicketStore(db).get('HD-000001'))?.packet.id).toBe(p.id);
  });

  it('records every status change with actor, and exposes assign and resolve-with-notes', async () => {
    const seen: LocalTicketEvent[] = [];
    store.onChange((e) => seen.push(e));
    const p = makePacket();
    const ref = await provider.create(p, { idempotencyKey: p.id });
    await store.assign(ref.number, 'Sam', { actor: 'Sam' });
    await store.setState(ref.number, 'on_hold', { actor: 'Sam', note: 'waiting for the laptop' });
    await store.setState(ref.number, 'on_hold', { actor: 'Sam' }); // no change, no event
    const resolved = await store.resolve(ref.number, 'Reinstalled the VPN profile with the new certificate.', { actor: 'Sam' });
    expect(resolved).toMatchObject({ state: 'resolved', assignee: 'Sam', resolutionNotes: 'Reinstalled the VPN profile with the new certificate.' });

    const history = (await store.history(ref.number)).map((e) => [e.kind, e.fromState ?? null, e.toState, e.actor ?? null]);
    expect(history).toEqual([
      ['created', null, 'new', null],
      ['assigned', 'new', 'in_progress', 'Sam'],
      ['status', 'in_progress', 'on_hold', 'Sam'],
      ['status', 'on_hold', 'resolved', 'Sam'],
    ]);
    expect(seen.map((e) => e.toState)).toEqual(['new', 'in_progress', 'on_hold', 'resolved']);
    expect(seen.at(-1)).toMatchObject({ number: ref.number, note: 'Reinstalled the VPN profile with the new certificate.' });

    const status = await provider.status(ref.number);
    expect(status).toMatchObject({ state: 'resolved', assignee: 'Sam', resolutionNotes: 'Reinstalled the VPN profile with the new certificate.' });

    // A notifier in another process follows the same history with a cursor.
    const firstTwo = await store.eventsSince(0, 2);
    expect(firstTwo.map((e) => e.kind)).toEqual(['created', 'assigned']);
    expect((await store.eventsSince(firstTwo[1]!.id)).map((e) => e.toState)).toEqual(['on_hold', 'resolved']);
  });

  it('a failing listener never breaks a write', async () => {
    const errors: unknown[] = [];
    const s = new TicketStore(db, { onListenerError: (e) => errors.push(e) });
    s.onChange(() => {
      throw new Error('notifier down');
    });
    const p = makePacket();
    const { ticket } = await s.create({ idempotencyKey: p.id, packet: p, title: 't', body: 'b' });
    expect((await s.setState(ticket.number, 'closed')).state).toBe('closed');
    expect(errors).toHaveLength(2);
    await expect(s.setState('HD-000404', 'closed')).rejects.toThrow(/not found/);
  });

  it('lists the requester tickets newest first, by channel id or e-mail', async () => {
    const mine1 = makePacket();
    const other = makePacket({ user: { id: 'U999', email: 'other@example.org' } });
    const mine2 = makePacket({ user: { id: 'slack-U1', email: 'LEA.MARTIN@example.org' } });
    for (const p of [mine1, other, mine2]) await provider.create(p, { idempotencyKey: p.id });
    expect((await provider.listForRequester({ id: 'U123', email: 'lea.martin@example.org' })).map((t) => t.number)).toEqual(['HD-000003', 'HD-000001']);
    expect((await provider.listForRequester({ id: 'U123' })).map((t) => t.number)).toEqual(['HD-000001']);
    expect(await store.list({ states: ['new'], conversationId: 'conv-42' })).toHaveLength(3);
  });
});
