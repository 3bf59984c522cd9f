import { afterAll, afterEach, beforeEach, describe } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionAuditLog } from '../../../src/engine/ports/action-audit.js';
import type { ConversationStore } from '../../../src/engine/ports/conversation-store.js';
import type { DraftStore } from '../../../src/engine/ports/drafts.js';
import type { HandoffStore } from '../../../src/engine/ports/handoff.js';
import type { OutboxStore } from '../../../src/engine/ports/outbox.js';
import type { AdminAuditLog } from '../../../src/engine/ports/admin-audit.js';
import type { LocalTicketStore } from '../../../src/engine/ports/local-tickets.js';
import type { TicketNotes } from '../../../src/engine/ports/ticket-notes.js';
import type { ChannelReferences } from '../../../src/engine/ports/channel-references.js';
import type { DeliveryLog } from '../../../src/engine/ports/delivery-log.js';
import type { EmbeddingCache } from '../../../src/engine/ports/embedding-cache.js';
import type { LabelledExampleStore } from '../../../src/engine/ports/labelled-examples.js';
import type { ProactiveLog } from '../../../src/engine/ports/proactive-log.js';
import type { DeskCalibrationStore } from '../../../src/engine/ports/desk-calibrations.js';
import { PgDeskCalibrationStore } from '../../../src/storage/postgres/desk-calibration-store.js';
import { SqliteDeskCalibrationStore } from '../../../src/storage/sqlite/desk-calibration-store.js';
import { PgProactiveLog } from '../../../src/storage/postgres/proactive-log.js';
import { SqliteProactiveLog } from '../../../src/storage/sqlite/proactive-log.js';
import { PgLabelledExampleStore } from '../../../src/storage/postgres/labelled-examples-store.js';
import { SqliteLabelledExampleStore } from '../../../src/storage/sqlite/labelled-examples-store.js';
import { PgEmbeddingCache } from '../../../src/storage/postgres/embedding-cache.js';
import { SqliteEmbeddingCache } from '../../../src/storage/sqlite/embedding-cache.js';
import { PgChannelReferences } from '../../../src/storage/postgres/channel-references.js';
import { PgDeliveryLog } from '../../../src/storage/postgres/delivery-log.js';
import { SqliteChannelReferences } from '../../../src/storage/sqlite/channel-references.js';
import { SqliteDeliveryLog } from '../../../src/storage/sqlite/delivery-log.js';
import { PgAdminAudit } from '../../../src/storage/postgres/admin-audit.js';
import { PgTicketStore } from '../../../src/storage/postgres/ticket-store.js';
import { PgTicketNotes } from '../../../src/storage/postgres/ticket-notes-store.js';
import { SqliteAdminAudit } from '../../../src/storage/sqlite/admin-audit.js';
import { SqliteTicketStore } from '../../../src/storage/sqlite/ticket-store.js';
import { SqliteTicketNotes } from '../../../src/storage/sqlite/ticket-notes-store.js';
import type { TicketNewsStore } from '../../../src/engine/ports/ticket-news.js';
import { PgOutboxStore } from '../../../src/storage/postgres/outbox-store.js';
import { SqliteOutboxStore } from '../../../src/storage/sqlite/outbox-store.js';
import { PgActionAuditLog } from '../../../src/storage/postgres/action-audit-store.js';
import { PgConversationStore } from '../../../src/storage/postgres/conversation-store.js';
import { PgDraftStore } from '../../../src/storage/postgres/draft-store.js';
import { PgHandoffStore } from '../../../src/storage/postgres/handoff-store.js';
import { migratePg } from '../../../src/storage/postgres/migrate.js';
import { pgMigrations } from '../../../src/storage/postgres/migrations.js';
import { createPgPool, type PgPool } from '../../../src/storage/postgres/pool.js';
import { SqliteTicketNewsStore } from '../../../src/storage/sqlite/ticket-news-store.js';
import { SqliteActionAuditLog } from '../../../src/storage/sqlite/action-audit-store.js';
import { SqliteConversationStore } from '../../../src/storage/sqlite/conversation-store.js';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { migrateSqlite } from '../../../src/storage/sqlite/migrations.js';
import { SqliteDraftStore } from '../../../src/storage/sqlite/draft-store.js';
import { SqliteHandoffStore } from '../../../src/storage/sqlite/handoff-store.js';
import { PgTicketNewsStore } from '../../../src/storage/postgres/ticket-news-store.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

/**
 * The backends every store contract suite runs against. A backend gives a fresh, empty database;
 * `connect()` opens one more independent connection to it (a second SQLite connection to the same
 * file, a second PostgreSQL pool), which is how the suites stand in for a second process or replica.
 */
export interface StoreSet {
  conversations: ConversationStore;
  handoffs: HandoffStore;
  drafts: DraftStore;
  ticketNews: TicketNewsStore;
  actionAudit: ActionAuditLog;
  outbox: OutboxStore;
  tickets: LocalTicketStore;
  ticketNotes: TicketNotes;
  adminAudit: AdminAuditLog;
  deliveries: DeliveryLog;
  references: ChannelReferences;
  embeddingCache: EmbeddingCache;
  labels: LabelledExampleStore;
  proactive: ProactiveLog;
  deskCalibrations: DeskCalibrationStore;
}

export interface ConnectOptions {
  now?: () => Date;
  /** Epoch-ms clock for the stores that take one (outbox leases). */
  clock?: () => number;
}

