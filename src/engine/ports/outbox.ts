import type { EscalationPacket } from '../escalation/packet.js';
import type { TicketRef } from './tickets.js';

/**
 * The ticket outbox (src/tickets/outbox.ts delivers from it): an escalation is stored here before
 * the user is told anything; workers claim due items under a lease and every state change is fenced
 * on the lease owner, so a worker that lost its lease cannot overwrite the one that took over.
 * Backends: src/storage/sqlite/outbox-store.ts (and the PostgreSQL one).
 *
 * Lifecycle: pending → delivering → delivered | pending (retry later) | dead (console can retry).
 * `notifiedAt` records that the user was told the outcome, so a crash between "delivered" and
 * "told the user" is replayed on restart instead of being forgotten.
 */
export type OutboxStatus = 'pending' | 'delivering' | 'delivered' | 'dead';

export interface OutboxItem {
  /** The packet id, also the idempotency key sent to the ticket system. */
  id: string;
  conversationId: string;
  channel: string;
  userId: string;
  packet: EscalationPacket;
  status: OutboxStatus;
  /** Attempts since the item was queued or last retried by hand (counted against maxAttempts). */
  attempts: number;
  /** All attempts ever made; 1 means no earlier attempt can have created a ticket. */
  totalAttempts: number;
  /** Epoch ms. */
  nextAttemptAt: number;
  leaseOwner?: string;
  leaseUntil?: number;
  lastError?: string;
  ticket?: TicketRef;
  createdAt: string;
  updatedAt: string;
  deliveredAt?: string;
  notifiedAt?: string;
}

export interface OutboxFilter {
  statuses?: OutboxStatus[];
  conversationId?: string;
  userId?: string;
  limit?: number;
  offset?: number;
}

export interface OutboxStore {
  /** Durable once this resolves. False when the packet was already there. */
  insert(packet: EscalationPacket): Promise<boolean>;
  /**
   * Claims the next due item for `owner` until now + leaseMs, counting the attempt. Due means pending
   * and scheduled, or delivering with an expired lease (its worker died). Two claimers never get the same item.
   */
  claim(owner: string, leaseMs: number): Promise<OutboxItem | undefined>;
  /** Makes the items leased by owners that `isGone` says no longer run due now; returns how many. */
  releaseLeases(isGone: (owner: string) => boolean): Promise<number>;
  /** Fenced on the lease: false when another worker took the item over. */
  markDelivered(id: string, owner: string, ticket: TicketRef): Promise<boolean>;
  /** Schedules another attempt at `nextAttemptAt` (epoch ms), fenced on the lease. */
  markRetry(id: string, owner: string, error: string, nextAttemptAt: number): Promise<boolean>;
  markDead(id: string, owner: string, error: string): Promise<boolean>;
  /**
   * Console action. A dead item goes back to pending with a fresh attempt budget; a pending item is
   * made due now. Returns the item, or undefined when it is neither (delivered, or being delivered).
   */
  retry(id: string): Promise<OutboxItem | undefined>;
  markNotified(id: string): Promise<void>;
  /** Delivered or dead items whose outcome has not reached the user yet, oldest change first. */
  unnotified(limit?: number): Promise<OutboxItem[]>;
  get(id: string): Promise<OutboxItem | undefined>;
  /** Delivered escalations that became this ticket (by number, case-insensitive, or provider id), newest first, at most 20. */
  findByTicket(ticket: { number?: string; id?: string; provider?: string }): Promise<OutboxItem[]>;
  /** Newest first (created_at, then id); limit defaults to 50. */
  list(filter?: OutboxFilter): Promise<OutboxItem[]>;
  counts(): Promise<Record<OutboxStatus, number>>;
  /** Earliest time (epoch ms) something becomes due, for the worker's next wake-up. */
  nextDueAt(): Promise<number | undefined>;
}
