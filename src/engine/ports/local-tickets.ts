import type { EscalationPacket } from '../escalation/packet.js';
import type { TicketState } from './tickets.js';

/**
 * The embedded ticket system (TICKET_PROVIDER=local, src/tickets/local.ts): tickets numbered
 * HD-000123 with status, assignee and resolution notes, plus an append-only history of every
 * change. The history is what a notifier reads ("your ticket is now in progress") and what the
 * console shows; `eventsSince` lets a notifier in another process follow it, `onChange` serves
 * listeners in this one. Backends: src/storage/sqlite/ticket-store.ts (and the PostgreSQL one).
 */
export interface LocalTicket {
  id: number;
  number: string;
  idempotencyKey: string;
  state: TicketState;
  title: string;
  /** The rendered context (format.ts), what a technician reads. */
  body: string;
  priority: EscalationPacket['priority'];
  category?: string;
  lang: EscalationPacket['lang'];
  channel: string;
  conversationId: string;
  requesterId: string;
  requesterEmail?: string;
  requesterName?: string;
  assignee?: string;
  resolutionNotes?: string;
  createdAt: string;
  updatedAt: string;
  packet: EscalationPacket;
}

export type TicketEventKind = 'created' | 'status' | 'assigned' | 'commented';

export interface LocalTicketEvent {
  id: number;
  ticketId: number;
  number: string;
  kind: TicketEventKind;
  at: string;
  fromState?: TicketState;
  toState: TicketState;
  assignee?: string;
  actor?: string;
  note?: string;
}

export interface TicketFilter {
  states?: TicketState[];
  requesterId?: string;
  requesterEmail?: string;
  conversationId?: string;
  limit?: number;
  offset?: number;
}

export interface ChangeOptions {
  /** Who made the change (technician name or id), for the history. */
  actor?: string;
  note?: string;
}

export type TicketChangeListener = (event: LocalTicketEvent, ticket: LocalTicket) => void;

export class TicketNotFoundError extends Error {
  constructor(numberOrId: string) {
    super(`ticket ${numberOrId} not found`);
    this.name = 'TicketNotFoundError';
  }
}

/** HD + 123 → HD-000123. */
export function formatTicketNumber(prefix: string, id: number): string {
  return `${prefix}-${String(id).padStart(6, '0')}`;
}

/** Accepts "HD-000123", "hd-123", "HD123" or "123"; undefined when it cannot be one of ours. */
export function parseTicketNumber(prefix: string, numberOrId: string): number | undefined {
  const m = /^\s*(?:([A-Za-z]+)-?)?0*(\d{1,12})\s*$/.exec(numberOrId);
  if (!m) return undefined;
  if (m[1] && m[1].toUpperCase() !== prefix) return undefined;
  return Number(m[2]);
}

export interface LocalTicketStore {
  /** HD-000123 for 123, with this store's prefix. */
  formatNumber(id: number): string;
  /** The numeric id behind "HD-000123", "hd-123", "HD123" or "123"; undefined when it cannot be one of ours. */
  parseNumber(numberOrId: string): number | undefined;
  /** Idempotent on `idempotencyKey`: a second call returns the first ticket with `created: false`. */
  create(input: { idempotencyKey: string; packet: EscalationPacket; title: string; body: string }): Promise<{ ticket: LocalTicket; created: boolean }>;
  get(numberOrId: string): Promise<LocalTicket | undefined>;
  getByIdempotencyKey(key: string): Promise<LocalTicket | undefined>;
  /** Newest first; limit defaults to 50. A requester id and e-mail match either. */
  list(filter?: TicketFilter): Promise<LocalTicket[]>;
  /** Throws TicketNotFoundError. No event when the state is already `state`. */
  setState(numberOrId: string, state: TicketState, change?: ChangeOptions): Promise<LocalTicket>;
  /** Null unassigns; assigning a new ticket puts it in progress. */
  assign(numberOrId: string, assignee: string | null, change?: ChangeOptions): Promise<LocalTicket>;
  /** Resolves with notes (redacted before they are stored). */
  resolve(numberOrId: string, notes: string, change?: ChangeOptions): Promise<LocalTicket>;
  /** The requester's comment: into the history (note redacted), state and assignee unchanged. */
  comment(numberOrId: string, text: string, change?: ChangeOptions): Promise<LocalTicket>;
  /** Oldest first. */
  history(numberOrId: string): Promise<LocalTicketEvent[]>;
  /** Events after a cursor, oldest first. */
  eventsSince(afterEventId: number, limit?: number): Promise<LocalTicketEvent[]>;
  /** Changes made through this store instance (in this process). */
  onChange(listener: TicketChangeListener): () => void;
}