export interface BackendEnv {
  connect(options?: ConnectOptions): Promise<StoreSet>;
  /** Runs a read-only SQL count for assertions a report would make ("SELECT COUNT(*) AS n …"). */
  count(sql: string): Promise<number>;
  close(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Whether several connections really write at once (a server database) or take turns (SQLite). */
  concurrent: boolean;
  create(): Promise<BackendEnv>;
}

const sqlite: Backend = {
  name: 'sqlite',
  concurrent: false,
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
    const file = join(dir, 'helpdesk.db');
    const dbs: Db[] = [];
    const open = (): Db => {
      const db = openDatabase(file);
      dbs.push(db);
      return db;
    };
    const first = open();
    migrateSqlite(first);
    return {
      async connect(options = {}) {
        const db = open();
        return {
          conversations: new SqliteConversationStore(db),
          handoffs: new SqliteHandoffStore(db),
          drafts: new SqliteDraftStore(db, options),
          ticketNews: new SqliteTicketNewsStore(db),
          actionAudit: new SqliteActionAuditLog(db),
          outbox: new SqliteOutboxStore(db, options.clock),
          tickets: new SqliteTicketStore(db, options.now ? { now: options.now } : {}),
          ticketNotes: new SqliteTicketNotes(db, options.now),
          adminAudit: new SqliteAdminAudit(db),
          deliveries: new SqliteDeliveryLog(db, options.clock),
          references: new SqliteChannelReferences(db),
          embeddingCache: new SqliteEmbeddingCache(db),
          labels: new SqliteLabelledExampleStore(db, options.now),
          proactive: new SqliteProactiveLog(db),
          deskCalibrations: new SqliteDeskCalibrationStore(db, options.now),
        };
      },
      async count(sql) {
        return (first.prepare(sql).get() as { n: number }).n;
      },
      async close() {
        for (const db of dbs) db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/**
 * One fresh PostgreSQL database per test file (created on first use, dropped when the file ends),
 * emptied before each test: creating a database costs about two seconds on this machine, emptying
 * one a few milliseconds. Each test still starts from an empty, fully migrated schema.
 */
let sharedDatabase: Promise<{ database: TestDatabase; admin: PgPool }> | undefined;
afterAll(async () => {
  if (!sharedDatabase) return;
  const { database, admin } = await sharedDatabase;
  sharedDatabase = undefined;
  await admin.end();
  await database.drop();
});

async function emptyDatabase(): Promise<{ url: string; admin: PgPool }> {
  if (!sharedDatabase) {
    sharedDatabase = (async () => {
      const database = await createTestDatabase('store_contract');
      const admin = createPgPool(database.url, { max: 2 });
      await migratePg(admin, pgMigrations);
      return { database, admin };
    })();
  }
  const { database, admin } = await sharedDatabase;
  const { rows } = await admin.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`);
  await admin.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
  return { url: database.url, admin };
}

const postgres: Backend = {
  name: 'postgres',
  concurrent: true,
  async create() {
    const { url, admin } = await emptyDatabase();
    const pools: PgPool[] = [];
    return {
      async connect(options = {}) {
        const pool = createPgPool(url, { max: 4 });
        pools.push(pool);
        return {
          conversations: new PgConversationStore(pool),
          handoffs: new PgHandoffStore(pool),
          drafts: new PgDraftStore(pool, options),
          ticketNews: new PgTicketNewsStore(pool),
          actionAudit: new PgActionAuditLog(pool),
          outbox: new PgOutboxStore(pool, options.clock),
          tickets: new PgTicketStore(pool, options.now ? { now: options.now } : {}),
          ticketNotes: new PgTicketNotes(pool, options.now),
          adminAudit: new PgAdminAudit(pool),
          deliveries: new PgDeliveryLog(pool, options.clock),
          references: new PgChannelReferences(pool),
          embeddingCache: new PgEmbeddingCache(pool),
          labels: new PgLabelledExampleStore(pool, options.now),
          proactive: new PgProactiveLog(pool),
          deskCalibrations: new PgDeskCalibrationStore(pool, options.now),
        };
      },
      async count(sql) {
        return Number((await admin.query<{ n: string }>(sql)).rows[0]!.n);
      },
      async close() {
        await Promise.all(pools.map((p) => p.end()));
      },
    };
  },
};

export const backends: Backend[] = [sqlite, postgres];

/** One contract suite, run once per backend: `describeStoreContract('draft store', (backend) => …)`. */
export function describeStoreContract(title: string, suite: (backend: Backend) => void): void {
  describe.each(backends)(`${title} contract: $name`, suite);
}

/**
 * Gives each test a fresh database of `backend` and one store of `kind` on each of two independent
 * connections (`a` and `b`, see BackendEnv.connect), closed after the test. Call it inside a
 * describeStoreContract suite; what it returns stands for the current test's env and stores, so the
 * suite can name them once instead of reassigning them in its own beforeEach.
 */
export function connectEach<K extends keyof StoreSet>(
  backend: Backend,
  kind: K,
  options: ConnectOptions = {},
  optionsB: ConnectOptions = options,
): { env: BackendEnv; a: StoreSet[K]; b: StoreSet[K] } {
  let current: { env: BackendEnv; a: StoreSet[K]; b: StoreSet[K] } | undefined;
  beforeEach(async () => {
    const env = await backend.create();
    current = { env, a: (await env.connect(options))[kind], b: (await env.connect(optionsB))[kind] };
  });
  afterEach(async () => {
    await current?.env.close();
    current = undefined;
  });
  return { env: live(() => current?.env), a: live(() => current?.a), b: live(() => current?.b) };
}

/** An object forwarding to what `get` returns when it is used (methods bound to it). */
function live<T extends object>(get: () => T | undefined): T {
  const target = (): T => {
    const t = get();
    if (!t) throw new Error('store used outside a test (connectEach gives stores in tests and hooks only)');
    return t;
  };
  return new Proxy({} as T, {
    get(_, prop) {
      const t = target();
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
    has: (_, prop) => Reflect.has(target(), prop),
  });
}
