import type { StateClaim } from '../../engine/ports/ticket-news.js';
import type { TicketState } from '../../engine/ports/tickets.js';

/** A ticket_news_states row as both backends read it ('' state: PostgreSQL's lock placeholder, no state yet). */
export interface TicketNewsStateRow {
  state: string;
  at: string;
  told_at: string | null;
  claimed_at: string | null;
  previous_state: string | null;
}

export type ClaimDecision =
  | { claim: StateClaim; write: 'none' }
  /** The same state again, its pending claim gone stale: claimed_at = at. */
  | { claim: StateClaim; write: 'reclaim' }
  /** A new state: state, at and claimed_at = at, told_at = NULL, previous_state = the last told state. */
  | { claim: StateClaim; write: 'new'; previousTold: TicketState | undefined };

/** The claim rules of TicketNewsStore.claimState, shared by the SQLite and PostgreSQL stores. */
export function decideClaim(row: TicketNewsStateRow | undefined, state: TicketState, at: string, staleAfterMs: number): ClaimDecision {
  const current = row && row.state !== '' ? row : undefined;
  const toldBefore = (r: TicketNewsStateRow | undefined): TicketState | undefined =>
    r ? ((r.told_at !== null ? r.state : (r.previous_state ?? undefined)) as TicketState | undefined) : undefined;
  if (current?.state === state) {
    const previous = current.told_at !== null ? (current.state as TicketState) : (current.previous_state as TicketState | null) ?? undefined;
    const withPrevious = previous !== undefined ? { previous } : {};
    if (current.told_at !== null) return { claim: { claimed: false, ...withPrevious }, write: 'none' };
    const claimedAt = Date.parse(current.claimed_at ?? current.at);
    if (Date.parse(at) - claimedAt < staleAfterMs) return { claim: { claimed: false, pending: true, ...withPrevious }, write: 'none' };
    return { claim: { claimed: true, since: current.at, ...withPrevious }, write: 'reclaim' };
  }
  const previousTold = toldBefore(current);
  return { claim: { claimed: true, since: at, ...(previousTold !== undefined ? { previous: previousTold } : {}) }, write: 'new', previousTold };
}
