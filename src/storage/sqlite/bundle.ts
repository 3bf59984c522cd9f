import { dirname, join, resolve } from 'node:path';
import type { Translator } from '../../engine/i18n.js';
import type { EmbeddingCache } from '../../engine/ports/embedding-cache.js';
import type { LocalTicketOptions, StorageBundle } from '../bundle.js';
import { SqliteActionAuditLog } from './action-audit-store.js';
import { SqliteAdminAudit } from './admin-audit.js';
import { SqliteChannelReferences } from './channel-references.js';
import { SqliteConversationStore } from './conversation-store.js';
import type { Db } from './database.js';
import { SqliteProactiveLog } from './proactive-log.js';
import { SqliteDeliveryLog } from './delivery-log.js';
import { SqliteDraftStore } from './draft-store.js';
import { SqliteEmbeddingCache } from './embedding-cache.js';
import { SqliteHandoffStore } from './handoff-store.js';
import { SqliteLabelledExampleStore } from './labelled-examples-store.js';
import { SqliteDeskCalibrationStore } from './desk-calibration-store.js';
import { checkDatabaseWritable } from './health.js';
import { DatabaseFaults, openCheckedDatabase } from './integrity.js';
import { migrateSqlite } from './migrations.js';
import { SqliteOutboxStore } from './outbox-store.js';
import { SqliteTicketNewsStore } from './ticket-news-store.js';
import { SqliteTicketNotes } from './ticket-notes-store.js';
import { SqliteTicketStore } from './ticket-store.js';

export interface SqliteStorageOptions {
  /** DATA_DIR: helpdesk.db and embeddings.sqlite live there. */
  dataDir: string;
  /** Drafts' generated texts (titles) in the article's language. */
  translator?: Translator;
}

/** The SQLite bundle; `db` is for tests and tools inside src/storage/ that inspect the file. */
export interface SqliteStorage extends StorageBundle {
  readonly backend: 'sqlite';
  readonly db: Db;
}

/**
 * The embedded backend: one SQLite file (WAL, synchronous=FULL) under DATA_DIR, checked (writable
 * folder, `quick_check`) and migrated (src/storage/sqlite/migrations.ts) before anything is
 * served; the embedding cache in its own file beside it. Throws DatabaseUnusableError (exit 78)
 * when DATA_DIR or the file cannot be used.
 */
export function openSqliteStorage(options: SqliteStorageOptions): SqliteStorage {
  const dataDir = resolve(options.dataDir);
  const db = openCheckedDatabase(join(dataDir, 'helpdesk.db'));
  try {
    return sqliteStorageOn(db, options);
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * The bundle over a database already open (tests, tools, a crash-test child process): migrates it
 * and builds every store. The embedding cache goes beside the file (in memory for ':memory:').
 */
export function sqliteStorageOn(db: Db, options: Partial<SqliteStorageOptions> = {}): SqliteStorage {
  migrateSqlite(db);
  const memory = db.memory;
  const dataDir = resolve(options.dataDir ?? (memory ? '.' : dirname(db.name)));
  const faults = new DatabaseFaults();
  let embeddings: SqliteEmbeddingCache | undefined;
  let closed = false;
  return {
    backend: 'sqlite',
    location: memory ? ':memory:' : db.name,
    db,
    conversations: new SqliteConversationStore(db),
    drafts: new SqliteDraftStore(db, options.translator ? { translator: options.translator } : {}),
    handoffs: new SqliteHandoffStore(db),
    ticketNews: new SqliteTicketNewsStore(db),
    ticketNotes: new SqliteTicketNotes(db),
    actionAudit: new SqliteActionAuditLog(db),
    adminAudit: new SqliteAdminAudit(db),
    outbox: new SqliteOutboxStore(db),
    references: new SqliteChannelReferences(db),
    deliveries: new SqliteDeliveryLog(db),
    proactive: new SqliteProactiveLog(db),
    labels: new SqliteLabelledExampleStore(db),
    deskCalibrations: new SqliteDeskCalibrationStore(db),
    localTickets: (ticketOptions: LocalTicketOptions = {}) => new SqliteTicketStore(db, ticketOptions),
    embeddingCache(): EmbeddingCache {
      embeddings ??= SqliteEmbeddingCache.open(memory ? ':memory:' : join(dataDir, 'embeddings.sqlite'));
      return embeddings;
    },
    recordFault: (err) => faults.record(err),
    // Real faults seen by turns count: a file corrupt in the middle still takes the one-row health write.
    health: async () => faults.current() ?? checkDatabaseWritable(db),
    async close() {
      if (closed) return;
      closed = true;
      embeddings?.close();
      db.close();
    },
  };
}
