import type { ConversationAddress } from '../../engine/contract.js';
import type { EscalationPacket } from '../../engine/escalation/packet.js';
import type { Lang } from '../../engine/lang.js';
import type { HandoffRecord, HandoffState } from '../../engine/ports/handoff.js';
import { opt } from './columns.js';

/** The handoffs row and its mapping to a record, shared by the SQLite and PostgreSQL stores. */

export interface HandoffRow {
  id: string;
  user_channel: string;
  user_conversation_id: string;
  user_thread_id: string;
  tech_channel: string;
  tech_conversation_id: string;
  tech_thread_id: string | null;
  tech_lang: string;
  packet_json: string;
  state: HandoffState;
  technician_id: string | null;
  technician_name: string | null;
  ended_by: string | null;
  ticket_number: string | null;
  reminders_sent: number;
  last_reminder_at: string | null;
  rating_nonce: string | null;
  rating: number | null;
  created_at: string;
  updated_at: string;
  taken_at: string | null;
  ended_at: string | null;
}

function address(channel: string, conversationId: string, threadId: string | null): ConversationAddress {
  return { channel, conversationId, ...opt('threadId', threadId) };
}

export function toHandoff(r: HandoffRow): HandoffRecord {
  return {
    id: r.id,
    user: address(r.user_channel, r.user_conversation_id, r.user_thread_id || null),
    technicians: address(r.tech_channel, r.tech_conversation_id, r.tech_thread_id),
    techniciansLang: r.tech_lang as Lang,
    packet: JSON.parse(r.packet_json) as EscalationPacket,
    state: r.state,
    ...(r.technician_id ? { technician: { id: r.technician_id, name: r.technician_name ?? r.technician_id } } : {}),
    ...opt('endedBy', r.ended_by),
    ...opt('ticketNumber', r.ticket_number),
    remindersSent: r.reminders_sent,
    ...opt('lastReminderAt', r.last_reminder_at),
    ...opt('ratingNonce', r.rating_nonce),
    ...opt('rating', r.rating),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...opt('takenAt', r.taken_at),
    ...opt('endedAt', r.ended_at),
  };
}
