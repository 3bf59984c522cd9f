import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { freshDatabase, REDIS_TEST_URL } from '../helpers/coordination-backends.js';
import { PG_ADMIN_URL } from '../helpers/postgres.js';
import { connectRedis } from '../../src/storage/redis/client.js';
import { openEvents, type SseReader } from '../helpers/sse.js';
import { startServerProcess, until, type ServerProcess } from '../helpers/server-process.js';
import { baseEnv, chat, choices, tempDir } from '../reliability/helpers.js';

/**
 * Two real server processes coordinating through one PostgreSQL database (DATABASE_URL). A web
 * chat page holds its event stream on replica B; the user escalates on replica A, whose outbox
 * opens the ticket and says the number on its own. The message must reach the stream on B, also
 * when B was cut off from the bus while it was sent (it is stored first, B reads what it missed).
 */

const proactiveSent = async (url: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('helpdesk_proactive_messages_total{') && l.includes('channel="web"') && l.includes('outcome="sent"'));
  return line ? Number(line.split(' ').pop()) : 0;
};

/** Local ports of the TCP connections process `pid` holds to a server listening on `port` (ss). */
function localPorts(pid: number, port: number): number[] {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${port} )`]).toString();
  return out
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => Number(line.trim().split(/\s+/)[2]!.split(':').pop()));
}

/**
 * Cuts one replica (by process id) off the bus: its LISTEN connection terminated by the server
 * (pg_terminate_backend), or its Redis subscriber connection killed (CLIENT KILL). Returns how many
 * connections went. Only that process's connections are touched (other jobs share these servers).
 */
type CutOff = (pid: number, dbName: string) => Promise<number>;

const cutPostgres: CutOff = async (pid, dbName) => {
  const ports = localPorts(pid, 5432);
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN %' AND client_port = ANY($2::int[])`,
      [dbName, ports],
    );
    return rows.length;
  } finally {
    await admin.end();
  }
};

const cutRedis: CutOff = async (pid) => {
  const ports = new Set(localPorts(pid, 6379));
  const redis = await connectRedis(REDIS_TEST_URL);
  try {
    const list = await redis.sendCommand<string>(['CLIENT', 'LIST', 'TYPE', 'pubsub']);
    const ids = String(list)
      .split('\n')
      .filter((line) => ports.has(Number(/ addr=[^ ]*:(\d+) /.exec(` ${line} `)?.[1])))
      .map((line) => /(?:^| )id=(\d+)/.exec(line)![1]!);
    for (const id of ids) await redis.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    return ids.length;
  } finally {
    await redis.quit();
  }
};

