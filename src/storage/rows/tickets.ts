import type { EscalationPacket } from '../../engine/escalation/packet.js';
import type { LocalTicket, LocalTicketEvent, TicketEventKind } from '../../engine/ports/local-tickets.js';
import type { TicketState } from '../../engine/ports/tickets.js';
import { orUndefined as opt, type RowId } from './columns.js';

/**
 * Rows of the local ticket tables and their mapping to records, shared by the SQLite and PostgreSQL
 * stores; ids are normalised to numbers here (see RowId).
 */

export interface TicketRow {
  id: RowId;
  number: string;
  idempotency_key: string;
  state: string;
  title: string;
  body: string;
  priority: string;
  category: string | null;
  lang: string;
  channel: string;
  conversation_id: string;
  requester_id: string;
  requester_email: string | null;
  requester_name: string | null;
  assignee: string | null;
  resolution_notes: string | null;
  packet_json: string;
  created_at: string;
  updated_at: string;
}

export interface EventRow {
  id: RowId;
  ticket_id: RowId;
  number: string;
  kind: string;
  at: string;
  from_state: string | null;
  to_state: string;
  assignee: string | null;
  actor: string | null;
  note: string | null;
}

export function toTicket(r: TicketRow): LocalTicket {
  return {
    id: Number(r.id),
    number: r.number,
    idempotencyKey: r.idempotency_key,
    state: r.state as TicketState,
    title: r.title,
    body: r.body,
    priority: r.priority as LocalTicket['priority'],
    category: opt(r.category),
    lang: r.lang as LocalTicket['lang'],
    channel: r.channel,
    conversationId: r.conversation_id,
    requesterId: r.requester_id,
    requesterEmail: opt(r.requester_email),
    requesterName: opt(r.requester_name),
    assignee: opt(r.assignee),
    resolutionNotes: opt(r.resolution_notes),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    packet: JSON.parse(r.packet_json) as EscalationPacket,
  };
}

export function toEvent(r: EventRow): LocalTicketEvent {
  return {
    id: Number(r.id),
    ticketId: Number(r.ticket_id),
    number: r.number,
    kind: r.kind as TicketEventKind,
    at: r.at,
    fromState: opt(r.from_state) as TicketState | undefined,
    toState: r.to_state as TicketState,
    assignee: opt(r.assignee),
    actor: opt(r.actor),
    note: opt(r.note),
  };
}
