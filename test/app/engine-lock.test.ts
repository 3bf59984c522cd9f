import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialogueSchema } from '../../src/config/sections/dialogue.js';
import type { ConversationAddress } from '../../src/engine/contract.js';
import { createEngine } from '../../src/engine/dialogue/index.js';
import { loadFlows } from '../../src/engine/flows/load.js';
import type { Coordination } from '../../src/engine/ports/coordination.js';
import { PgConversationStore } from '../../src/storage/postgres/conversation-store.js';
import { pgCoordination } from '../../src/storage/postgres/coordination.js';
import { createPgPool, type PgPool } from '../../src/storage/postgres/pool.js';
import { connectRedis, type RedisClient } from '../../src/storage/redis/client.js';
import { redisCoordination } from '../../src/storage/redis/coordination.js';
import { RecordingSink } from '../engine/dialogue/harness.js';
import { FakeKnowledge } from '../engine/dialogue/fake-knowledge.js';
import { freshDatabase, REDIS_TEST_URL } from '../helpers/coordination-backends.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { postJson, REPO_KNOWLEDGE, startTestApp, type TestApp } from '../server/start.js';

/**
 * The composition root gives the engine the cross-replica lock: a composed server (replica A, on
 * PostgreSQL, coordination through PostgreSQL or Redis) and a second engine made here (replica B,
 * the same database and coordination backend). While B is in the middle of a proactive turn of a
 * web conversation (what ticket news and the technician relay do), A's turn of that conversation
 * waits for it, then runs on what B committed.
 */

const settlesWithin = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

const CASES: Array<{ name: string; env: () => Record<string, string>; coordination: (db: TestDatabase, env: Record<string, string>) => Promise<{ coordination: Coordination; close(): Promise<void> }> }> = [
  {
    name: 'PostgreSQL',
    env: () => ({}),
    async coordination(db) {
      const pool = createPgPool(db.url, { max: 4 });
      const coordination = await pgCoordination(pool, { waitTimeoutMs: 20_000 });
      return { coordination, close: async () => (await coordination.close(), await pool.end()) };
    },
  },
  {
    name: 'Redis',
    env: () => ({ REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:` }),
    async coordination(_db, env) {
      const client: RedisClient = await connectRedis(REDIS_TEST_URL);
      const coordination = redisCoordination(client, { prefix: env.REDIS_KEY_PREFIX! });
      return { coordination, close: async () => (await coordination.close(), void (await client.quit().catch(() => undefined))) };
    },
  },
];

for (const c of CASES) {
  describe(`the composed engine's lock across replicas (${c.name} coordination)`, () => {
    let db: TestDatabase;
    let app: TestApp | undefined;
    let pool: PgPool;
    let other: { coordination: Coordination; close(): Promise<void> };

    beforeAll(async () => {
      db = await freshDatabase();
      const env = { DATABASE_URL: db.url, ...c.env() };
      app = await startTestApp(env);
      pool = createPgPool(db.url, { max: 4 });
      other = await c.coordination(db, env);
    }, 120_000);

    afterAll(async () => {
      await app?.stop();
      await other?.close();
      await pool?.end();
      await db?.drop();
    });

    it("a web chat turn waits for another replica's proactive turn of the same conversation", async () => {
      const w = { conversationId: randomUUID().replace(/-/g, ''), user: { id: randomUUID().replace(/-/g, ''), name: 'Léa Martin' } };
      const address: ConversationAddress = { channel: 'web', conversationId: w.conversationId };
      expect((await postJson(`${app!.url}/api/chat`, { ...w, text: 'hello' })).status).toBe(200);

      const b = createEngine({
        knowledge: new FakeKnowledge(),
        store: new PgConversationStore(pool),
        escalation: new RecordingSink(),
        flows: loadFlows(REPO_KNOWLEDGE).catalog,
        config: dialogueSchema.parse({}),
        lock: other.coordination.lock,
      });
      let reached!: () => void;
      let release!: () => void;
      const inside = new Promise<void>((r) => (reached = r));
      const released = new Promise<void>((r) => (release = r));
      // Replica B has read the conversation and not committed yet.
      const spoken = b.speak(address, async (turn) => {
        reached();
        await released;
        turn.send([{ kind: 'text', text: 'A note from replica B.' }]);
      });
      await inside;
      const turn = postJson(`${app!.url}/api/chat`, { ...w, text: 'my vpn keeps disconnecting' });
      const answeredWhileHeld = await settlesWithin(turn, 1000);
      release();
      expect(await spoken).toHaveLength(1);
      const reply = await turn;
      expect(reply.status).toBe(200);
      expect(answeredWhileHeld).toBe(false);

      // Both are in the transcript, B's note before A's answer.
      const conversation = await app!.app.store.findConversation(address);
      const turns = (await app!.app.store.transcript(conversation!.id)).map((t) => `${t.direction}:${t.text}`);
      const note = turns.findIndex((t) => t === 'out:A note from replica B.');
      const question = turns.findIndex((t) => t === 'in:my vpn keeps disconnecting');
      expect(note).toBeGreaterThan(-1);
      expect(question).toBeGreaterThan(note);
    });
  });
}
