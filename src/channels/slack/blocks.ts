import type { types as Slack } from '@slack/bolt';
import type { ActionPayload, Choice, OutboundMessage, ReplyPart } from '../../engine/contract.js';
import type { EscalationPacket } from '../../engine/escalation/packet.js';
import { translator, type Translator } from '../../engine/i18n.js';
import type { Lang } from '../../engine/lang.js';
import { handoffTitle, summariseHandoff, type HandoffSummaryOptions } from '../handoff-summary.js';
import { clip, escapeSlack, parseMarkdown, partsToMarkdown, renderWithin, splitWithin, toPlainText, type Block, type Inline } from '../markdown.js';

/**
 * OutboundMessage → Slack Block Kit ({ text, blocks } for chat.postMessage / chat.update).
 * Buttons carry action_id "helpdesk.action.<n>" (unique in the message; Bolt listens with
 * /^helpdesk\.action\./) and the engine's payload as JSON in `value`. Every Slack limit is enforced
 * here: long texts are split into several sections, and when a message would exceed 50 blocks
 * the least important blocks are dropped (never the buttons) and a note says so.
 * Pure functions: no SDK calls.
 */

export const SLACK_LIMITS = {
  blocks: 50,
  /** section / context mrkdwn or plain_text. */
  text: 3000,
  header: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  actionsElements: 25,
  contextElements: 10,
  fields: 10,
  fieldText: 2000,
  /** Top-level `text` (notification fallback): Slack truncates at 40,000 and advises much shorter. */
  fallback: 3000,
} as const;

export const ACTION_ID_PREFIX = 'helpdesk.action.';
/** For Bolt: app.action(ACTION_ID_PATTERN, …) receives every button rendered here. */
export const ACTION_ID_PATTERN = /^helpdesk\.action\.\d+$/;

/** The feedback_buttons element (👍/👎 under an answer); its values are the engine's Yes/No payloads. */
export const FEEDBACK_ACTION_ID = 'helpdesk.feedback';

export type SlackBlock = Slack.KnownBlock;

export interface SlackMessage {
  /** Fallback for notifications and clients that cannot show blocks. */
  text: string;
  blocks: SlackBlock[];
}

// ---------------------------------------------------------------------------------------------
// Building blocks

interface Item {
  block: SlackBlock;
  /** Kept when the message has to lose blocks: buttons and citations. */
  essential: boolean;
}

function mrkdwn(text: string): Slack.MrkdwnElement {
  return { type: 'mrkdwn', text };
}

function plain(text: string, max: number): Slack.PlainTextElement {
  return { type: 'plain_text', text: clip(text, max), emoji: true };
}

function sections(blocks: Block[]): Item[] {
  return splitWithin(blocks, 'slack', SLACK_LIMITS.text)
    .filter((text) => text.trim())
    .map((text) => ({ block: { type: 'section', text: mrkdwn(text) }, essential: false }));
}

function section(text: string): Slack.SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}

/** "*Heading*\nbody", the body cut so the whole stays within one section. */
function headed(heading: string, body: Block[]): Slack.SectionBlock {
  const head = `*${escapeSlack(clip(heading, 200))}*`;
  const rest = renderWithin(body, 'slack', SLACK_LIMITS.text - head.length - 1).text;
  return section(rest ? `${head}\n${rest}` : head);
}

/** A context block from Markdown-subset texts (escaped and cut here). */
function context(texts: string[]): SlackBlock {
  return {
    type: 'context',
    elements: texts.slice(0, SLACK_LIMITS.contextElements).map((t) => mrkdwn(renderWithin(parseMarkdown(t), 'slack', SLACK_LIMITS.text).text)),
  };
}

function flattenToLine(blocks: Block[]): Inline[] {
  const lines = blocks.flatMap((b) => (b.type === 'paragraph' ? b.lines : b.items));
  return lines.flatMap((l, i) => (i === 0 ? l : [{ type: 'text', text: ' ' } as Inline, ...l]));
}

