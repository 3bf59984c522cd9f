import { z } from 'zod';
import { LANGS } from '../lang.js';

/**
 * The escalation packet: everything a technician needs so the employee never has to repeat
 * themselves. Produced by the engine, delivered by ticket providers and the handoff relay.
 * `schemas/escalation-packet.schema.json` is generated from this schema (npm run schemas)
 * and a test keeps the two in sync.
 */

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const ESCALATION_REASONS = [
  'gate',
  'user_request',
  'negative_feedback',
  'flow',
  'frustration',
  'sensitive',
] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

const isoDate = z.string().datetime({ offset: true });

export const transcriptEntrySchema = z.object({
  role: z.enum(['user', 'bot', 'technician']),
  /** Redacted text. */
  text: z.string(),
  at: isoDate,
});

export const articleShownSchema = z.object({
  articleId: z.string(),
  title: z.string(),
  score: z.number(),
  /** What the user said when asked "did this solve it?"; null when they did not answer. */
  feedback: z.enum(['yes', 'no']).nullable(),
});

export const flowTraceSchema = z.object({
  flowId: z.string(),
  path: z.array(
    z.object({
      stepId: z.string(),
      /** The user's answer or the action outcome at this step (redacted), if any. */
      answer: z.string().optional(),
      at: isoDate,
    }),
  ),
  outcome: z.enum(['escalated', 'resolved', 'abandoned', 'in_progress']),
});

export const escalationPacketSchema = z.object({
  schemaVersion: z.literal(1),
  /** UUID; also the idempotency key for ticket delivery. */
  id: z.string().uuid(),
  user: z.object({
    id: z.string(),
    name: z.string().optional(),
    email: z.string().email().optional(),
  }),
  channel: z.string(),
  conversationId: z.string(),
  threadId: z.string().optional(),
  lang: z.enum(LANGS),
  /** The question that started the topic, redacted. */
  question: z.string(),
  /** Anything the user added when confirming the escalation, redacted. */
  userDetails: z.string().optional(),
  transcript: z.array(transcriptEntrySchema),
  articlesShown: z.array(articleShownSchema),
  flow: flowTraceSchema.optional(),
  gate: z
    .object({
      decision: z.enum(['answer', 'clarify', 'escalate']),
      confidence: z.number().min(0).max(1),
      explanation: z.string(),
    })
    .optional(),
  reason: z.enum(ESCALATION_REASONS),
  /** Human-readable reason, e.g. "the user asked for a technician". */
  reasonText: z.string(),
  category: z.string().optional(),
  /** Support queue / assignment group suggested by a guided fix's escalate step, e.g. "identity". */
  queue: z.string().optional(),
  priority: z.enum(PRIORITIES),
  /** Optional LLM additions (issue 6): never replace the facts above. */
  summary: z.string().optional(),
  suggestedCategory: z.string().optional(),
  suggestedPriority: z.enum(PRIORITIES).optional(),
  timestamps: z.object({
    conversationStartedAt: isoDate,
    escalatedAt: isoDate,
  }),
});

export type EscalationPacket = z.infer<typeof escalationPacketSchema>;
export type TranscriptEntry = z.infer<typeof transcriptEntrySchema>;
export type ArticleShown = z.infer<typeof articleShownSchema>;
export type FlowTrace = z.infer<typeof flowTraceSchema>;
