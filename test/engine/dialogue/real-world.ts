import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeRuntime, type KnowledgeRuntime } from '../../../src/app/knowledge.js';
import { loadConfig } from '../../../src/config/index.js';
import { createEngine, type DialogueEngine, type EngineDeps } from '../../../src/engine/dialogue/index.js';
import { loadFlows } from '../../../src/engine/flows/load.js';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import type { SqliteConversationStore } from '../../../src/storage/sqlite/conversation-store.js';
import { createTicketOutbox, createTicketProvider } from '../../../src/tickets/factory.js';
import { sqliteStorageOn } from '../../../src/storage/sqlite/bundle.js';
import type { TicketOutbox } from '../../../src/tickets/outbox.js';
import type { TicketProvider } from '../../../src/engine/ports/tickets.js';
import { REPO_KNOWLEDGE } from './harness.js';
import { Chat } from './transcript.js';

/**
 * The real thing for acceptance transcripts: the retrieval service over the repository's
 * knowledge/ with the default embedder, the SQLite store, the local ticket provider behind the
 * transactional outbox, and the shipped flows.
 */
export async function openRealKnowledge(): Promise<{ runtime: KnowledgeRuntime; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialogue-kb-'));
  const config = loadConfig({});
  const runtime = await createKnowledgeRuntime({ core: { kbDir: REPO_KNOWLEDGE, dataDir }, retrieval: config.retrieval });
  return {
    runtime,
    async close() {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface World {
  dbFile: string;
  db: Db;
  store: SqliteConversationStore;
  outbox: TicketOutbox;
  tickets: TicketProvider;
  engine: DialogueEngine;
  chats: Chat[];
  /** A chat in this world; proactive ticket messages land in its history. */
  chat(user?: Chat['user']): Chat;
  /** Delivers pending escalations to the local ticket system (the outbox worker's job). */
  deliver(): Promise<void>;
  /** New engine on the same database file, as after a restart. */
  restart(): DialogueEngine;
  close(): void;
}

export function openWorld(knowledge: KnowledgeRuntime, overrides: Partial<EngineDeps> = {}): World {
  const dir = mkdtempSync(join(tmpdir(), 'dialogue-world-'));
  const dbFile = join(dir, 'helpdesk.db');
  const config = loadConfig({});
  const { catalog } = loadFlows(REPO_KNOWLEDGE);

  /** Everything a process opens at start, on the database file. */
  const boot = () => {
    const db = openDatabase(dbFile);
    const storage = sqliteStorageOn(db);
    const store = storage.conversations as SqliteConversationStore;
    const tickets = createTicketProvider(config.tickets, { storage });
    const outbox = createTicketOutbox(config.tickets, tickets, { storage });
    const engine = createEngine({ knowledge: knowledge.service, store, escalation: outbox, tickets, flows: catalog, config: config.dialogue, ...overrides });
    outbox.onDelivered(async ({ item, ticket }) => {
      const sent = await engine.ticketUpdate({ packet: item.packet, ticket });
      const chat = world.chats.find((c) => c.conversationId === sent?.address.conversationId);
      if (sent && chat) chat.history.push([sent.message]);
    });
    return { db, store, tickets, outbox, engine };
  };

  const world: World = {
    dbFile,
    ...boot(),
    chats: [],
    chat(user) {
      const c = new Chat(world.engine, undefined, user);
      world.chats.push(c);
      return c;
    },
    async deliver() {
      await world.outbox.runOnce();
    },
    restart() {
      world.db.close();
      Object.assign(world, boot());
      for (const c of world.chats) c.engine = world.engine;
      return world.engine;
    },
    close() {
      world.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