/** Numbers buttons across the whole message so every action_id is unique in it. */
class ButtonCounter {
  private n = 0;
  button(label: string, payload: ActionPayload, style?: Choice['style']): Slack.Button {
    const value = JSON.stringify(payload);
    if (value.length > SLACK_LIMITS.buttonValue) {
      // The contract caps payloads at 2,000 characters: a bigger one is an engine bug, not something to cut.
      throw new RangeError(`button payload is ${value.length} characters, Slack allows ${SLACK_LIMITS.buttonValue}: ${value.slice(0, 80)}…`);
    }
    return {
      type: 'button',
      action_id: `${ACTION_ID_PREFIX}${this.n++}`,
      text: plain(label, SLACK_LIMITS.buttonText),
      value,
      ...(style === 'primary' || style === 'danger' ? { style } : {}),
    };
  }
}

function actions(buttons: Slack.Button[]): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < buttons.length; i += SLACK_LIMITS.actionsElements) {
    items.push({ block: { type: 'actions', elements: buttons.slice(i, i + SLACK_LIMITS.actionsElements) }, essential: true });
  }
  return items;
}

/**
 * Slack's native 👍/👎 (a context_actions block holding feedback_buttons) for the "did this solve
 * it?" choices: each button carries the same payload as the Yes or No button beside it, so either
 * click is the same answer to the engine and lands in the same feedback store.
 */
function feedbackButtons(choices: Choice[], lang: Lang, t: Translator): SlackBlock | undefined {
  const yes = choices.find((c) => c.value.a === 'feedback' && c.value.v === 'yes');
  const no = choices.find((c) => c.value.a === 'feedback' && c.value.v === 'no');
  if (!yes || !no) return undefined;
  const k = (key: string): string => t.t(lang, `channels.feedback.${key}`);
  const button = (emoji: string, label: string, value: ActionPayload) => ({
    text: plain(emoji, SLACK_LIMITS.buttonText),
    accessibility_label: clip(label, SLACK_LIMITS.buttonText),
    value: JSON.stringify(value),
  });
  return {
    type: 'context_actions',
    elements: [
      {
        type: 'feedback_buttons',
        action_id: FEEDBACK_ACTION_ID,
        positive_button: button('👍', k('positive'), yes.value),
        negative_button: button('👎', k('negative'), no.value),
      },
    ],
  };
}

function linkedTemplate(template: string, placeholder: string, link: Inline): Inline[] {
  const [before = '', after = ''] = template.split(`{${placeholder}}`);
  return [...(before ? [{ type: 'text', text: before } as Inline] : []), link, ...(after ? [{ type: 'text', text: after } as Inline] : [])];
}

function renderPart(part: ReplyPart, lang: Lang, t: Translator, counter: ButtonCounter): Item[] {
  const k = (key: string, params?: Record<string, string | undefined>): string => t.t(lang, `channels.${key}`, params);
  switch (part.kind) {
    case 'text':
      return sections(parseMarkdown(part.text));
    case 'steps': {
      const title = toPlainText(part.title ?? '').replace(/\s+/g, ' ').trim();
      const header: Item[] = title ? [{ block: { type: 'header', text: plain(title, SLACK_LIMITS.header) }, essential: false }] : [];
      return [...header, ...sections([{ type: 'list', ordered: true, items: part.steps.map((s) => flattenToLine(parseMarkdown(s))) }])];
    }
    case 'citation': {
      const title: Inline = part.url ? { type: 'link', url: part.url, label: part.title } : { type: 'text', text: part.title };
      const line = linkedTemplate(t.t(lang, 'channels.citation.source'), 'title', title);
      if (part.updatedLabel) line.push({ type: 'text', text: ` · ${part.updatedLabel}` });
      const elements = [mrkdwn(renderWithin([{ type: 'paragraph', lines: [[{ type: 'text', text: '📄 ' }, ...line]] }], 'slack', SLACK_LIMITS.text).text)];
      if (part.staleWarning) {
        elements.push(mrkdwn(renderWithin(parseMarkdown(`⚠️ ${part.staleWarning}`), 'slack', SLACK_LIMITS.text).text));
      }
      return [{ block: { type: 'context', elements }, essential: true }];
    }
    case 'choices': {
      const feedback = feedbackButtons(part.choices, lang, t);
      return [
        ...(part.prompt ? sections(parseMarkdown(part.prompt)) : []),
        ...actions(part.choices.map((c) => counter.button(c.label, c.value, c.style))),
        ...(feedback ? [{ block: feedback, essential: true }] : []),
      ];
    }
    case 'ticket': {
      const fields: Slack.MrkdwnElement[] = [];
      // Values are short (numbers and statuses clipped, links capped), so a field stays far below 2,000.
      const field = (label: string, value: string): void => {
        fields.push(mrkdwn(`*${escapeSlack(label)}*\n${value}`));
      };
      const linked = (label: string): string =>
        part.url ? renderWithin([{ type: 'paragraph', lines: [[{ type: 'link', url: part.url, label }]] }], 'slack', 1900).text : escapeSlack(label);
      if (part.number) field(k('ticket.number'), linked(clip(part.number, 100)));
      if (part.status) field(k('ticket.state'), escapeSlack(clip(part.status, 100)));
      if (part.url && !part.number) field(k('ticket.number'), linked(k('ticket.view')));
      const main = headed(k(`ticket.${part.state}`), parseMarkdown(part.text));
      return [{ block: fields.length ? { ...main, fields } : main, essential: false }];
    }
    case 'handoff': {
      const { key, params } = handoffTitle(part);
      return [{ block: headed(k(key, params), parseMarkdown(part.text)), essential: false }];
    }
  }
}

