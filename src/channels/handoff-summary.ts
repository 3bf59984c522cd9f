import type { ActionPayload, ReplyPart } from '../engine/contract.js';
import type { EscalationPacket } from '../engine/escalation/packet.js';
import type { Lang } from '../engine/lang.js';
import type { Translator } from '../engine/i18n.js';
import { TAKE_HANDOFF_ACTION } from '../engine/handoff/actions.js';

/**
 * The technicians' view of an escalation packet, channel-neutral: Teams and Slack render the same
 * facts in the same order. Texts that came from the user (question, details) are marked so the
 * renderers show them literally, never as markup.
 */
export interface HandoffSummary {
  title: string;
  facts: { label: string; value: string }[];
  question: { label: string; text: string };
  details?: { label: string; text: string };
  tried: { label: string; lines: string[] };
  assessment?: { label: string; text: string };
  /** Optional LLM summary, labelled as such. */
  aiSummary?: { label: string; text: string };
  /** The "Take it" button, absent once someone took it. */
  take?: { label: string; payload: ActionPayload };
  /** "Taken by …" once someone took it. */
  takenNote?: string;
}

/** Action name the handoff relay recognises in a "Take it" payload (defined by the relay). */
export { TAKE_HANDOFF_ACTION };

export interface HandoffSummaryOptions {
  /** Language of the technicians' channel (the user's language is one of the facts). */
  lang?: Lang;
  /** Payload of the "Take it" button; defaults to { action: "handoff.take", escalationId }. */
  takePayload?: ActionPayload;
  /** Set once a technician took the request: the button is replaced by "Taken by …". */
  takenBy?: string;
}

export function summariseHandoff(packet: EscalationPacket, t: Translator, options: HandoffSummaryOptions = {}): HandoffSummary {
  const lang = options.lang ?? 'en';
  const k = (key: string, params?: Record<string, string | number | undefined>): string => t.t(lang, `channels.${key}`, params);

  const who = [packet.user.name, packet.user.email ? `<${packet.user.email}>` : undefined].filter(Boolean).join(' ') || packet.user.id;
  const facts = [
    { label: k('technicians.who'), value: who },
    { label: k('technicians.language'), value: k(`lang.${packet.lang}`) },
    { label: k('technicians.priority'), value: k(`priority.${packet.priority}`) },
    { label: k('technicians.reason'), value: packet.reasonText },
    ...(packet.category ? [{ label: k('technicians.category'), value: packet.category }] : []),
    { label: k('technicians.channel'), value: packet.channel },
  ];

  const tried = packet.articlesShown.map((a) =>
    k('technicians.article', {
      title: a.title,
      score: a.score.toFixed(2),
      feedback: k(`technicians.feedback.${a.feedback ?? 'none'}`),
    }),
  );
  if (packet.flow) {
    tried.push(
      k('technicians.flow', {
        flow: packet.flow.flowId,
        steps: packet.flow.path.length,
        outcome: k(`technicians.outcome.${packet.flow.outcome}`),
      }),
    );
  }

  const summary: HandoffSummary = {
    title: k('technicians.title'),
    facts,
    question: { label: k('technicians.question'), text: packet.question },
    tried: { label: k('technicians.tried'), lines: tried.length ? tried : [k('technicians.nothing_tried')] },
  };
  if (packet.userDetails) summary.details = { label: k('technicians.details'), text: packet.userDetails };
  if (packet.gate) {
    summary.assessment = {
      label: k('technicians.assessment'),
      text: k('technicians.gate', {
        decision: k(`technicians.decision.${packet.gate.decision}`),
        confidence: Math.round(packet.gate.confidence * 100),
        explanation: packet.gate.explanation,
      }),
    };
  }
  if (packet.summary) summary.aiSummary = { label: k('technicians.summary'), text: packet.summary };
  if (options.takenBy) {
    summary.takenNote = k('technicians.taken', { technician: options.takenBy });
  } else {
    summary.take = {
      label: k('technicians.take'),
      payload: options.takePayload ?? { action: TAKE_HANDOFF_ACTION, escalationId: packet.id },
    };
  }
  return summary;
}

/** Locale key (under `channels.`) and parameters of a handoff notice's title: with the technician's name when known. */
export function handoffTitle(part: Extract<ReplyPart, { kind: 'handoff' }>): { key: string; params?: Record<string, string | undefined> } {
  const who = part.technician;
  if (part.state === 'taken' || part.state === 'relay') return who ? { key: `handoff.${part.state}`, params: { technician: who } } : { key: `handoff.${part.state}_anonymous` };
  return { key: `handoff.${part.state}` };
}
