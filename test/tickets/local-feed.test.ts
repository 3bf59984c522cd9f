import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TicketStatusChange } from '../../src/engine/tickets/news.js';
import { openDatabase, type Db } from '../../src/storage/sqlite/database.js';
import { openTicketNewsStore, type SqliteTicketNewsStore } from '../../src/storage/sqlite/ticket-news-store.js';
import { SqliteTicketStore as TicketStore } from '../../src/storage/sqlite/ticket-store.js';
import { LocalTicketFeed } from '../../src/tickets/local-feed.js';
import { makePacket } from './fixtures/packet.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrations.js';

/**
 * The local change feed when the user's channel does not take a status change: the change is held
 * and tried again on the next passes, in order (nothing after it jumps the queue), and given up on
 * only after the configured number of attempts, so one unreachable conversation cannot block the feed.
 */
describe('local ticket feed: a change the channel did not take', () => {
  let dir: string;
  let db: Db;
  let tickets: TicketStore;
  let cursors: SqliteTicketNewsStore;
  let told: string[];
  let failing: Set<string>;
  const news = {
    async statusChanged(change: TicketStatusChange) {
      if (failing.has(change.ticket.number)) throw new Error('Bot Connector answered 503');
      told.push(`${change.ticket.number} ${change.state}`);
      return { notified: true };
    },
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'helpdesk-local-feed-'));
    db = openDatabase(join(dir, 'helpdesk.db'));
    migrateSqlite(db);
    tickets = new TicketStore(db);
    cursors = openTicketNewsStore(db);
    told = [];
    failing = new Set();
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (n: number) => {
    const packet = makePacket();
    return (await tickets.create({ idempotencyKey: `${packet.id}-${n}`, packet, title: `ticket ${n}`, body: 'body' })).ticket.number;
  };

  it('holds the change and delivers it, then what came after, once the channel is back', async () => {
    const feed = new LocalTicketFeed(tickets, news, cursors, undefined, 5);
    await feed.poll(); // first start: begins at the end of the history
    const a = await open(1);
    const b = await open(2);
    await tickets.setState(a, 'in_progress');
    await tickets.setState(b, 'in_progress');
    failing.add(a);

    await feed.poll();
    await feed.poll();
    expect(told).toEqual([]); // b waits behind a: news stay in order
    failing.delete(a);
    await feed.poll();
    expect(told).toEqual([`${a} in_progress`, `${b} in_progress`]);
    await feed.poll();
    expect(told).toHaveLength(2); // each told once
  });

  it('gives up on a change after the attempts, and the feed moves on', async () => {
    const feed = new LocalTicketFeed(tickets, news, cursors, undefined, 3);
    await feed.poll();
    const a = await open(1);
    const b = await open(2);
    await tickets.setState(a, 'resolved');
    await tickets.setState(b, 'resolved');
    failing.add(a);

    await feed.poll();
    await feed.poll();
    expect(told).toEqual([]);
    await feed.poll(); // third failed attempt: given up
    expect(told).toEqual([`${b} resolved`]);
    failing.delete(a);
    await feed.poll();
    expect(told).toEqual([`${b} resolved`]);
  });

  it('keeps the held position across a restart', async () => {
    const first = new LocalTicketFeed(tickets, news, cursors, undefined, 5);
    await first.poll();
    const a = await open(1);
    await tickets.setState(a, 'in_progress');
    failing.add(a);
    await first.poll();
    failing.delete(a);
    const second = new LocalTicketFeed(tickets, news, openTicketNewsStore(db), undefined, 5);
    await second.poll();
    expect(told).toEqual([`${a} in_progress`]);
  });
});