/** Keeps every block when they fit; otherwise the essential ones first, then the others in order, with a note. */
function withinBlockLimit(items: Item[], note: string): SlackBlock[] {
  if (items.length <= SLACK_LIMITS.blocks) return items.map((i) => i.block);
  let room = SLACK_LIMITS.blocks - 1;
  const keep = items.map(() => false);
  for (const pass of [true, false]) {
    items.forEach((item, i) => {
      if (item.essential === pass && room > 0) {
        keep[i] = true;
        room -= 1;
      }
    });
  }
  const out: SlackBlock[] = [];
  let noted = false;
  items.forEach((item, i) => {
    if (keep[i]) out.push(item.block);
    else if (!noted) {
      out.push(context([note]));
      noted = true;
    }
  });
  return out;
}

function fallbackOf(parts: ReplyPart[], lang: Lang, t: Translator): string {
  const text = partsToMarkdown(parts, (state) => t.t(lang, `channels.ticket.${state}`));
  return renderWithin(parseMarkdown(text), 'slack', SLACK_LIMITS.fallback).text;
}

// ---------------------------------------------------------------------------------------------
// Public API

export function renderSlackMessage(message: OutboundMessage, t: Translator = translator()): SlackMessage {
  const counter = new ButtonCounter();
  const items = message.parts.flatMap((p) => renderPart(p, message.lang, t, counter));
  return {
    text: fallbackOf(message.parts, message.lang, t),
    blocks: withinBlockLimit(items, t.t(message.lang, 'channels.shortened')),
  };
}

/** A reply split for Slack's chat streaming: Markdown to stream, then the blocks that close the message. */
export interface StreamedMessage {
  /** The leading texts up to and including the model-written one, as standard Markdown (markdown_text). */
  markdown: string;
  /** Everything after it (disclosure, source links, buttons, 👍/👎), for chat.stopStream's `blocks`. */
  closing: SlackBlock[];
  /** Notification fallback of the whole message. */
  text: string;
}

/** Undefined unless the message holds text written by the language model. */
export function streamableMessage(message: OutboundMessage, t: Translator = translator()): StreamedMessage | undefined {
  const at = message.parts.findIndex((p) => p.kind === 'text' && p.generated === true);
  if (at < 0 || message.parts.slice(0, at).some((p) => p.kind !== 'text')) return undefined;
  // Our Markdown subset (bold, italic, code, links, "- " bullets) is standard Markdown already.
  const markdown = message.parts
    .slice(0, at + 1)
    .map((p) => (p.kind === 'text' ? p.text.trim() : ''))
    .filter(Boolean)
    .join('\n\n');
  const rest = message.parts.slice(at + 1);
  return {
    markdown: markdown.slice(0, 12_000),
    closing: rest.length ? renderSlackMessage({ ...message, parts: rest }, t).blocks : [],
    text: fallbackOf(message.parts, message.lang, t),
  };
}

