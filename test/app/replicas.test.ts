import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/coordination-backends.js';
import { openEvents, type SseReader } from '../helpers/sse.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
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

describe('two replicas on one PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dataDir: string;
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;
  let stream: SseReader | undefined;

  beforeAll(async () => {
    db = await freshDatabase();
    dataDir = tempDir('replicas');
    const env = { ...baseEnv(dataDir), DATABASE_URL: db.url, LOG_LEVEL: 'debug' };
    a = await startServerProcess({ env });
    // B's outbox only looks at start (when it is empty): the ticket is opened, and announced, by A.
    b = await startServerProcess({ env: { ...env, TICKET_OUTBOX_POLL_MS: '600000' } });
  }, 240_000);

  afterAll(async () => {
    stream?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
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
    expect(await proactiveSent(a!.url)).toBeGreaterThanOrEqual(1);
    expect(await proactiveSent(b!.url)).toBe(0);
  });
});
