import { z } from 'zod';
import { articleShownSchema, ESCALATION_REASONS, flowTraceSchema, PRIORITIES } from '../escalation/packet.js';
import { flowRunSchema } from '../flows/runner.js';

/**
 * What the engine remembers about a conversation between turns (stored as JSON with the
 * conversation, validated on load: the database may hold state written by an older version).
 */

const nonce = z.string();

export const topicSchema = z.object({
  /** Analytics id grouping a question and its follow-ups. */
  id: z.string(),
  /** The question that started the topic (redacted). */
  question: z.string(),
  startedAt: z.string(),
  category: z.string().optional(),
  gate: z
    .object({ decision: z.enum(['answer', 'clarify', 'escalate']), confidence: z.number().min(0).max(1), explanation: z.string() })
    .optional(),
  articlesShown: z.array(articleShownSchema).default([]),
  /** Flows started for this topic, so "no" never restarts one already tried. */
  flowsTried: z.array(z.string()).default([]),
  /** The last guided fix of the topic, for the escalation packet. */
  flowTrace: flowTraceSchema.optional(),
  /** "No" answers in a row (article feedback, "none of these"). */
  consecutiveNo: z.number().int().min(0).default(0),
});
export type Topic = z.infer<typeof topicSchema>;

const option = z.object({ articleId: z.string(), title: z.string(), score: z.number() });

/** A ticket offer waiting for the user's answer. */
const escalationPendingSchema = z.object({
  kind: z.literal('escalation'),
  nonce,
  /** Generated when the ticket is offered, so a retried submit reuses the same packet id (idempotent). */
  packetId: z.string().uuid(),
  reason: z.enum(ESCALATION_REASONS),
  reasonText: z.string(),
  priority: z.enum(PRIORITIES),
  question: z.string(),
  category: z.string().optional(),
  queue: z.string().optional(),
  /** A question to look up if the user declines the ticket (frustration offers). */
  resumeQuery: z.string().optional(),
  /** The user asked for a human before saying what is wrong: what they type next is the problem. */
  needsProblem: z.boolean().optional(),
  /** An unverified (anonymous) user confirmed: the bot is asking for their name or contact address first. */
  contactStep: z.enum(['name', 'email']).optional(),
  /** What the user typed when confirming, kept while the contact details are asked. */
  details: z.string().optional(),
});

/** The question the bot is waiting for an answer to (flows keep their own, in the flow run). */
export const pendingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('feedback'), nonce, articleId: z.string(), flowId: z.string().optional() }),
  z.object({ kind: z.literal('clarify'), nonce, options: z.array(option) }),
  escalationPendingSchema,
  /** "Open a ticket" (and, after a timeout, "Start again") buttons. */
  z.object({
    kind: z.literal('offer'),
    nonce,
    flowId: z.string().optional(),
    /** The user was asked to describe the problem again: the next question stays in the topic. */
    rephrase: z.boolean().optional(),
  }),
]);
export type Pending = z.infer<typeof pendingSchema>;

/**
 * An offer set aside when the user asked something else while it waited: a ticket offer (with the
 * topic it was about) or a guided fix at its current step. Its button in the reply brings it back.
 */
export const parkedSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('escalation'), nonce, offer: escalationPendingSchema, topic: topicSchema.optional() }),
  z.object({ kind: z.literal('flow'), nonce, flowId: z.string(), run: flowRunSchema, topic: topicSchema.optional() }),
]);
export type Parked = z.infer<typeof parkedSchema>;

export const dialogueStateSchema = z.object({
  v: z.literal(1),
  topic: topicSchema.optional(),
  pending: pendingSchema.optional(),
  parked: parkedSchema.optional(),
  /** Recent questions (redacted) with their time, to notice the same question asked again. */
  recentQuestions: z.array(z.object({ text: z.string(), at: z.string() })).default([]),
  /** Name and contact address an unverified user gave for their tickets (typed, not verified). */
  contact: z.object({ name: z.string().optional(), email: z.string().optional() }).optional(),
});
export type DialogueState = z.infer<typeof dialogueStateSchema>;

export const freshState = (): DialogueState => ({ v: 1, recentQuestions: [] });

/** The stored state, or a fresh one when it is missing or from an incompatible version. */
export function parseState(raw: unknown): DialogueState {
  const r = dialogueStateSchema.safeParse(raw);
  return r.success ? r.data : freshState();
}

/** How many recent questions are kept for the repeated-question check, and for how long they count. */
export const RECENT_QUESTIONS = 5;
export const REPEAT_WINDOW_MS = 60 * 60 * 1000;
