import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, until, type ServerProcess } from '../helpers/server-process.js';
import { baseEnv, chat, query, tempDir, type ChatInput } from './helpers.js';

/**
 * Another process (this test, with its own SQLite connection) holds the write lock of the bot's
 * database — a backup tool, a console script, a stuck sqlite3 shell. A short lock is waited out;
 * a lock longer than the busy timeout gives a clear "try again" answer, no crash, nothing half
 * written, and the same message goes through once, when retried after the lock is released.
 */

describe('database busy: another process holds the write lock', () => {
  const dir = tempDir('locked');
  const dataDir = join(dir, 'data');
  const dbFile = join(dataDir, 'helpdesk.db');
  let server: ServerProcess;
  let locker: Database.Database;

  beforeAll(async () => {
    server = await startServerProcess({ env: { ...baseEnv(dataDir), TICKET_PROVIDER: 'local' } });
    locker = new Database(dbFile);
  }, 180_000);

  afterAll(async () => {
    if (locker?.inTransaction) locker.exec('ROLLBACK');
    locker?.close();
    await server?.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = (messageId: string) =>
    query<{ n: number; handled: number }>(dbFile, `SELECT COUNT(*) AS n, COUNT(handled_at) AS handled FROM conversation_turns WHERE message_id = ?`, messageId)[0]!;

  it('waits out a short lock: every message answered and stored once', async () => {
    locker.exec('BEGIN IMMEDIATE');
    const messages: ChatInput[] = Array.from({ length: 5 }, (_, i) => ({ conversationId: `locked-short-${i}`, userId: `locked-user-${i}`, messageId: `locked-short-${i}-1`, text: 'my printer is offline' }));
    const pending = messages.map((m) => chat(server.url, m));
    await new Promise((r) => setTimeout(r, 1_500));
    locker.exec('COMMIT');
    const replies = await Promise.all(pending);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    for (const r of replies) expect(r.replies.length).toBeGreaterThan(0);
    for (const m of messages) expect(stored(m.messageId!)).toEqual({ n: 1, handled: 1 });
  });

  it('under a long lock: a clear answer, no crash, and the message goes through once when retried', async () => {
    const escalation = { conversationId: 'locked-escalation', userId: 'locked-escalation-user' };
    const prompt = await chat(server.url, { ...escalation, messageId: 'locked-escalation-1', text: 'agent' });
    expect(prompt.status).toBe(200);

    locker.exec('BEGIN IMMEDIATE');
    const message: ChatInput = { conversationId: 'locked-long', userId: 'locked-long-user', messageId: 'locked-long-1', text: 'outlook keeps asking for my password' };
    const during = await chat(server.url, message);
    const describe = await chat(server.url, { ...escalation, messageId: 'locked-escalation-2', text: 'my docking station does not charge the laptop' });
    const ready = await fetch(`${server.url}/readyz`);
    locker.exec('COMMIT');

    // Either waited long enough to answer, or said clearly to try again (503 + Retry-After), never a 500.
    for (const r of [during, describe]) {
      expect([200, 503]).toContain(r.status);
      if (r.status === 503) expect(r.json).toMatchObject({ error: 'busy' });
    }
    expect(server.child.exitCode).toBeNull();
    // /readyz said the database could not take writes.
    expect(ready.status).toBe(503);

    // The client retries with the same message id: answered, stored once.
    const retried = await chat(server.url, message);
    expect(retried.status).toBe(200);
    expect(retried.replies.length).toBeGreaterThan(0);
    expect(stored('locked-long-1')).toEqual({ n: 1, handled: 1 });
    const retriedEscalation = await chat(server.url, { ...escalation, messageId: 'locked-escalation-2', text: 'my docking station does not charge the laptop' });
    expect(retriedEscalation.status).toBe(200);
    expect(stored('locked-escalation-2')).toEqual({ n: 1, handled: 1 });
    await until(() => (query(dbFile, `SELECT 1 FROM ticket_outbox WHERE status = 'delivered'`).length === 1 ? true : undefined), 'the escalation delivered', 20_000);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  }, 120_000);

  it('keeps the outbox worker alive through a lock', async () => {
    const user = { conversationId: 'locked-outbox', userId: 'locked-outbox-user' };
    await chat(server.url, { ...user, messageId: 'locked-outbox-1', text: 'agent' });
    const before = query<{ n: number }>(dbFile, `SELECT COUNT(*) AS n FROM ticket_outbox`)[0]!.n;
    locker.exec('BEGIN IMMEDIATE');
    await new Promise((r) => setTimeout(r, 7_000));
    locker.exec('COMMIT');
    const r = await chat(server.url, { ...user, messageId: 'locked-outbox-2', text: 'the projector in room 4 shows no signal' });
    expect(r.status).toBe(200);
    await until(
      () => (query<{ n: number }>(dbFile, `SELECT COUNT(*) AS n FROM ticket_outbox WHERE status = 'delivered'`)[0]!.n === before + 1 ? true : undefined),
      'the escalation made after the lock delivered',
      20_000,
    );
    expect(server.child.exitCode).toBeNull();
  }, 120_000);
});
