import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { SqliteDeliveryLog } from '../../../src/storage/sqlite/delivery-log.js';
import { migrateSqlite, SQLITE_MIGRATIONS } from '../../../src/storage/sqlite/migrations.js';

describe('SqliteDeliveryLog (durable inbound de-duplication)', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let clock = 0;
  const open = (): SqliteDeliveryLog => {
    migrateSqlite(db);
    return new SqliteDeliveryLog(db, () => clock);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'delivery-log-'));
    file = join(dir, 'helpdesk.db');
    db = openDatabase(file);
    clock = Date.parse('2026-12-07T10:00:00Z');
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a key in once, per channel, and again after its time to live; survives a reopen', async () => {
    const log = open();
    expect(await log.firstDelivery('slack', ['event:Ev1', 'msg:m1'], 60_000)).toBe(true);
    expect(await log.firstDelivery('slack', ['event:Ev1'], 60_000)).toBe(false);
    // The app_mention twin carries another event id but the same client_msg_id.
    expect(await log.firstDelivery('slack', ['event:Ev2', 'msg:m1'], 60_000)).toBe(false);
    expect(await log.firstDelivery('teams', ['event:Ev1'], 60_000)).toBe(true);
    expect(await log.firstDelivery('slack', [], 60_000)).toBe(true);

    db.close();
    db = openDatabase(file);
    const reopened = open();
    clock += 59_999;
    expect(await reopened.firstDelivery('slack', ['event:Ev1'], 60_000)).toBe(false);
    clock += 1;
    expect(await reopened.firstDelivery('slack', ['event:Ev1'], 60_000)).toBe(true);
    expect(await reopened.firstDelivery('slack', ['event:Ev1'], 60_000)).toBe(false);
  });

  it('keeps a day by default', async () => {
    const log = open();
    expect(await log.firstDelivery('slack', ['action:1'])).toBe(true);
    clock += 24 * 60 * 60 * 1000 - 1;
    expect(await log.firstDelivery('slack', ['action:1'])).toBe(false);
    clock += 1;
    expect(await log.firstDelivery('slack', ['action:1'])).toBe(true);
  });

  it('gives rows written before the expiry column the day they had', async () => {
    migrate(db, SQLITE_MIGRATIONS.filter((m) => m.name === 'channels/001_deliveries'));
    db.prepare('INSERT INTO channel_deliveries (channel, key, seen_at) VALUES (?, ?, ?)').run('slack', 'event:old', clock);
    const log = open();
    clock += 23 * 60 * 60 * 1000;
    expect(await log.firstDelivery('slack', ['event:old'])).toBe(false);
    clock += 60 * 60 * 1000;
    expect(await log.firstDelivery('slack', ['event:old'])).toBe(true);
  });
});
