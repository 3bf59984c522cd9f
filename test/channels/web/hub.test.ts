import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHub } from '../../../src/channels/web/hub.js';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { migrateSqlite } from '../../../src/storage/sqlite/migrations.js';
import { SqliteProactiveLog } from '../../../src/storage/sqlite/proactive-log.js';
import { openEvents } from '../../helpers/sse.js';

/**
 * The hub on a real stored log (SQLite) and real HTTP streams. Two hubs on two connections to one
 * file stand for two replicas: a message is stored by "replica A" and woken nowhere, or woken
 * several times at once, and each stream still gets each id once.
 */
describe('web chat hub on the stored proactive log', () => {
  let dir: string;
  const dbs: Db[] = [];
  const servers: Server[] = [];
  let writer: SqliteProactiveLog;
  let hub: WebHub;
  let url: string;
  const errors: unknown[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'web-hub-'));
    const file = join(dir, 'helpdesk.db');
    const a = openDatabase(file);
    migrateSqlite(a);
    const b = openDatabase(file);
    dbs.push(a, b);
    writer = new SqliteProactiveLog(a);
    hub = new WebHub(new SqliteProactiveLog(b), { catchUpMs: 0, maxRecent: 3, onError: (err) => errors.push(err) });
    const app = express();
    app.get('/events/:id', (req, res) => void hub.subscribe(req.params.id, res, req.get('Last-Event-ID')));
    const http = createServer(app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    servers.push(http);
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    hub?.close();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const db of dbs) db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const store = (conversationId: string, text: string): Promise<number> => writer.append(conversationId, JSON.stringify({ id: `m-${text}`, text }));
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150));

  it('sends each stored id once per stream however often the hub is woken, and resumes after Last-Event-ID', async () => {
    const stream = await openEvents(`${url}/events/conv-a`);
    await settle();
    const first = await store('conv-a', 'one');
    await Promise.all([hub.wake('conv-a'), hub.wake('conv-a'), hub.wake('conv-a'), hub.catchUp()]);
    await store('conv-a', 'two');
    await store('conv-b', 'not mine');
    await Promise.all([hub.wake('conv-a'), hub.catchUp(), hub.wake('conv-a')]);
    await stream.waitFor((events) => events.length >= 2);
    await settle();
    expect(stream.events.map((e) => e.data.text)).toEqual(['one', 'two']);
    expect(stream.events[0]!.id).toBe(String(first));
    stream.close();

    await store('conv-a', 'three');
    const resumed = await openEvents(`${url}/events/conv-a`, { 'Last-Event-ID': stream.events[1]!.id! });
    await resumed.waitFor((events) => events.length >= 1);
    await Promise.all([hub.wake('conv-a'), hub.catchUp()]);
    await settle();
    expect(resumed.events.map((e) => e.data.text)).toEqual(['three']);
    resumed.close();
    expect(errors).toEqual([]);
  });

  it('a message stored while no wake-up came is found by the catch-up', async () => {
    const stream = await openEvents(`${url}/events/conv-c`);
    await settle();
    await store('conv-c', 'missed wake-up');
    await settle();
    expect(stream.events).toEqual([]);
    await hub.catchUp();
    await stream.waitFor((events) => events.length >= 1);
    expect(stream.events.map((e) => e.data.text)).toEqual(['missed wake-up']);
    stream.close();
  });

  it('a fresh page gets the newest few messages, oldest first', async () => {
    for (const n of ['1', '2', '3', '4', '5']) await store('conv-d', n);
    const fresh = await openEvents(`${url}/events/conv-d`);
    await fresh.waitFor((events) => events.length >= 3);
    await settle();
    expect(fresh.events.map((e) => e.data.text)).toEqual(['3', '4', '5']);
    fresh.close();
  });
});
