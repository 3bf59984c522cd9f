import type { EscalationPacket } from '../../engine/escalation/packet.js';
import type { OutboxItem, OutboxStatus } from '../../engine/ports/outbox.js';
import { orUndefined as opt } from './columns.js';

/** The ticket_outbox row and its mapping to an item, shared by the SQLite and PostgreSQL stores. */

export interface OutboxRow {
  id: string;
  conversation_id: string;
  channel: string;
  user_id: string;
  packet_json: string;
  status: OutboxStatus;
  attempts: number;
  total_attempts: number;
  next_attempt_at: number | string;
  lease_owner: string | null;
  lease_until: number | string | null;
  last_error: string | null;
  provider: string | null;
  ticket_id: string | null;
  ticket_number: string | null;
  ticket_url: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
  notified_at: string | null;
}

export function toItem(r: OutboxRow): OutboxItem {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    channel: r.channel,
    userId: r.user_id,
    packet: JSON.parse(r.packet_json) as EscalationPacket,
    status: r.status,
    attempts: r.attempts,
    totalAttempts: r.total_attempts,
    // Epoch ms: a number from SQLite, BIGINT text from pg; either fits a double exactly.
    nextAttemptAt: Number(r.next_attempt_at),
    leaseOwner: opt(r.lease_owner),
    leaseUntil: r.lease_until === null ? undefined : Number(r.lease_until),
    lastError: opt(r.last_error),
    ticket:
      r.provider && r.ticket_id && r.ticket_number
        ? { provider: r.provider, id: r.ticket_id, number: r.ticket_number, url: opt(r.ticket_url) }
        : undefined,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deliveredAt: opt(r.delivered_at),
    notifiedAt: opt(r.notified_at),
  };
}
