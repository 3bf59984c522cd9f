import type { ReplyPart } from '../contract.js';
import type { EscalationReason, Priority, TranscriptEntry } from '../escalation/packet.js';
import { buildPacket } from '../escalation/builder.js';
import { withTicketSummary } from './llm.js';
import { payload } from './payload.js';
import type { Turn } from './turn.js';

export interface EscalationOffer {
  reason: EscalationReason;
  priority: Priority;
  /** For the technician, in the conversation language. */
  reasonText: string;
  /** What the user reads before the confirmation question. */
  intro?: string;
  category?: string;
  queue?: string;
  /** Looked up if the user declines (frustration offers keep the question alive). */
  resumeQuery?: string;
  /** The question for the ticket when there is no current topic. */
  question: string;
  /** Nothing is known about the problem yet: ask for it in the prompt; what the user types next is the problem. */
  needsProblem?: boolean;
}

/** "Shall I open a ticket?" with the option to type details: nothing is sent before the user confirms. */
export function offerEscalation(turn: Turn, offer: EscalationOffer): void {
  turn.endFlow(offer.reason === 'flow' ? 'escalated' : 'abandoned');
  const nonce = turn.nonce();
  turn.state.pending = {
    kind: 'escalation',
    nonce,
    packetId: turn.deps.newId(),
    reason: offer.reason,
    reasonText: offer.reasonText,
    priority: offer.priority,
    question: turn.state.topic?.question ?? offer.question,
    ...(offer.category ? { category: offer.category } : {}),
    ...(offer.queue ? { queue: offer.queue } : {}),
    ...(offer.resumeQuery ? { resumeQuery: offer.resumeQuery } : {}),
    ...(offer.needsProblem ? { needsProblem: true } : {}),
  };
  const parts: ReplyPart[] = [];
  if (offer.intro) parts.push({ kind: 'text', text: offer.intro });
  parts.push({
    kind: 'choices',
    prompt: turn.t(
      offer.needsProblem
        ? 'escalation.confirm_prompt_describe'
        : offer.priority === 'high' || offer.priority === 'critical'
          ? 'escalation.confirm_prompt_urgent'
          : 'escalation.confirm_prompt',
      { priority: turn.t(`priority.${offer.priority}`) },
    ),
    choices: [
      { label: turn.t('escalation.confirm'), value: payload({ a: 'escalate', v: 'yes', n: nonce }), style: 'primary' },
      { label: turn.t('escalation.decline'), value: payload({ a: 'escalate', v: 'no', n: nonce }) },
    ],
  });
  turn.send(parts);
  turn.event('escalation_offered', { value: offer.reason, priority: offer.priority });
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Nobody vouched for this user (an anonymous web session): before a ticket, the bot asks for a name
 * and an address the technician can write to, once per conversation. Returns true when it asked.
 */
function askContact(turn: Turn, details: string | undefined): boolean {
  const pending = turn.state.pending;
  if (pending?.kind !== 'escalation' || !turn.user.anonymous) return false;
  const contact = turn.state.contact ?? {};
  const step = !contact.name ? 'name' : !contact.email ? 'email' : undefined;
  if (!step) return false;
  turn.state.pending = { ...pending, contactStep: step, ...(details !== undefined ? { details } : {}) };
  turn.text(step === 'name' ? 'escalation.contact.ask_name' : 'escalation.contact.ask_email');
  return true;
}

/** The answer to "your name?" or "your e-mail?" while a ticket waits for them. */
export async function answerContact(turn: Turn, text: string): Promise<void> {
  const pending = turn.state.pending;
  if (pending?.kind !== 'escalation' || !pending.contactStep) return;
  const value = text.trim().replace(/\s+/g, ' ');
  const contact = { ...turn.state.contact };
  if (pending.contactStep === 'name') {
    if (value.length < 2 || value.length > 80 || EMAIL.test(value)) {
      turn.text('escalation.contact.invalid_name');
      return;
    }
    contact.name = value;
  } else {
    const email = /[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]+/.exec(value)?.[0];
    if (!email || email.length > 254 || !EMAIL.test(email)) {
      turn.text('escalation.contact.invalid_email');
      return;
    }
    contact.email = email;
  }
  turn.state.contact = contact;
  const { contactStep: _step, details, ...rest } = pending;
  turn.state.pending = rest;
  await confirmEscalation(turn, details);
}

/** The user confirmed (button, "yes", or typed details): build the packet and hand it to the outbox. */
export async function confirmEscalation(turn: Turn, details?: string): Promise<void> {
  const pending = turn.state.pending;
  if (pending?.kind !== 'escalation') return;
  if (askContact(turn, details)) return;
  const { store, escalation, config, logger, ticketLimit } = turn.deps;
  const limited = await ticketLimit?.take(JSON.stringify([turn.address.channel, turn.user.id]));
  if (limited && !limited.ok) {
    // The offer stays pending: pressing the button again later opens the same ticket.
    logger?.warn({ retryAfterSeconds: limited.retryAfterSeconds }, 'ticket rate limit reached');
    turn.text('escalation.rate_limited', { minutes: Math.max(1, Math.ceil(limited.retryAfterSeconds / 60)) });
    return;
  }
  const topic = turn.state.topic;
  const turns = await store.transcript(turn.conversation.id, {
    since: topic?.startedAt,
    limit: config.transcriptTurns,
  });
  const transcript: TranscriptEntry[] = turns.map((t) => ({ role: t.direction === 'in' ? 'user' : 'bot', text: t.text, at: t.at }));
  const contact = turn.user.anonymous ? turn.state.contact : undefined;
  const facts = buildPacket({
    id: pending.packetId,
    // For an anonymous user, the name and address they gave are the ticket's requester details.
    user: contact ? { ...turn.user, ...(contact.name ? { name: contact.name } : {}), ...(contact.email ? { email: contact.email } : {}) } : turn.user,
    address: turn.address,
    lang: turn.lang,
    // With no topic ("agent" as a first message), what the user then typed is the question itself.
    question: !topic && details ? details : pending.question,
    ...(details && topic ? { userDetails: details } : {}),
    transcript,
    articlesShown: topic?.articlesShown ?? [],
    ...(topic?.flowTrace ? { flow: topic.flowTrace } : {}),
    ...(topic?.gate ? { gate: topic.gate } : {}),
    reason: pending.reason,
    reasonText: pending.reasonText,
    category: pending.category ?? topic?.category,
    queue: pending.queue,
    priority: pending.priority,
    startedAt: topic?.startedAt ?? turn.conversation.startedAt,
    escalatedAt: turn.at,
  });
  // The model only adds a summary and suggestions for the technician; without one the packet is as built.
  const { packet, llm } = await withTicketSummary(turn, facts);
  try {
    await escalation.submit(packet);
  } catch (err) {
    // The offer stays pending with the same packet id: pressing the button again retries idempotently.
    logger?.error({ err: err instanceof Error ? err.message : String(err), packetId: packet.id }, 'escalation submit failed');
    turn.send([{ kind: 'ticket', state: 'failed', text: turn.t('escalation.failed') }]);
    return;
  }
  const parts: ReplyPart[] = [{ kind: 'ticket', state: 'opening', text: turn.t('escalation.opening') }];
  if ((packet.priority === 'high' || packet.priority === 'critical') && config.serviceDeskContact) {
    parts.push({ kind: 'text', text: turn.t('escalation.urgent_contact', { contact: config.serviceDeskContact }) });
  }
  turn.send(parts);
  turn.event('escalated', { value: packet.reason, priority: packet.priority, data: { packetId: packet.id, category: packet.category ?? null, ...(llm ? { llm } : {}) } });
  turn.status = 'escalated';
  turn.state.pending = undefined;
  turn.state.topic = undefined;
}

/** The user does not want a ticket; returns the question to look up next, if the offer kept one. */
export function declineEscalation(turn: Turn): string | undefined {
  const pending = turn.state.pending;
  if (pending?.kind !== 'escalation') return undefined;
  turn.state.pending = undefined;
  turn.event('escalation_declined', { value: pending.reason });
  if (pending.resumeQuery) {
    turn.text('escalation.declined_resume');
    return pending.resumeQuery;
  }
  turn.text('escalation.declined');
  return undefined;
}
