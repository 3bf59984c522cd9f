import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialogueSchema } from '../../../src/config/sections/dialogue.js';
import type { ConversationAddress, OutboundMessage, SentMessage } from '../../../src/engine/contract.js';
import { createEngine, type DialogueEngine } from '../../../src/engine/dialogue/index.js';
import { loadFlows } from '../../../src/engine/flows/load.js';
import type { TurnCommit } from '../../../src/engine/ports/conversation-store.js';
import type { KeyedLock } from '../../../src/engine/ports/coordination.js';
import { TicketNews } from '../../../src/engine/tickets/news.js';
import { PgConversationStore } from '../../../src/storage/postgres/conversation-store.js';
import { pgCoordination } from '../../../src/storage/postgres/coordination.js';
import { migratePg } from '../../../src/storage/postgres/migrate.js';
import { pgMigrations } from '../../../src/storage/postgres/migrations.js';
import { createPgPool, type PgPool } from '../../../src/storage/postgres/pool.js';
import { PgTicketNewsStore } from '../../../src/storage/postgres/ticket-news-store.js';
import { connectRedis, type RedisClient } from '../../../src/storage/redis/client.js';
import { RedisKeyedLock } from '../../../src/storage/redis/lock.js';
import { REDIS_TEST_URL } from '../../helpers/coordination-backends.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { FakeKnowledge } from './fake-knowledge.js';
import { RecordingSink, REPO_KNOWLEDGE } from './harness.js';
import { Chat } from './transcript.js';

/**
 * Two replicas of the engine (each its own PostgreSQL pool for the conversation store and its own
 * connection to the cross-replica lock) on one database. Replica B's work on a conversation (ticket
 * news, a guided-fix time-out) is held between reading the conversation and committing it while
 * the user's turn arrives on replica A: the turn must wait for B's commit and start from it, or one
 * of the two writes is lost (B's commit of a state read before A's would overwrite A's).
 */

/** A conversation store whose next commit waits until the test lets it go (a slow database). */
class HeldStore extends PgConversationStore {
  private hold: { reached: () => void; released: Promise<void> } | undefined;

  /** Holds the next commitTurn; resolves `reached` when it is held, commits on `release()`. */
  holdNextCommit(): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const released = new Promise<void>((r) => (release = r));
    this.hold = { reached, released };
    return { reached: reachedP, release };
  }

  override async commitTurn(commit: TurnCommit): Promise<void> {
    const hold = this.hold;
    this.hold = undefined;
    if (hold) {
      hold.reached();
      await hold.released;
    }
    return super.commitTurn(commit);
  }
}

class RecordingSender {
  readonly channel = 'test';
  readonly sent: Array<{ address: ConversationAddress; message: OutboundMessage }> = [];
  async send(address: ConversationAddress, message: OutboundMessage): Promise<SentMessage> {
    this.sent.push({ address, message });
    return {};
  }
}

interface LockBackend {
  name: string;
  /** One replica's cross-replica lock; every replica of one test shares the server. */
  replicaLock(): Promise<KeyedLock>;
  dispose(): Promise<void>;
}

function postgresLocks(db: TestDatabase): LockBackend {
  const pools: PgPool[] = [];
  return {
    name: 'postgres',
    async replicaLock() {
      const pool = createPgPool(db.url, { max: 4 });
      pools.push(pool);
      return (await pgCoordination(pool, { waitTimeoutMs: 20_000 })).lock;
    },
    async dispose() {
      for (const p of pools) await p.end();
    },
  };
}

function redisLocks(): LockBackend {
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const clients: RedisClient[] = [];
  return {
    name: 'redis',
    async replicaLock() {
      const client = await connectRedis(REDIS_TEST_URL);
      clients.push(client);
      return new RedisKeyedLock(client, { prefix, waitTimeoutMs: 20_000 });
    },
    async dispose() {
      for (const c of clients) await c.quit().catch(() => undefined);
    },
  };
}

const LOCKS: Array<{ name: string; make: (db: TestDatabase) => LockBackend }> = [
  { name: 'postgres', make: postgresLocks },
  { name: 'redis', make: () => redisLocks() },
];

interface Replica {
  engine: DialogueEngine;
  store: HeldStore;
  pool: PgPool;
}

/** Settles with true if `p` settles within `ms`, false otherwise (it keeps running). */
const settlesWithin = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

