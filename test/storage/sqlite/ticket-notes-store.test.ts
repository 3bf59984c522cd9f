import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { openTicketNotes } from '../../../src/storage/sqlite/ticket-notes-store.js';

describe('SqliteTicketNotes', () => {
  let dir: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ticket-notes-'));
    db = openDatabase(join(dir, 'helpdesk.db'));
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps notes and replies per ticket, in order, with the delivery outcome of replies; survives a reopen', async () => {
    let clock = Date.parse('2026-12-07T10:00:00Z');
    const notes = openTicketNotes(db, () => new Date((clock += 1000)));
    await notes.add({ provider: 'local', ticketNumber: 'HD-000001', kind: 'note', author: 'Sam', text: 'Gateway logs checked.' });
    const reply = await notes.add({ provider: 'local', ticketNumber: 'HD-000001', kind: 'reply', author: 'Sam', text: 'Please restart the client.' });
    const failed = await notes.add({ provider: 'local', ticketNumber: 'HD-000001', kind: 'reply', author: 'Sam', text: 'Still there?' });
    await notes.add({ provider: 'local', ticketNumber: 'HD-000002', kind: 'note', author: 'Ana', text: 'Other ticket.' });
    await notes.markDelivery(reply.id, { delivered: true });
    await notes.markDelivery(failed.id, { delivered: false, error: 'no running channel "slack" to deliver to' });

    db.close();
    db = openDatabase(join(dir, 'helpdesk.db'));
    const list = await openTicketNotes(db).list('local', 'HD-000001');
    expect(list.map((n) => [n.kind, n.text, n.delivered, n.error])).toEqual([
      ['note', 'Gateway logs checked.', undefined, undefined],
      ['reply', 'Please restart the client.', true, undefined],
      ['reply', 'Still there?', false, 'no running channel "slack" to deliver to'],
    ]);
    expect(list[0]!.at < list[1]!.at).toBe(true);
    expect(await openTicketNotes(db).list('servicenow', 'HD-000001')).toEqual([]);
  });

  it('refuses a kind it does not know (the table checks it)', async () => {
    const notes = openTicketNotes(db);
    await expect(notes.add({ provider: 'local', ticketNumber: 'HD-000001', kind: 'secret' as 'note', author: 'x', text: 'y' })).rejects.toThrow(/CHECK/);
  });
});
