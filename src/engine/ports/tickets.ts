import type { EscalationPacket } from '../escalation/packet.js';

/**
 * One interface for every ticket system (local, ServiceNow, Jira SM, GLPI, Zendesk, webhook).
 * Providers are adapters under src/tickets/; the engine and the outbox only see this port.
 */

/** Normalised lifecycle so the engine can talk about any provider's status in both languages. */
export type TicketState = 'new' | 'in_progress' | 'on_hold' | 'resolved' | 'closed' | 'cancelled' | 'unknown';

export interface TicketRef {
  provider: string;
  /** The provider's internal id (ServiceNow sys_id, Jira issueId, GLPI id, Zendesk id). */
  id: string;
  /** What people read and type: HD-000123, INC0012345, ITSD-42, GLPI #1234, Zendesk #35436. */
  number: string;
  url?: string;
}

export interface TicketStatus extends TicketRef {
  state: TicketState;
  /** The provider's own status label, as-is. */
  rawStatus: string;
  title?: string;
  assignee?: string;
  updatedAt?: string;
  resolutionNotes?: string;
  /**
   * Who the ticket is for, when the provider can tell: "status of …" answers only the requester.
   * Providers that cannot tell leave it out; then only tickets opened from the user's own
   * conversations are shown (TicketOwnership).
   */
  requester?: { id?: string; email?: string };
}

export interface TicketRequester {
  id: string;
  /** The channel that verified `id`: an id matches only a user of the same channel. */
  channel?: string;
  email?: string;
  name?: string;
}

/** Remembers which tickets were opened from whose conversations (the ticket outbox does). */
export interface TicketOwnership {
  openedFor(ticket: TicketRef, requester: TicketRequester): Promise<boolean>;
}

export interface CreateTicketOptions {
  /** Stable across retries of the same escalation (the packet id). */
  idempotencyKey: string;
  /**
   * 1 for the first delivery attempt. From 2 on (or when unknown) an earlier attempt may have created
   * the ticket, so providers without server-side idempotency look it up by the key before creating.
   */
  attempt?: number;
}

export interface TicketProvider {
  readonly name: string;
  /** Creates the ticket. Must be idempotent on `idempotencyKey` wherever the product allows it. */
  create(packet: EscalationPacket, options: CreateTicketOptions): Promise<TicketRef>;
  /** Looks a ticket up by its display number or id; undefined when it does not exist. */
  status(numberOrId: string): Promise<TicketStatus | undefined>;
  /** The requester's open and recent tickets, newest first. */
  listForRequester(requester: TicketRequester): Promise<TicketStatus[]>;
  /**
   * Adds the requester's comment to the ticket (visible to the technicians working it). Providers
   * that cannot yet leave it out; channels then offer no "Add a comment" button.
   */
  addComment?(ticket: TicketRef, comment: TicketComment): Promise<void>;
}

export interface TicketComment {
  /** Already redacted of secrets by the engine. */
  text: string;
  /** Who wrote it (the requester's name or id), for the ticket's history. */
  author: string;
}

/** Thrown by providers; the outbox uses `retryable` and `retryAfterMs` to schedule the next attempt. */
export class TicketError extends Error {
  readonly retryable: boolean;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    options: { retryable: boolean; httpStatus?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'TicketError';
    this.retryable = options.retryable;
    this.httpStatus = options.httpStatus;
    this.retryAfterMs = options.retryAfterMs;
  }
}
