import type { TicketOwnership, TicketRef, TicketRequester } from '../engine/ports/tickets.js';
import type { OutboxStore } from '../engine/ports/outbox.js';

/**
 * Ticket ownership from the outbox: a ticket belongs to the user whose conversation escalated it
 * (same channel and user id, or same verified e-mail when the user reaches the bot from another channel). Serves
 * providers whose status lookups do not say who requested the ticket.
 */
export function outboxOwnership(store: OutboxStore): TicketOwnership {
  return {
    async openedFor(ticket: TicketRef, requester: TicketRequester): Promise<boolean> {
      const email = requester.email?.trim().toLowerCase();
      return (await store.findByTicket({ number: ticket.number, id: ticket.id, provider: ticket.provider })).some(
          (item) =>
            // (channel, id): a Slack user id typed into another channel matches nobody.
            (item.packet.user.id === requester.id && (requester.channel === undefined || item.packet.channel === requester.channel)) ||
            (!!email && item.packet.user.email?.toLowerCase() === email),
        );
    },
  };
}
