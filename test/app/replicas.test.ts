import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { freshDatabase, REDIS_TEST_URL } from '../helpers/coordination-backends.js';
import { connectRedis } from '../../src/storage/redis/client.js';
import { openEvents, type SseReader } from '../helpers/sse.js';
import { startServerProcess, until, type ServerProcess } from '../helpers/server-process.js';
import { baseEnv, chat, choices, tempDir } from '../reliability/helpers.js';

/**
 * Two real server processes coordinating through one PostgreSQL database (DATABASE_URL). A web
 * chat page holds its event stream on replica B; the user escalates on replica A, whose outbox
 * opens the ticket and says the number on its own. The message must reach the stream on B.
 * (The conversations themselves are still in SQLite here: both processes share one DATA_DIR.)
 */

const proactiveSent = async (url: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('helpdesk_proactive_messages_total{') && l.includes('channel="web"') && l.includes('outcome="sent"'));
  return line ? Number(line.split(' ').pop()) : 0;
};

const BACKENDS = [
  { name: 'PostgreSQL (LISTEN/NOTIFY)', env: (dbUrl: string) => ({ DATABASE_URL: dbUrl }) },
  { name: 'Redis (pub/sub)', env: (dbUrl: string) => ({ DATABASE_URL: dbUrl, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:` }) },
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
});
