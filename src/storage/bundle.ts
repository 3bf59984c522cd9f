import type { ActionAuditLog } from '../engine/ports/action-audit.js';
import type { AdminAuditLog } from '../engine/ports/admin-audit.js';
import type { ChannelReferences } from '../engine/ports/channel-references.js';
import type { ConversationStore } from '../engine/ports/conversation-store.js';
import type { DeliveryLog } from '../engine/ports/delivery-log.js';
import type { DraftStore } from '../engine/ports/drafts.js';
import type { EmbeddingCache } from '../engine/ports/embedding-cache.js';
import type { HandoffStore } from '../engine/ports/handoff.js';
import type { LabelledExampleStore } from '../engine/ports/labelled-examples.js';
import type { DeskCalibrationStore } from '../engine/ports/desk-calibrations.js';
import type { LocalTicketStore } from '../engine/ports/local-tickets.js';
import type { OutboxStore } from '../engine/ports/outbox.js';
import type { ProactiveLog } from '../engine/ports/proactive-log.js';
import type { TicketNewsStore } from '../engine/ports/ticket-news.js';
import type { TicketNotes } from '../engine/ports/ticket-notes.js';

/**
 * Every kind of durable state, each behind its port (src/engine/ports/), from one backend: the
 * embedded SQLite database in DATA_DIR or a PostgreSQL server (DATABASE_URL). The composition root
 * and the CLI build one with `openStorage` (src/storage/factory.ts) and get every store from it;
 * nothing outside src/storage/ holds a database handle.
 */
export type StorageBackend = 'sqlite' | 'postgres';

export interface StorageHealth {
  ok: boolean;
  error?: string;
}

export interface LocalTicketOptions {
  /** Number prefix: HD gives HD-000123. */
  prefix?: string;
  /** Called when a change listener throws; listeners never break a write. */
  onListenerError?: (err: unknown) => void;
}

export interface StorageBundle {
  readonly backend: StorageBackend;
  /** Where the data is, for logs and messages: a file path, or the server URL without its password. */
  readonly location: string;
  readonly conversations: ConversationStore;
  readonly drafts: DraftStore;
  readonly handoffs: HandoffStore;
  readonly ticketNews: TicketNewsStore;
  readonly ticketNotes: TicketNotes;
  readonly actionAudit: ActionAuditLog;
  readonly adminAudit: AdminAuditLog;
  readonly outbox: OutboxStore;
  readonly references: ChannelReferences;
  /** Human judgements tying questions to articles (README "Learning from the desk"). */
  readonly labels: LabelledExampleStore;
  /** The desk's refits, so every replica serves what a technician fitted (README "Learning from the desk"). */
  readonly deskCalibrations: DeskCalibrationStore;
  /** Durable inbound de-duplication (Slack retries, replays). */
  readonly deliveries: DeliveryLog;
  /** What the bot said on its own in web chats, read back by whichever replica holds the page's stream. */
  readonly proactive: ProactiveLog;
  /** The local ticket system's store (TICKET_PROVIDER=local); its change listeners are per instance. */
  localTickets(options?: LocalTicketOptions): LocalTicketStore;
  /** The embedding cache, opened on first use; throws when it cannot be opened (the caller decides to go on without). */
  embeddingCache(): EmbeddingCache;
  /** Records an error met by a request: a real database fault takes readiness down (true when it was one). */
  recordFault(err: unknown): boolean;
  /** A real write plus the faults recorded lately: what /readyz reports for the database. */
  health(): Promise<StorageHealth>;
  /** Releases every connection; the bundle is unusable afterwards. */
  close(): Promise<void>;
}
