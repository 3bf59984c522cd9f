import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TicketProvider } from '../../src/engine/ports/tickets.js';
import { openDatabase } from '../../src/storage/sqlite/database.js';
import { SqliteOutboxStore } from '../../src/storage/sqlite/outbox-store.js';
import { isGoneWorker, TicketOutbox } from '../../src/tickets/outbox.js';
import { makePacket } from './fixtures/packet.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrations.js';

/**
 * After a crash, the items the dead process was delivering are taken over at the next start,
 * instead of waiting for their lease (TICKET_OUTBOX_LEASE_MS, five minutes by default); a lease
 * held by a process that still runs, or by another host, is respected.
 */

const SETTINGS = { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 20, leaseMs: 600_000, pollMs: 20 };

describe('outbox leases of processes that are gone', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function setup() {
    const dir = mkdtempSync(join(tmpdir(), 'helpdesk-leases-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'helpdesk.db'));
    migrateSqlite(db);
    const created: string[] = [];
    const provider: TicketProvider = {
      name: 'recording',
      create: async (packet) => {
        created.push(packet.id);
        return { provider: 'recording', id: packet.id, number: `T-${created.length}` };
      },
      status: async () => undefined,
      listForRequester: async () => [],
    };
    return { db, store: new SqliteOutboxStore(db), provider, created };
  }

  it('tells gone workers from live ones', async () => {
    const self = `${hostname()}:${process.pid}:aaaaaaaa`;
    expect(isGoneWorker(self, self)).toBe(false);
    expect(isGoneWorker(`${hostname()}:${process.pid}:bbbbbbbb`, self)).toBe(true);
    expect(isGoneWorker(`${hostname()}:${process.ppid}:cccccccc`, self)).toBe(false);
    expect(isGoneWorker(`another-host:12345:dddddddd`, self)).toBe(false);
    expect(isGoneWorker('not a worker id', self)).toBe(false);
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    expect(isGoneWorker(`${hostname()}:${pid}:eeeeeeee`, self)).toBe(true);
  });

  it('delivers at once what a dead process was delivering, and leaves live leases alone', async () => {
    const { db, store, provider, created } = setup();
    const orphan = makePacket();
    const held = makePacket();
    await store.insert(orphan);
    await store.insert(held);
    // Claimed by a process that died (its pid no longer exists) and by one that runs (our parent).
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => child.on('exit', r));
    expect((await store.claim(`${hostname()}:${child.pid}:deadbeef`, SETTINGS.leaseMs))?.id).toBeDefined();
    expect((await store.claim(`${hostname()}:${process.ppid}:cafecafe`, SETTINGS.leaseMs))?.id).toBeDefined();

    const outbox = new TicketOutbox({ ...SETTINGS, store, provider });
    const delivered = new Promise<string>((resolve) => outbox.onDelivered(({ item }) => resolve(item.id)));
    outbox.start();
    try {
      const first = await Promise.race([delivered, new Promise((_, reject) => setTimeout(() => reject(new Error('nothing delivered: the dead lease was not released')), 5_000))]);
      await new Promise((r) => setTimeout(r, 200));
      expect(created).toHaveLength(1);
      expect([orphan.id, held.id]).toContain(first);
      const items = await store.list();
      expect(items.filter((i) => i.status === 'delivered')).toHaveLength(1);
      expect(items.filter((i) => i.status === 'delivering')).toEqual([expect.objectContaining({ leaseOwner: `${hostname()}:${process.ppid}:cafecafe` })]);
    } finally {
      await outbox.stop();
      db.close();
    }
  });

  it('keeps polling when the database fails between passes (no unhandled rejection, no stopped worker)', async () => {
    const { db, store, provider, created } = setup();
    let failures = 2;
    const flaky = Object.assign(Object.create(store) as SqliteOutboxStore, {
      nextDueAt: async () => {
        if (failures-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        return store.nextDueAt();
      },
    });
    const errors: string[] = [];
    const logger = { error: (o: { err: string }) => errors.push(o.err), info: () => undefined, warn: () => undefined, debug: () => undefined };
    const outbox = new TicketOutbox({ ...SETTINGS, store: flaky, provider, logger: logger as never });
    outbox.start();
    try {
      await new Promise((r) => setTimeout(r, 150));
      await store.insert(makePacket());
      await new Promise((r) => setTimeout(r, 300));
      expect(errors).toEqual(['database is locked', 'database is locked']);
      expect(created).toHaveLength(1);
    } finally {
      await outbox.stop();
      db.close();
    }
  });
});
