import type { TicketState } from './tickets.js';

/**
 * What the ticket-status notifier remembers (src/storage/sqlite/ticket-news-store.ts): how far it
 * read a change feed, and the last state it told each ticket's requester, so neither a restart nor
 * a repeated webhook tells the user the same thing twice.
 */
export interface TicketNewsStore {
  /** Position reached in a change feed; undefined before the feed was ever read. */
  cursor(feed: string): Promise<number | undefined>;
  setCursor(feed: string, position: number): Promise<void>;
  /**
   * Records `state` as the news for the ticket; false (and nothing changes) when it is already the
   * last state recorded. Returns the previous state so a failed delivery can put it back.
   */
  claimState(provider: string, ticketNumber: string, state: TicketState, at: string): Promise<{ claimed: boolean; previous?: TicketState }>;
  /** Undoes a claim whose message could not be delivered, so a retry delivers it. */
  releaseState(provider: string, ticketNumber: string, previous: TicketState | undefined): Promise<void>;
}