const BACKENDS = [
  { name: 'PostgreSQL (LISTEN/NOTIFY)', env: (dbUrl: string) => ({ DATABASE_URL: dbUrl }), cutOff: cutPostgres },
  { name: 'Redis (pub/sub)', env: (dbUrl: string) => ({ DATABASE_URL: dbUrl, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:` }), cutOff: cutRedis },
];

describe.each(BACKENDS)('two replicas coordinating through $name', (backend) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dataDir: string;
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;
  let stream: SseReader | undefined;
  let env: Record<string, string> = {};

  beforeAll(async () => {
    db = await freshDatabase();
    dataDir = tempDir('replicas');
    env = { ...baseEnv(dataDir), ...backend.env(db.url) };
    a = await startServerProcess({ env });
    // B's outbox only looks at start (when it is empty): the ticket is opened, and announced, by A.
    b = await startServerProcess({ env: { ...env, TICKET_OUTBOX_POLL_MS: '600000' } });
  }, 240_000);

  afterAll(async () => {
    stream?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    const prefix = env.REDIS_KEY_PREFIX;
    if (prefix) {
      const redis = await connectRedis(REDIS_TEST_URL);
      for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) if (keys.length) await redis.del(keys);
      await redis.quit();
    }
  });

  it('delivers a proactive message sent by replica A to the web chat stream held on replica B', async () => {
    const user = { conversationId: 'replicas-escalation-1', userId: 'replica-user-1' };
    const first = await chat(a!.url, { ...user, messageId: 'replicas-msg-1', text: 'agent' });
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    stream = await openEvents(`${b!.url}/api/chat/events?conversationId=${user.conversationId}`, { 'x-forwarded-user': user.userId });
    expect(stream.status).toBe(200);

    const offer = choices(first, 'escalate')[0];
    expect(offer).toBeDefined();
    let reply = await chat(a!.url, { ...user, messageId: 'replicas-msg-2', action: offer! });
    if (!JSON.stringify(reply.replies).includes('"kind":"ticket"')) reply = await chat(a!.url, { ...user, messageId: 'replicas-msg-3', text: 'my docking station stopped charging the laptop' });
    expect(reply.status).toBe(200);

    await stream.waitFor((events) => events.some((e) => JSON.stringify(e.data).includes('"number"')), 30_000);
    const announced = stream.events.find((e) => JSON.stringify(e.data).includes('"number"'))!;
    expect(JSON.stringify(announced.data)).toMatch(/HD-?\d+/);
    // Sent by A (its proactive router), written by B (the only replica holding the stream).
    // A counts the message once its publish returns, which can be after B already wrote it.
    await until(async () => ((await proactiveSent(a!.url)) >= 1 ? true : undefined), 'replica A counting its proactive message');
    expect([await proactiveSent(a!.url), await proactiveSent(b!.url)]).toEqual([1, 0]);
  });

  it("a proactive message sent while the stream's replica is cut off from the bus still reaches the page, once", async () => {
    const user = { conversationId: 'replicas-escalation-2', userId: 'replica-user-2' };
    const first = await chat(a!.url, { ...user, messageId: 'replicas-cut-1', text: 'agent' });
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    const page = await openEvents(`${b!.url}/api/chat/events?conversationId=${user.conversationId}`, { 'x-forwarded-user': user.userId });
    expect(page.status).toBe(200);
    const sentBefore = await proactiveSent(a!.url);

    // B's bus connection is killed again and again (every 50 ms) from before the escalation until
    // after A has stored and published the ticket number: B hears no wake-up for it.
    let cuts = 0;
    let cutting = true;
    const loop = (async () => {
      while (cutting) {
        cuts += await backend.cutOff(b!.child.pid!, db.name);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await until(() => (cuts > 0 ? true : undefined), "replica B's bus connection killed", 30_000);
    const offer = choices(first, 'escalate')[0];
    expect(offer).toBeDefined();
    let reply = await chat(a!.url, { ...user, messageId: 'replicas-cut-2', action: offer! });
    if (!JSON.stringify(reply.replies).includes('"kind":"ticket"')) reply = await chat(a!.url, { ...user, messageId: 'replicas-cut-3', text: 'my docking station stopped charging the laptop' });
    expect(reply.status).toBe(200);
    await until(async () => ((await proactiveSent(a!.url)) > sentBefore ? true : undefined), 'replica A sending the ticket number', 60_000);
    cutting = false;
    await loop;
    expect(cuts).toBeGreaterThan(0);

    // B's subscription comes back and it reads from storage what it missed.
    await page.waitFor((events) => events.some((e) => JSON.stringify(e.data).includes('"number"')), 30_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const ticket = page.events.filter((e) => JSON.stringify(e.data).includes('"number"'));
    expect(ticket).toHaveLength(1);
    // Each event id once on this stream.
    expect(new Set(page.events.map((e) => e.id)).size).toBe(page.events.length);
    page.close();

    // The page reconnects to the other replica with its Last-Event-ID: nothing twice, nothing lost.
    const resumed = await openEvents(`${a!.url}/api/chat/events?conversationId=${user.conversationId}`, { 'x-forwarded-user': user.userId, 'Last-Event-ID': page.events.at(-1)!.id! });
    expect(resumed.status).toBe(200);
    const behind = await openEvents(`${a!.url}/api/chat/events?conversationId=${user.conversationId}`, { 'x-forwarded-user': user.userId, 'Last-Event-ID': String(Number(ticket[0]!.id) - 1) });
    await behind.waitFor((events) => events.length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(resumed.events).toEqual([]);
    expect(behind.events.map((e) => e.id)).toEqual(page.events.filter((e) => Number(e.id) >= Number(ticket[0]!.id)).map((e) => e.id));
    expect(behind.events[0]!.data).toEqual(ticket[0]!.data);
    resumed.close();
    behind.close();
  });
});
