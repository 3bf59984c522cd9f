import type { UserRef } from '../contract.js';
import type { TicketOwnership, TicketRequester, TicketStatus } from '../ports/tickets.js';

/**
 * Whose ticket is it? "status of HD-000123" and "my tickets" show a ticket only to its requester:
 * the provider's requester (channel user id or e-mail) when it knows one, otherwise (or when it names
 * someone else, e.g. a caller the ticket system could not match) a ticket opened from one of the
 * user's own conversations, on the same channel (ids are only unique within a channel or identity provider). Anyone else gets the same polite answer as for a ticket that does not exist.
 */
export function requesterOf(user: UserRef, channel?: string): TicketRequester {
  return {
    id: user.id,
    ...(channel ? { channel } : {}),
    // An e-mail the user typed (unverified identity) never unlocks the tickets of whoever owns that address.
    ...(user.email && !user.anonymous ? { email: user.email } : {}),
    ...(user.name ? { name: user.name } : {}),
  };
}

function sameEmail(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function isRequester(ticket: TicketStatus, me: TicketRequester): boolean {
  const r = ticket.requester;
  return !!r && ((r.id !== undefined && r.id === me.id) || sameEmail(r.email, me.email));
}

export async function ownsTicket(ticket: TicketStatus, me: TicketRequester, ownership: TicketOwnership | undefined): Promise<boolean> {
  if (isRequester(ticket, me)) return true;
  return (await ownership?.openedFor(ticket, me)) ?? false;
}