for (const { name, make } of LOCKS) {
  describe(`the engine's lock across replicas (${name} lock, PostgreSQL stores)`, () => {
    let db: TestDatabase;
    let locks: LockBackend;
    let a: Replica;
    let b: Replica;
    let sink: RecordingSink;
    const now = { value: new Date('2026-11-22T09:00:00.000Z') };

    beforeEach(async () => {
      db = await createTestDatabase('engine_lock');
      const admin = createPgPool(db.url, { max: 1 });
      await migratePg(admin, pgMigrations);
      await admin.end();
      locks = make(db);
      sink = new RecordingSink();
      now.value = new Date('2026-11-22T09:00:00.000Z');
      const { catalog } = loadFlows(REPO_KNOWLEDGE);
      const config = dialogueSchema.parse({});
      const replica = async (): Promise<Replica> => {
        const pool = createPgPool(db.url, { max: 4 });
        const store = new HeldStore(pool);
        const engine = createEngine({ knowledge: new FakeKnowledge(), store, escalation: sink, flows: catalog, config, clock: () => now.value, lock: await locks.replicaLock() });
        return { engine, store, pool };
      };
      a = await replica();
      b = await replica();
    });

    afterEach(async () => {
      await a?.pool.end();
      await b?.pool.end();
      await locks?.dispose();
      await db?.drop();
    });

    it('ticket news told on replica B while a turn of the same conversation runs on A: neither write is lost', async () => {
      const chat = new Chat(a.engine);
      await chat.run(`
        user says "I want to talk to a technician"
        click "Open the ticket"
      `);
      const packet = sink.packets[0]!;
      const sender = new RecordingSender();
      const news = new TicketNews({ engine: b.engine, sender, store: new PgTicketNewsStore(b.pool) });

      // B has read the conversation for the news and is about to commit it.
      const held = b.store.holdNextCommit();
      const told = news.statusChanged({ ticket: { provider: 'local', id: '1', number: 'HD-000001' }, state: 'in_progress', rawStatus: 'In progress', packet });
      await held.reached;
      // Meanwhile the user asks a question on A: the answer asks "Did this solve it?".
      const turn = chat.say('the vpn gateway says it cannot connect');
      const turnDoneWhileNewsHeld = await settlesWithin(turn, 750);
      held.release();
      expect(await told).toMatchObject({ notified: true });
      await turn;
      expect(chat.lastText).toContain('Did this solve it?');

      // The user's answer still finds the question it answers (B's commit did not put back the state before it).
      await chat.run(`
        click "Yes"
        bot says "glad it's fixed"
      `);
      const conversation = await a.store.findConversation({ channel: 'test', conversationId: chat.conversationId });
      const out = (await a.store.transcript(conversation!.id)).filter((t) => t.direction === 'out').map((t) => t.text);
      expect(out.filter((t) => t.includes('HD-000001'))).toHaveLength(1);
      expect(sender.sent).toHaveLength(1);
      // Serialised across replicas: the turn waited for the news' commit.
      expect(turnDoneWhileNewsHeld).toBe(false);
    });

    it('a guided-fix time-out swept on replica B while the user answers the fix on A: what the user is told is what is stored', async () => {
      const chat = new Chat(a.engine);
      await chat.run(`
        user says "fix my vpn"
        bot says "does the internet work without the VPN"
      `);
      // 31 minutes later (time-out 30) B's sweep closes the idle fix just as the user answers it on A.
      now.value = new Date('2026-11-22T09:31:00.000Z');
      const held = b.store.holdNextCommit();
      const swept = b.engine.sweep();
      await held.reached;
      const turn = chat.click('Yes');
      const turnDoneWhileSweepHeld = await settlesWithin(turn, 750);
      held.release();
      const sent = await swept;
      await turn;

      const conversation = await a.store.findConversation({ channel: 'test', conversationId: chat.conversationId });
      const flow = await a.store.activeFlow(conversation!.id);
      // Either the user's answer came first (the fix goes on, nothing to close) or the time-out did
      // (the fix is closed and the late answer does not continue it); never both, which is the fix
      // shown going on to its next step while the stored run is closed.
      if (chat.lastText.includes('What happens when you try to connect the VPN?')) {
        expect(flow, 'the user was shown the next step of the fix: it must still be running').toMatchObject({ flowId: 'vpn-connect', stepId: 'symptom', status: 'active' });
        expect(sent).toEqual([]);
      } else {
        expect(sent).toHaveLength(1);
        expect(flow).toBeUndefined();
      }
      // B took the lock first: the turn on A waited for the sweep's commit, then saw the fix closed.
      expect(turnDoneWhileSweepHeld).toBe(false);
      expect(sent).toHaveLength(1);
    });
  });
}