function isOurActions(block: unknown): boolean {
  if (!block || typeof block !== 'object') return false;
  const b = block as { type?: unknown; elements?: unknown };
  if (b.type === 'context_actions' && Array.isArray(b.elements)) {
    return b.elements.every((e) => (e as { action_id?: unknown })?.action_id === FEEDBACK_ACTION_ID);
  }
  return (
    b.type === 'actions' &&
    Array.isArray(b.elements) &&
    b.elements.every((e) => typeof (e as { action_id?: unknown })?.action_id === 'string' && ACTION_ID_PATTERN.test((e as { action_id: string }).action_id))
  );
}

/**
 * The message to send with chat.update after a click: the original blocks (as Slack returned them
 * in the interaction payload) with our button rows replaced by one context line, so nobody clicks
 * twice. `note` is plain text (escaped here).
 */
export function replaceButtons(original: { text?: string; blocks?: readonly unknown[] }, note: string): SlackMessage {
  const noteBlock = context([note]);
  const out: SlackBlock[] = [];
  let placed = false;
  for (const block of original.blocks ?? []) {
    if (isOurActions(block)) {
      if (!placed) out.push(noteBlock);
      placed = true;
    } else {
      out.push(block as SlackBlock);
    }
  }
  if (!placed) {
    if (out.length >= SLACK_LIMITS.blocks) out.splice(SLACK_LIMITS.blocks - 1);
    out.push(noteBlock);
  }
  return { text: original.text ?? note, blocks: out };
}

/** "✅ You answered: Yes" in place of the buttons; `answer` is the clicked button's label. */
export function renderAnswered(
  original: { text?: string; blocks?: readonly unknown[] },
  answer: string,
  lang: Lang,
  t: Translator = translator(),
): SlackMessage {
  return replaceButtons(original, t.t(lang, 'channels.answered', { answer }));
}

/**
 * The technicians' message for an escalation (who, language, priority, question, what was tried,
 * the gate's explanation) with a "Take it" button, or "Taken by …" when `takenBy` is set.
 * What the user wrote is shown as plain_text, so it can neither format nor mention anyone.
 */
export function renderHandoffMessage(packet: EscalationPacket, options: HandoffSummaryOptions = {}, t: Translator = translator()): SlackMessage {
  const s = summariseHandoff(packet, t, options);
  const label = (text: string): SlackBlock => section(`*${escapeSlack(text)}*`);
  const literal = (text: string): SlackBlock => ({ type: 'section', text: plain(text, SLACK_LIMITS.text) });
  const blocks: SlackBlock[] = [
    { type: 'header', text: plain(s.title, SLACK_LIMITS.header) },
    {
      type: 'section',
      fields: s.facts
        .slice(0, SLACK_LIMITS.fields)
        .map((f) => {
          const head = `*${escapeSlack(f.label)}*\n`;
          return mrkdwn(head + renderWithin([{ type: 'paragraph', lines: [[{ type: 'text', text: f.value }]] }], 'slack', SLACK_LIMITS.fieldText - head.length).text);
        }),
    },
    label(s.question.label),
    literal(s.question.text),
  ];
  if (s.details) blocks.push(label(s.details.label), literal(s.details.text));
  blocks.push(headed(s.tried.label, [{ type: 'list', items: s.tried.lines.map((l) => [{ type: 'text', text: l }]) }]));
  if (s.assessment) blocks.push(headed(s.assessment.label, [{ type: 'paragraph', lines: [[{ type: 'text', text: s.assessment.text }]] }]));
  if (s.aiSummary) blocks.push(label(s.aiSummary.label), literal(s.aiSummary.text));
  if (s.take) blocks.push({ type: 'actions', elements: [new ButtonCounter().button(s.take.label, s.take.payload, 'primary')] });
  if (s.takenNote) blocks.push(context([`✅ ${s.takenNote}`]));
  // The notification text is mrkdwn too: a question holding "<!channel>" or "<url|label>" must not ping or link.
  return { text: escapeSlack(clip(`${s.title}: ${packet.question}`.replace(/\s+/g, ' '), 300)), blocks };
}
