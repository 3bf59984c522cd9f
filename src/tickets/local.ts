import type { EscalationPacket } from '../engine/escalation/packet.js';
import type {
  CreateTicketOptions,
  TicketComment,
  TicketProvider,
  TicketRef,
  TicketRequester,
  TicketStatus,
} from '../engine/ports/tickets.js';
import type { LocalTicket, LocalTicketStore as TicketStore } from '../engine/ports/local-tickets.js';
import { packetText, ticketTitle } from './format.js';

/**
 * The default, embedded provider: tickets live in this bot's own SQLite database and technicians
 * work them in the console. Idempotent on the packet id by a unique index, so a retried delivery
 * returns the ticket it already made.
 */
export class LocalTicketProvider implements TicketProvider {
  readonly name = 'local';

  constructor(readonly store: TicketStore) {}

  async create(packet: EscalationPacket, options: CreateTicketOptions): Promise<TicketRef> {
    const { ticket } = await this.store.create({
      idempotencyKey: options.idempotencyKey,
      packet,
      title: ticketTitle(packet, 200),
      body: packetText(packet),
    });
    return this.ref(ticket);
  }

  async status(numberOrId: string): Promise<TicketStatus | undefined> {
    const t = await this.store.get(numberOrId);
    return t && this.toStatus(t);
  }

  async listForRequester(requester: TicketRequester): Promise<TicketStatus[]> {
    return (await this.store.list({ requesterId: requester.id, requesterEmail: requester.email, limit: 20 })).map((t) => this.toStatus(t));
  }

  async addComment(ticket: TicketRef, comment: TicketComment): Promise<void> {
    await this.store.comment(ticket.id, comment.text, { actor: comment.author });
  }

  private ref(t: LocalTicket): TicketRef {
    return { provider: this.name, id: String(t.id), number: t.number };
  }

  private toStatus(t: LocalTicket): TicketStatus {
    return {
      ...this.ref(t),
      state: t.state,
      rawStatus: t.state,
      title: t.title,
      assignee: t.assignee,
      updatedAt: t.updatedAt,
      resolutionNotes: t.resolutionNotes,
      requester: { id: t.requesterId, ...(t.requesterEmail ? { email: t.requesterEmail } : {}) },
    };
  }
}
