import type { UserRef } from '../contract.js';
import { redact } from '../redact.js';
import type { TicketOwnership, TicketProvider, TicketState, TicketStatus } from '../ports/tickets.js';
import { ownsTicket, requesterOf } from './ownership.js';

/**
 * The employee's own tickets outside a conversation (Slack's Home tab): the open ones, and a
 * comment added to one of them. Same ownership rule as "my tickets" in the chat: a ticket is shown
 * or commented on only by its requester.
 */

const OPEN: ReadonlySet<TicketState> = new Set(['new', 'in_progress', 'on_hold', 'unknown']);
export const MAX_COMMENT_CHARS = 3000;

export type CommentOutcome = 'added' | 'empty' | 'secret' | 'refused' | 'unsupported' | 'failed';

export interface TicketSelfService {
  /** Whether comments can be added at all (the provider supports it). */
  readonly canComment: boolean;
  open(user: UserRef, channel: string): Promise<TicketStatus[]>;
  comment(user: UserRef, channel: string, ticketNumber: string, text: string): Promise<CommentOutcome>;
}

export function createTicketSelfService(tickets: TicketProvider, ownership: TicketOwnership | undefined): TicketSelfService {
  async function open(user: UserRef, channel: string): Promise<TicketStatus[]> {
    // Unverified identities (anonymous web sessions) never list anyone's tickets.
    if (user.anonymous) return [];
    const me = requesterOf(user, channel);
    const listed = (await tickets.listForRequester(me)).filter((t) => OPEN.has(t.state));
    const kept = await Promise.all(listed.map(async (t) => !t.requester || (await ownsTicket(t, me, ownership))));
    return listed.filter((_t, i) => kept[i]);
  }

  return {
    canComment: typeof tickets.addComment === 'function',
    open,
    async comment(user, channel, ticketNumber, text) {
      const body = text.trim().slice(0, MAX_COMMENT_CHARS);
      if (!body) return 'empty';
      const cleaned = redact(body);
      // A pasted password is refused, not stored masked: the person learns not to share it.
      if (cleaned.text !== body) return 'secret';
      if (!tickets.addComment) return 'unsupported';
      const mine = (await open(user, channel)).find((t) => t.number === ticketNumber);
      if (!mine) return 'refused';
      try {
        await tickets.addComment(mine, { text: body, author: user.name ?? user.id });
        return 'added';
      } catch {
        return 'failed';
      }
    },
  };
}
