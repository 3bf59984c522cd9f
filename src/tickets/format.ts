import type { EscalationPacket } from '../engine/escalation/packet.js';
import { translator, type Translator } from '../engine/i18n.js';

/**
 * Renders an escalation packet for the technician who reads the ticket: the question, what the user
 * added, what was already tried (articles with feedback, guided-fix path with answers), why it was
 * escalated, the confidence check, then the redacted transcript. One structured document, two
 * renderings (plain text for ServiceNow/Jira/Zendesk, simple HTML for GLPI), headings in the
 * packet's language.
 */
export interface Section {
  heading: string;
  /** `list` renders as bullets, `lines` as one paragraph per entry. */
  kind: 'lines' | 'list';
  lines: string[];
}

export interface RenderOptions {
  /** Leave the transcript out, for products that carry it in a separate internal note. */
  transcript?: boolean;
  t?: Translator;
}

const K = 'tickets.';

export function packetSections(packet: EscalationPacket, options: RenderOptions = {}): Section[] {
  const t = options.t ?? translator();
  const tr = (key: string, params?: Record<string, string | number | undefined>) => t.t(packet.lang, K + key, params);
  const sections: Section[] = [{ heading: tr('heading.question'), kind: 'lines', lines: [packet.question] }];
  if (packet.userDetails) sections.push({ heading: tr('heading.user_details'), kind: 'lines', lines: [packet.userDetails] });
  if (packet.summary) sections.push({ heading: tr('heading.summary'), kind: 'lines', lines: [packet.summary] });

  const tried: string[] = [];
  for (const a of packet.articlesShown) {
    const feedback = tr(`feedback.${a.feedback ?? 'none'}`);
    tried.push(`${tr('heading.articles')}: ${a.title} [${a.articleId}] (${feedback})`);
  }
  if (packet.flow) {
    const f = packet.flow;
    tried.push(`${tr('heading.flow')}: ${tr('flow.line', { flowId: f.flowId, outcome: tr(`flow.outcome.${f.outcome}`) })}`);
    for (const step of f.path) {
      tried.push(
        step.answer === undefined
          ? `  ${tr('flow.step', { stepId: step.stepId })}`
          : `  ${tr('flow.step_answer', { stepId: step.stepId, answer: step.answer })}`,
      );
    }
  }
  sections.push({ heading: tr('heading.tried'), kind: 'list', lines: tried.length ? tried : [tr('nothing_tried')] });

  sections.push({ heading: tr('heading.reason'), kind: 'lines', lines: [packet.reasonText] });
  if (packet.gate) {
    const g = packet.gate;
    sections.push({
      heading: tr('heading.gate'),
      kind: 'lines',
      lines: [
        tr('gate.line', { decision: tr(`gate.decision.${g.decision}`), confidence: Math.round(g.confidence * 100) }),
        g.explanation,
      ],
    });
  }
  if (options.transcript !== false && packet.transcript.length) {
    sections.push({ heading: tr('heading.transcript'), kind: 'lines', lines: transcriptLines(packet, t) });
  }
  sections.push({ heading: tr('heading.reference'), kind: 'list', lines: referenceLines(packet, t) });
  return sections;
}

export function transcriptLines(packet: EscalationPacket, t: Translator = translator()): string[] {
  return packet.transcript.map(
    (e) => `[${e.at.slice(0, 16).replace('T', ' ')}] ${t.t(packet.lang, `${K}role.${e.role}`)}: ${e.text}`,
  );
}

function referenceLines(packet: EscalationPacket, t: Translator): string[] {
  const f = (key: string) => t.t(packet.lang, `${K}field.${key}`);
  const user = [packet.user.name, packet.user.email ? `<${packet.user.email}>` : undefined, `(${packet.user.id})`]
    .filter(Boolean)
    .join(' ');
  const lines = [
    `${f('user')}: ${user}`,
    `${f('channel')}: ${packet.channel}`,
    `${f('conversation')}: ${packet.conversationId}`,
    `${f('priority')}: ${t.t(packet.lang, `${K}priority.${packet.priority}`)}`,
  ];
  if (packet.category) lines.push(`${f('category')}: ${packet.category}`);
  lines.push(`${f('escalated_at')}: ${packet.timestamps.escalatedAt}`, `${f('packet')}: ${packet.id}`);
  return lines;
}

export function renderText(sections: Section[]): string {
  return sections
    .map((s) => `${s.heading}\n${'-'.repeat(s.heading.length)}\n${s.lines.map((l) => (s.kind === 'list' ? `- ${l}` : l)).join('\n')}`)
    .join('\n\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const htmlLine = (s: string) => escapeHtml(s).replace(/\n/g, '<br>');

export function renderHtml(sections: Section[]): string {
  return sections
    .map((s) => {
      const body =
        s.kind === 'list'
          ? `<ul>${s.lines.map((l) => `<li>${htmlLine(l)}</li>`).join('')}</ul>`
          : s.lines.map((l) => `<p>${htmlLine(l)}</p>`).join('');
      return `<h3>${escapeHtml(s.heading)}</h3>${body}`;
    })
    .join('\n');
}

export const packetText = (packet: EscalationPacket, options?: RenderOptions) => renderText(packetSections(packet, options));
export const packetHtml = (packet: EscalationPacket, options?: RenderOptions) => renderHtml(packetSections(packet, options));

/** The transcript alone, for an internal note (ServiceNow work note, Zendesk private comment, GLPI followup). */
export function transcriptNote(packet: EscalationPacket, format: 'text' | 'html', t: Translator = translator()): string {
  const intro = t.t(packet.lang, `${K}transcript_note`);
  // The escalation id lets a retry recognise a note it already added.
  const lines = [...transcriptLines(packet, t), `${t.t(packet.lang, `${K}field.packet`)}: ${packet.id}`];
  return format === 'html'
    ? `<p>${escapeHtml(intro)}</p>${lines.map((l) => `<p>${htmlLine(l)}</p>`).join('')}`
    : [intro, ...lines].join('\n');
}

/** A one-line title: the LLM summary is never used here, only the user's own words. */
export function ticketTitle(packet: EscalationPacket, max = 160): string {
  const firstLine = packet.question.split('\n').find((l) => l.trim()) ?? packet.question;
  const oneLine = firstLine.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1).trimEnd()}…`;
}

/**
 * A requester's comment as posted by the integration account: the API records the bot as the author,
 * so the person's name leads the text. The text was redacted by the engine and is sent unchanged.
 */
export function attributedComment(comment: { text: string; author: string }): string {
  const author = comment.author.replace(/\s+/g, ' ').trim();
  return author ? `${author}: ${comment.text}` : comment.text;
}
