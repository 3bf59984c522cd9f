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

/**
 * What claimState writes besides returning the claim: nothing; `reclaim` (the same state, its
 * pending claim gone stale: claimed_at = at); `new` (state, at and claimed_at = at, told_at = NULL,
 * previous_state = the claim's `previous`, the last told state).
 */
export interface ClaimDecision {
  claim: StateClaim;
  write: 'none' | 'reclaim' | 'new';
}

/** The claim rules of TicketNewsStore.claimState, shared by the SQLite and PostgreSQL stores. */
export function decideClaim(row: TicketNewsStateRow | undefined, state: TicketState, at: string, staleAfterMs: number): ClaimDecision {
  const current = row && row.state !== '' ? row : undefined;
  // The last state told: this row's if it was told, else the one before its pending claim.
  const told = (current ? (current.told_at !== null ? current.state : current.previous_state) : null) as TicketState | null;
  const previous = told !== null ? { previous: told } : {};
  if (current?.state !== state) return { claim: { claimed: true, since: at, ...previous }, write: 'new' };
  if (current.told_at !== null) return { claim: { claimed: false, ...previous }, write: 'none' };
  if (Date.parse(at) - Date.parse(current.claimed_at ?? current.at) < staleAfterMs) return { claim: { claimed: false, pending: true, ...previous }, write: 'none' };
  return { claim: { claimed: true, since: current.at, ...previous }, write: 'reclaim' };
}
