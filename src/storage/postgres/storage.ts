import type { Translator } from '../../engine/i18n.js';
import { PgActionAuditLog } from './action-audit-store.js';
import { PgConversationStore } from './conversation-store.js';
import { PgDraftStore } from './draft-store.js';
import { PgHandoffStore } from './handoff-store.js';
import { migratePg } from './migrate.js';
import { pgMigrations } from './migrations.js';
import { PgOutboxStore } from './outbox-store.js';
import { createPgPool, type PgPool, type PgPoolOptions } from './pool.js';
import { PgTicketNewsStore } from './ticket-news-store.js';
import { PgTicketNotes } from './ticket-notes-store.js';
import { PgTicketStore, type PgTicketStoreOptions } from './ticket-store.js';
import { PgAdminAudit } from './admin-audit.js';
import { PgChannelReferences } from './channel-references.js';
import { PgDeliveryLog } from './delivery-log.js';
import { PgEmbeddingCache } from './embedding-cache.js';

/**
 * Everything the PostgreSQL backend stores, on one pool, with the schema migrated (safe when
 * several replicas start at once: see migrate.ts). health() is a `SELECT 1` round trip.
 */
export interface PostgresStorage {
  pool: PgPool;
  conversations: PgConversationStore;
  drafts: PgDraftStore;
  handoffs: PgHandoffStore;
  ticketNews: PgTicketNewsStore;
  actionAudit: PgActionAuditLog;
  outbox: PgOutboxStore;
  ticketNotes: PgTicketNotes;
  adminAudit: PgAdminAudit;
  deliveries: PgDeliveryLog;
  references: PgChannelReferences;
  embeddingCache: PgEmbeddingCache;
  /** The local ticket system's store (TICKET_PROVIDER=local), with its number prefix. */
  localTickets(options?: PgTicketStoreOptions): PgTicketStore;
  /** Names of the migrations this start applied (empty when another replica or an earlier start did). */
  migrated: string[];
  health(): Promise<void>;
  /**
   * The last health() outcome, refreshed every `intervalMs` in the background: readiness probes are
   * synchronous and must not wait on the network.
   */
  watchHealth(intervalMs?: number): { current(): { ok: boolean; error?: string }; stop(): void };
  close(): Promise<void>;
}

export interface OpenPostgresOptions extends PgPoolOptions {
  translator?: Translator;
}

export async function openPostgresStorage(databaseUrl: string, options: OpenPostgresOptions = {}): Promise<PostgresStorage> {
  const { translator, ...poolOptions } = options;
  const pool = createPgPool(databaseUrl, poolOptions);
  try {
    const migrated = await migratePg(pool, pgMigrations);
    const health = async (): Promise<void> => {
      await pool.query('SELECT 1');
    };
    return {
      pool,
      conversations: new PgConversationStore(pool),
      drafts: new PgDraftStore(pool, translator ? { translator } : {}),
      handoffs: new PgHandoffStore(pool),
      ticketNews: new PgTicketNewsStore(pool),
      actionAudit: new PgActionAuditLog(pool),
      outbox: new PgOutboxStore(pool),
      ticketNotes: new PgTicketNotes(pool),
      adminAudit: new PgAdminAudit(pool),
      deliveries: new PgDeliveryLog(pool),
      references: new PgChannelReferences(pool),
      embeddingCache: new PgEmbeddingCache(pool),
      localTickets: (ticketOptions = {}) => new PgTicketStore(pool, ticketOptions),
      migrated,
      health,
      watchHealth: (intervalMs = 5_000) => {
        let last: { ok: boolean; error?: string } = { ok: true };
        const probe = () =>
          health().then(
            () => void (last = { ok: true }),
            (err: unknown) => void (last = { ok: false, error: `PostgreSQL: ${err instanceof Error ? err.message : String(err)}` }),
          );
        void probe();
        const timer = setInterval(probe, intervalMs);
        timer.unref();
        return { current: () => last, stop: () => clearInterval(timer) };
      },
      close: () => pool.end(),
    };
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}
