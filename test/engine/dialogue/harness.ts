import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine, type DialogueEngine, type EngineDeps } from '../../../src/engine/dialogue/index.js';
import { escalationPacketSchema, type EscalationPacket } from '../../../src/engine/escalation/packet.js';
import type { EscalationSink } from '../../../src/engine/ports/escalation.js';
import { loadFlows } from '../../../src/engine/flows/load.js';
import { dialogueSchema } from '../../../src/config/sections/dialogue.js';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { openConversationStore, type SqliteConversationStore } from '../../../src/storage/sqlite/conversation-store.js';
import { FakeKnowledge } from './fake-knowledge.js';

export const REPO_KNOWLEDGE = fileURLToPath(new URL('../../../knowledge', import.meta.url));

/** Records packets after checking them against the published schema (the unit-test stand-in for the outbox). */
export class RecordingSink implements EscalationSink {
  readonly packets: EscalationPacket[] = [];
  failNext = 0;
  async submit(packet: EscalationPacket): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('outbox unavailable');
    }
    this.packets.push(escalationPacketSchema.parse(packet));
  }
}

export interface Harness {
  dir: string;
  dbFile: string;
  db: Db;
  store: SqliteConversationStore;
  knowledge: FakeKnowledge;
  sink: RecordingSink;
  engine: DialogueEngine;
  now: { value: Date };
  /** A second engine on the same database file, as after a restart. */
  restart(): DialogueEngine;
  close(): void;
}

export function harness(overrides: Partial<EngineDeps> = {}, env: Record<string, string> = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'dialogue-'));
  const dbFile = join(dir, 'helpdesk.db');
  let db = openDatabase(dbFile);
  let store = openConversationStore(db);
  const knowledge = new FakeKnowledge();
  const sink = new RecordingSink();
  const now = { value: new Date('2026-11-22T09:00:00.000Z') };
  const { catalog } = loadFlows(REPO_KNOWLEDGE);
  const config = dialogueSchema.parse(env);
  const make = () =>
    createEngine({ knowledge, store, escalation: sink, flows: catalog, config, clock: () => now.value, ...overrides });
  const h: Harness = {
    dir,
    dbFile,
    db,
    store,
    knowledge,
    sink,
    now,
    engine: make(),
    restart() {
      db.close();
      db = openDatabase(dbFile);
      store = openConversationStore(db);
      h.db = db;
      h.store = store;
      return make();
    },
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
