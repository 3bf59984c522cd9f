/**
 * What technicians write on a ticket in the console, next to the ticket's own state and assignee:
 * internal notes (never shown to the employee) and replies sent to the employee's chat. Kept by
 * the bot whatever the ticket system, so the console can show who said what and whether a reply
 * reached the employee. Backends: src/storage/sqlite/ticket-notes-store.ts (and the PostgreSQL one).
 */

export type TicketNoteKind = 'note' | 'reply';

export interface TicketNote {
  id: number;
  /** Ticket system name (e.g. "local") and the ticket's number in it. */
  provider: string;
  ticketNumber: string;
  kind: TicketNoteKind;
  author: string;
  text: string;
  at: string;
  /** Replies only: whether the employee's channel accepted the message. */
  delivered?: boolean;
  /** Replies only: why it was not delivered. */
  error?: string;
}

export interface TicketNotes {
  add(input: { provider: string; ticketNumber: string; kind: TicketNoteKind; author: string; text: string }): Promise<TicketNote>;
  /** Records the outcome of sending a reply. */
  markDelivery(id: number, outcome: { delivered: true } | { delivered: false; error: string }): Promise<void>;
  /** Oldest first. */
  list(provider: string, ticketNumber: string): Promise<TicketNote[]>;
}
