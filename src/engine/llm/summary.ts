import { z } from 'zod';
import { escalationPacketSchema, PRIORITIES, type EscalationPacket } from '../escalation/packet.js';
import type { ChatMessage } from '../ports/llm.js';
import { estimateTokens } from './budget.js';
import { delimiters as makeDelimiters, type Delimiters } from './delimit.js';
import { cleanForModel } from './privacy.js';
import { summarySystemPrompt } from './prompts.js';

/**
 * Ticket summary for the technician: the packet's facts (already redacted of secrets) are given to
 * the model with personal data removed; its JSON reply is validated with zod and only ever fills
 * `summary`, `suggestedCategory` and `suggestedPriority`. The packet's own facts are never touched.
 */

export interface SummaryOptions {
  /** Tokens the prompt may use; the oldest transcript lines are dropped first. */
  inputTokens: number;
  /** Known categories (from the knowledge base); the model must pick one of them or "other". */
  categories?: readonly string[];
  delimiters?: Delimiters;
}

export interface PreparedSummary {
  messages: ChatMessage[];
  categories: readonly string[];
  /** Transcript entries left out to fit the budget. */
  droppedTurns: number;
}

function ticketFacts(packet: EscalationPacket, clean: (s: string) => string): string[] {
  const lines = [
    `Reason for the ticket: ${clean(packet.reasonText)} (${packet.reason})`,
    `Priority set by the bot: ${packet.priority}`,
    `Category set by the bot: ${packet.category ?? 'none'}`,
    `Question: ${clean(packet.question)}`,
  ];
  if (packet.userDetails) lines.push(`Details added by the employee: ${clean(packet.userDetails)}`);
  if (packet.gate) lines.push(`Knowledge base search: ${packet.gate.decision} (confidence ${packet.gate.confidence.toFixed(2)}): ${packet.gate.explanation}`);
  if (packet.articlesShown.length) {
    lines.push('Articles shown:');
    for (const a of packet.articlesShown) lines.push(`- ${a.title} (did it help: ${a.feedback ?? 'no answer'})`);
  }
  if (packet.flow) {
    lines.push(`Guided fix "${packet.flow.flowId}", outcome ${packet.flow.outcome}:`);
    for (const p of packet.flow.path) lines.push(`- step ${p.stepId}${p.answer ? `: ${clean(p.answer)}` : ''}`);
  }
  return lines;
}

export function prepareSummary(packet: EscalationPacket, options: SummaryOptions): PreparedSummary {
  const d = options.delimiters ?? makeDelimiters();
  const names = [packet.user.name].filter((n): n is string => Boolean(n));
  const clean = (s: string) => cleanForModel(s, { names });
  const categories = [...new Set(options.categories ?? [])].sort();
  const system = summarySystemPrompt(d, packet.lang, categories, PRIORITIES);
  const facts = ticketFacts(packet, clean);
  const transcript = packet.transcript.map((t) => `${t.role}: ${clean(t.text)}`);
  let budget = options.inputTokens - estimateTokens(system) - estimateTokens(facts.join('\n')) - 60;
  // Keep the most recent turns: they say where the conversation ended.
  const kept: string[] = [];
  for (let i = transcript.length - 1; i >= 0; i--) {
    const cost = estimateTokens(transcript[i]!);
    if (cost > budget) break;
    kept.unshift(transcript[i]!);
    budget -= cost;
  }
  const body = [...facts, '', `Conversation (oldest first${kept.length < transcript.length ? `, ${transcript.length - kept.length} earlier lines left out` : ''}):`, ...kept].join('\n');
  return {
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: `${d.block('ticket', body)}\n\nWrite the JSON object for this ticket.` },
    ],
    categories,
    droppedTurns: transcript.length - kept.length,
  };
}

const summaryReplySchema = z.object({
  summary: z.string().trim().min(10).max(1500),
  category: z
    .string()
    .trim()
    .toLowerCase()
    .max(40)
    .regex(/^[a-z][a-z0-9 _-]*$/, 'a short lower-case word'),
  priority: z.enum(PRIORITIES),
});

export type SummaryOutcome =
  | { ok: true; summary: string; category?: string; priority: EscalationPacket['priority'] }
  | { ok: false; reason: 'invalid_json' | 'invalid_fields'; detail: string };

/** The first JSON object in the reply (models sometimes wrap it in a code fence or a sentence). */
function extractJson(raw: string): unknown {
  const start = raw.indexOf('{');
  const end = raw.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error('no JSON object in the reply');
  return JSON.parse(raw.slice(start, end + 1));
}

export function interpretSummary(raw: string, packet: EscalationPacket, prepared: PreparedSummary): SummaryOutcome {
  let json: unknown;
  try {
    json = extractJson(raw);
  } catch (err) {
    return { ok: false, reason: 'invalid_json', detail: err instanceof Error ? err.message : String(err) };
  }
  const parsed = summaryReplySchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: 'invalid_fields', detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  const { summary, category, priority } = parsed.data;
  const known = prepared.categories.length === 0 || prepared.categories.includes(category);
  return {
    ok: true,
    // What the model writes goes into a ticket: it is cleaned like anything else that leaves the bot.
    summary: cleanForModel(summary.replace(/\s+/g, ' '), { names: [packet.user.name].filter((n): n is string => Boolean(n)) }),
    ...(category !== 'other' && known ? { category } : {}),
    priority,
  };
}

/** The packet with the model's additions; its facts are kept as they were. */
export function withSummary(packet: EscalationPacket, outcome: Extract<SummaryOutcome, { ok: true }>): EscalationPacket {
  return escalationPacketSchema.parse({
    ...packet,
    summary: outcome.summary,
    ...(outcome.category ? { suggestedCategory: outcome.category } : {}),
    suggestedPriority: outcome.priority,
  });
}
