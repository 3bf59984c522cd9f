import { z } from 'zod';
import type { ConversationAddress, UserRef } from '../contract.js';
import type { Lang } from '../lang.js';
import { redact } from '../redact.js';
import {
  escalationPacketSchema,
  type ArticleShown,
  type EscalationPacket,
  type EscalationReason,
  type FlowTrace,
  type Priority,
  type TranscriptEntry,
} from './packet.js';

export interface PacketInput {
  id: string;
  user: UserRef;
  address: ConversationAddress;
  lang: Lang;
  question: string;
  userDetails?: string;
  transcript: TranscriptEntry[];
  articlesShown: ArticleShown[];
  flow?: FlowTrace;
  gate?: EscalationPacket['gate'];
  reason: EscalationReason;
  reasonText: string;
  category?: string;
  queue?: string;
  priority: Priority;
  startedAt: string;
  escalatedAt: string;
}

const email = z.string().email();
/** Everything user-typed goes through redaction once more: the packet leaves our database for a ticket system. */
const clean = (text: string): string => redact(text).text;

/** Assembles and validates the packet; throws (a bug) if it does not satisfy escalationPacketSchema. */
export function buildPacket(input: PacketInput): EscalationPacket {
  const packet: EscalationPacket = {
    schemaVersion: 1,
    id: input.id,
    user: {
      id: input.user.id,
      ...(input.user.name ? { name: input.user.name } : {}),
      ...(input.user.email && email.safeParse(input.user.email).success ? { email: input.user.email } : {}),
    },
    channel: input.address.channel,
    conversationId: input.address.conversationId,
    ...(input.address.threadId ? { threadId: input.address.threadId } : {}),
    lang: input.lang,
    question: clean(input.question),
    ...(input.userDetails?.trim() ? { userDetails: clean(input.userDetails.trim()) } : {}),
    transcript: input.transcript.map((e) => ({ ...e, text: clean(e.text) })),
    articlesShown: input.articlesShown,
    ...(input.flow
      ? {
          flow: {
            ...input.flow,
            path: input.flow.path.map((p) => (p.answer === undefined ? p : { ...p, answer: clean(p.answer) })),
          },
        }
      : {}),
    ...(input.gate ? { gate: input.gate } : {}),
    reason: input.reason,
    reasonText: input.reasonText,
    ...(input.category ? { category: input.category } : {}),
    ...(input.queue ? { queue: input.queue } : {}),
    priority: input.priority,
    timestamps: { conversationStartedAt: input.startedAt, escalatedAt: input.escalatedAt },
  };
  return escalationPacketSchema.parse(packet);
}
