import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTicketSelfService } from '../../../src/engine/tickets/self-service.js';
import type { TicketProvider } from '../../../src/engine/ports/tickets.js';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { migrateSqlite } from '../../../src/storage/sqlite/migrations.js';
import { SqliteTicketStore as TicketStore } from '../../../src/storage/sqlite/ticket-store.js';
import { LocalTicketProvider } from '../../../src/tickets/local.js';
import { makePacket } from '../../tickets/fixtures/packet.js';

/** The employee's open tickets and comments on them (Slack's Home tab), on the local ticket system in SQLite. */
describe('ticket self-service', () => {
  let dir: string;
  let db: Db;
  let store: TicketStore;
  let provider: LocalTicketProvider;
  const lea = { id: 'U123', name: 'Léa Martin', email: 'lea.martin@example.org' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'helpdesk-self-service-'));
    db = openDatabase(join(dir, 'helpdesk.db'));
    migrateSqlite(db);
    store = new TicketStore(db);
    provider = new LocalTicketProvider(store);
    for (const p of [makePacket(), makePacket(), makePacket({ user: { id: 'U999', name: 'Sam', email: 'sam@example.org' } })]) await provider.create(p, { idempotencyKey: p.id });
    await store.resolve('HD-000002', 'Replaced the dock.');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists only the requester\'s open tickets, nothing for an unverified identity', async () => {
    const service = createTicketSelfService(provider, undefined);
    expect((await service.open(lea, 'teams')).map((t) => t.number)).toEqual(['HD-000001']);
    expect(await service.open({ ...lea, anonymous: true }, 'web')).toEqual([]);
  });

  it('adds a comment to the history without changing the state; refuses others\' tickets, closed ones, secrets and empty text', async () => {
    const service = createTicketSelfService(provider, undefined);
    expect(service.canComment).toBe(true);
    expect(await service.comment(lea, 'teams', 'HD-000001', '  Still broken after a restart.  ')).toBe('added');
    expect(await service.comment(lea, 'teams', 'HD-000003', 'not mine')).toBe('refused');
    expect(await service.comment(lea, 'teams', 'HD-000002', 'resolved one')).toBe('refused');
    expect(await service.comment(lea, 'teams', 'HD-000001', 'password: Tr0ub4dor&3xyz')).toBe('secret');
    expect(await service.comment(lea, 'teams', 'HD-000001', '   ')).toBe('empty');
    const comments = (await store.history('HD-000001')).filter((e) => e.kind === 'commented');
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ note: 'Still broken after a restart.', actor: 'Léa Martin', fromState: 'new', toState: 'new' });
    expect((await store.history('HD-000003')).some((e) => e.kind === 'commented')).toBe(false);
  });

  it('says "unsupported" with a ticket system that cannot take comments', async () => {
    const noComments: TicketProvider = { name: provider.name, create: (p, o) => provider.create(p, o), status: (n) => provider.status(n), listForRequester: (r) => provider.listForRequester(r) };
    const service = createTicketSelfService(noComments, undefined);
    expect(service.canComment).toBe(false);
    expect(await service.comment(lea, 'teams', 'HD-000001', 'hello')).toBe('unsupported');
  });
});
