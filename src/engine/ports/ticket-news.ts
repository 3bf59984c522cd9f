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
   * Claims `state` as the news to tell for the ticket. A claim is pending until `markTold`:
   * - the state was already told: not claimed;
   * - another claim of the same state is pending since less than `staleAfterMs` before `at` (a
   *   replica is telling it now): not claimed, `pending`;
   * - a pending claim older than that (its replica died between the claim and `markTold`): claimed
   *   again, with the first claim's `since`, so the message it may have stored keeps its id;
   * - otherwise (a new state): claimed, `since` = `at`.
   * `previous` is the last state that was told (what `releaseState` puts back).
   */
  claimState(provider: string, ticketNumber: string, state: TicketState, at: string, staleAfterMs?: number): Promise<StateClaim>;
  /** The claimed state was told: it is never claimed again. */
  markTold(provider: string, ticketNumber: string, state: TicketState, at: string): Promise<void>;
  /** Undoes a claim whose message could not be delivered, so a retry delivers it. */
  releaseState(provider: string, ticketNumber: string, previous: TicketState | undefined): Promise<void>;
}

export type StateClaim =
  | { claimed: true; previous?: TicketState; since: string }
  | { claimed: false; previous?: TicketState; pending?: true };

/** How long a claim may stay pending before another replica takes it over (a send takes seconds). */
export const STALE_CLAIM_MS = 30_000;
