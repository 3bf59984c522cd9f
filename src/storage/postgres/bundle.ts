import type { Translator } from '../../engine/i18n.js';
import type { LocalTicketOptions, StorageBundle, StorageHealth } from '../bundle.js';
import { PgActionAuditLog } from './action-audit-store.js';
import { PgAdminAudit } from './admin-audit.js';
import { PgChannelReferences } from './channel-references.js';
import { PgConversationStore } from './conversation-store.js';
import { PgDeliveryLog } from './delivery-log.js';
import { PgDraftStore } from './draft-store.js';
import { PgEmbeddingCache } from './embedding-cache.js';
import { PgHandoffStore } from './handoff-store.js';
import { PgLabelledExampleStore } from './labelled-examples-store.js';
import { PgDeskCalibrationStore } from './desk-calibration-store.js';
import { migratePg } from './migrate.js';
import { pgMigrations } from './migrations.js';
import { PgOutboxStore } from './outbox-store.js';
import { PgProactiveLog } from './proactive-log.js';
import { createPgPool, type PgPool, type PgPoolOptions } from './pool.js';
import { PgTicketNewsStore } from './ticket-news-store.js';
import { PgTicketNotes } from './ticket-notes-store.js';
import { PgTicketStore } from './ticket-store.js';

export interface PostgresStorageOptions extends PgPoolOptions {
  translator?: Translator;
}

/** The PostgreSQL bundle; `pool` is for tools inside src/storage/ (and cross-replica coordination) that need the server. */
export interface PostgresStorage extends StorageBundle {
  readonly backend: 'postgres';
  readonly pool: PgPool;
  /** Migrations this start applied (empty when another replica, or an earlier start, did). */
  readonly migrated: string[];
}

/** Errors that mean the server or the connection is at fault, not the statement (SQLSTATE classes 08, 53, 57P). */
function isServerFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return /^(08|53|57P)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code);
}

function withoutPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.href;
}

/**
 * The server backend (DATABASE_URL): one pool for the process, the schema migrated under an advisory
 * lock before anything is served (two replicas starting at once are safe), every store on that pool.
 * health() is a `SELECT 1` round trip.
 */
export async function openPostgresStorage(databaseUrl: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
  const { translator, ...poolOptions } = options;
  const pool = createPgPool(databaseUrl, poolOptions);
  let migrated: string[];
  try {
    migrated = await migratePg(pool, pgMigrations);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  const embeddings = new PgEmbeddingCache(pool);
  let closed = false;
  return {
    backend: 'postgres',
    location: withoutPassword(databaseUrl),
    pool,
    migrated,
    conversations: new PgConversationStore(pool),
    drafts: new PgDraftStore(pool, translator ? { translator } : {}),
    handoffs: new PgHandoffStore(pool),
    ticketNews: new PgTicketNewsStore(pool),
    ticketNotes: new PgTicketNotes(pool),
    actionAudit: new PgActionAuditLog(pool),
    adminAudit: new PgAdminAudit(pool),
    outbox: new PgOutboxStore(pool),
    references: new PgChannelReferences(pool),
    deliveries: new PgDeliveryLog(pool),
    proactive: new PgProactiveLog(pool),
    labels: new PgLabelledExampleStore(pool),
    deskCalibrations: new PgDeskCalibrationStore(pool),
    localTickets: (ticketOptions: LocalTicketOptions = {}) => new PgTicketStore(pool, ticketOptions),
    embeddingCache: () => embeddings,
    recordFault: (err) => isServerFault(err),
    async health(): Promise<StorageHealth> {
      try {
        await pool.query('SELECT 1');
        return { ok: true };
      } catch (err) {
        return { ok: false, error: `PostgreSQL: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
