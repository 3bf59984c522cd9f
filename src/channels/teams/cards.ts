import type { Activity, Attachment } from 'botbuilder';
import type { ActionPayload, Choice, OutboundMessage, ReplyPart } from '../../engine/contract.js';
import type { EscalationPacket } from '../../engine/escalation/packet.js';
import { translator, type Translator } from '../../engine/i18n.js';
import type { Lang } from '../../engine/lang.js';
import { handoffTitle, summariseHandoff, type HandoffSummary, type HandoffSummaryOptions } from '../handoff-summary.js';
import { clip, parseMarkdown, partsToMarkdown, renderWithin, type Block, type Inline } from '../markdown.js';

/**
 * OutboundMessage → Bot Framework activity for Microsoft Teams. A message made only of text is sent
 * as a markdown text activity; anything richer becomes one Adaptive Card (schema 1.5, the version
 * Teams renders). Buttons are Action.Submit with data { verb: "helpdesk.action", payload }, which
 * the teams-ai Application routes with `app.adaptiveCards.actionSubmit('helpdesk.action', …)`.
 * Pure functions: no SDK calls, the transport sends what these return.
 */

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ADAPTIVE_CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const CARD_VERSION = '1.5';
export const ACTION_VERB = 'helpdesk.action';
/** Teams rejects messages above about 28 KB; the rest is left for the activity envelope. */
export const MAX_CARD_BYTES = 26_000;
/** Teams shows 6 actions per set (more go to an overflow menu); the adaptivecards default host allows 5. */
export const MAX_ACTIONS_PER_SET = 5;
/** Button titles beyond this are cut (Teams truncates them visually anyway). */
export const MAX_BUTTON_TITLE = 75;
/** Plain text shown in notifications and by clients that cannot render the card. */
const MAX_SUMMARY = 200;

/** What an Action.Submit sends back, as `activity.value`. */
export interface SubmitData {
  verb: typeof ACTION_VERB;
  payload: ActionPayload;
  /** The button's title, shown in place of the buttons once clicked. */
  label?: string;
}

export type CardElement = { type: string } & Record<string, unknown>;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: CardElement[];
}

// ---------------------------------------------------------------------------------------------
// Building blocks. `Budget` carries the per-text cap used when a card has to shrink.

interface Budget {
  /** Max characters of any single text. */
  cap: number;
  truncated: boolean;
}

function markdownText(blocks: Block[], budget: Budget, extra: Record<string, unknown> = {}): CardElement {
  const { text, truncated } = renderWithin(blocks, 'teams', budget.cap);
  budget.truncated ||= truncated;
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

function markdown(source: string, budget: Budget, extra?: Record<string, unknown>): CardElement {
  return markdownText(parseMarkdown(source), budget, extra);
}

/** Literal text: a RichTextBlock's TextRuns are never parsed as markdown (for what users typed). */
function literal(text: string, budget: Budget): CardElement {
  const clipped = clip(text, budget.cap);
  budget.truncated ||= clipped !== text;
  return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: clipped }] };
}

function heading(text: string, extra: Record<string, unknown> = {}): CardElement {
  return { type: 'TextBlock', text: clip(text, 200), wrap: true, weight: 'Bolder', ...extra };
}

function flattenToLine(blocks: Block[]): Inline[] {
  const lines = blocks.flatMap((b) => (b.type === 'paragraph' ? b.lines : b.items));
  return lines.flatMap((l, i) => (i === 0 ? l : [{ type: 'text', text: ' ' } as Inline, ...l]));
}

const STYLE: Record<NonNullable<Choice['style']>, string> = { primary: 'positive', danger: 'destructive', default: 'default' };

function submit(label: string, payload: ActionPayload, style?: Choice['style']): CardElement {
  const title = clip(label, MAX_BUTTON_TITLE);
  const data: SubmitData = { verb: ACTION_VERB, payload, label: title };
  return { type: 'Action.Submit', title, data, ...(style && style !== 'default' ? { style: STYLE[style] } : {}) };
}

function actionSets(actions: CardElement[]): CardElement[] {
  const sets: CardElement[] = [];
  for (let i = 0; i < actions.length; i += MAX_ACTIONS_PER_SET) {
    sets.push({ type: 'ActionSet', actions: actions.slice(i, i + MAX_ACTIONS_PER_SET) });
  }
  return sets;
}

/** Fills a localised template around a link, e.g. "Source: {title}" with the title linked. */
function templateWithLink(template: string, placeholder: string, link: Inline): Inline[] {
  const [before = '', after = ''] = template.split(`{${placeholder}}`);
  return [
    ...(before ? [{ type: 'text', text: before } as Inline] : []),
    link,
    ...(after ? [{ type: 'text', text: after } as Inline] : []),
  ];
}

// ---------------------------------------------------------------------------------------------
// Reply parts

function renderPart(part: ReplyPart, lang: Lang, t: Translator, budget: Budget): CardElement[] {
  const k = (key: string, params?: Record<string, string | undefined>): string => t.t(lang, `channels.${key}`, params);
  switch (part.kind) {
    case 'text':
      return [markdown(part.text, budget)];
    case 'steps': {
      const steps: Block = { type: 'list', ordered: true, items: part.steps.map((s) => flattenToLine(parseMarkdown(s))) };
      return [...(part.title ? [markdown(part.title, budget, { weight: 'Bolder' })] : []), markdownText([steps], budget)];
    }
    case 'citation': {
      const title: Inline = part.url ? { type: 'link', url: part.url, label: part.title } : { type: 'text', text: part.title };
      const line = templateWithLink(t.t(lang, 'channels.citation.source'), 'title', title);
      if (part.updatedLabel) line.push({ type: 'text', text: ` · ${part.updatedLabel}` });
      const items = [markdownText([{ type: 'paragraph', lines: [line] }], budget, { size: 'Small', isSubtle: true })];
      if (part.staleWarning) items.push(markdown(`⚠️ ${part.staleWarning}`, budget, { size: 'Small', color: 'Warning' }));
      return [{ type: 'Container', separator: true, spacing: 'Medium', items }];
    }
    case 'choices':
      return [
        ...(part.prompt ? [markdown(part.prompt, budget)] : []),
        ...actionSets(part.choices.map((c) => submit(c.label, c.value, c.style))),
      ];
    case 'ticket': {
      const color = part.state === 'failed' ? 'Attention' : part.state === 'opened' ? 'Good' : 'Default';
      const facts = [
        ...(part.number ? [{ title: k('ticket.number'), value: clip(part.number, 100) }] : []),
        ...(part.status ? [{ title: k('ticket.state'), value: clip(part.status, 100) }] : []),
      ];
      const items: CardElement[] = [heading(k(`ticket.${part.state}`), { color }), markdown(part.text, budget)];
      if (facts.length) items.push({ type: 'FactSet', facts });
      if (part.url) items.push({ type: 'ActionSet', actions: [{ type: 'Action.OpenUrl', title: k('ticket.view'), url: part.url }] });
      return [{ type: 'Container', style: 'emphasis', items }];
    }
    case 'handoff': {
      const { key, params } = handoffTitle(part);
      return [{ type: 'Container', style: 'emphasis', items: [heading(k(key, params)), markdown(part.text, budget)] }];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Size control

function bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function longestText(value: unknown): number {
  if (Array.isArray(value)) return Math.max(0, ...value.map(longestText));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const own = (o.type === 'TextBlock' || o.type === 'TextRun') && typeof o.text === 'string' ? o.text.length : 0;
    return Math.max(own, ...Object.values(o).map(longestText));
  }
  return 0;
}

/**
 * Builds the card body, shrinking the longest texts until the card fits MAX_CARD_BYTES. Buttons are
 * dropped from the end only if texts alone cannot make room; a note says the message was shortened.
 */
function fitCard(build: (budget: Budget) => CardElement[], note: string): AdaptiveCard {
  const card = (body: CardElement[]): AdaptiveCard => ({ type: 'AdaptiveCard', $schema: ADAPTIVE_CARD_SCHEMA, version: CARD_VERSION, body });
  const withNote = (body: CardElement[], truncated: boolean): CardElement[] =>
    truncated ? [...body, { type: 'TextBlock', text: note, wrap: true, size: 'Small', isSubtle: true }] : body;

  let cap = Number.POSITIVE_INFINITY;
  let budget: Budget;
  let body: CardElement[];
  for (;;) {
    budget = { cap, truncated: false };
    body = build(budget);
    if (bytes(card(withNote(body, budget.truncated))) <= MAX_CARD_BYTES) break;
    // The cap only ever goes down, so this ends; below ~100 characters texts stop being useful.
    const next = Math.floor(Math.min(cap, longestText(body)) * 0.7);
    if (next < 100) break;
    cap = next;
  }
  while (bytes(card(withNote(body, budget.truncated))) > MAX_CARD_BYTES && dropLastAction(body)) budget.truncated = true;
  return card(withNote(body, budget.truncated));
}

/** Removes the last button of the card (and its set when it empties); false when none is left. */
function dropLastAction(body: CardElement[]): boolean {
  for (let i = body.length - 1; i >= 0; i -= 1) {
    const el = body[i];
    if (el?.type === 'ActionSet' && Array.isArray(el.actions) && el.actions.length) {
      el.actions.pop();
      if (!el.actions.length) body.splice(i, 1);
      return true;
    }
    if (el && Array.isArray(el.items) && dropLastAction(el.items as CardElement[])) return true;
  }
  return false;
}

function summaryOf(message: OutboundMessage, t: Translator): string {
  const text = partsToMarkdown(message.parts, (state) => t.t(message.lang, `channels.ticket.${state}`));
  return clip(renderWithin(parseMarkdown(text), 'plain', MAX_SUMMARY).text.replace(/\s+/g, ' '), MAX_SUMMARY);
}

export function cardAttachment(card: AdaptiveCard): Attachment {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}

// ---------------------------------------------------------------------------------------------
// Public API

export function renderAdaptiveCard(message: OutboundMessage, t: Translator = translator()): AdaptiveCard {
  return fitCard(
    (budget) => message.parts.flatMap((p) => renderPart(p, message.lang, t, budget)),
    t.t(message.lang, 'channels.shortened'),
  );
}

/** The activity to send for one engine message. */
export function renderTeamsActivity(message: OutboundMessage, t: Translator = translator()): Partial<Activity> {
  const onlyText = message.parts.every((p) => p.kind === 'text');
  if (onlyText) {
    const blocks = message.parts.flatMap((p) => (p.kind === 'text' ? parseMarkdown(p.text) : []));
    let cap = MAX_CARD_BYTES;
    let text = renderWithin(blocks, 'teams', cap).text;
    while (Buffer.byteLength(text, 'utf8') > MAX_CARD_BYTES) {
      cap = Math.floor(cap * 0.8);
      text = renderWithin(blocks, 'teams', cap).text;
    }
    return { type: 'message', text, textFormat: 'markdown', locale: message.lang };
  }
  return {
    type: 'message',
    summary: summaryOf(message, t),
    attachments: [cardAttachment(renderAdaptiveCard(message, t))],
    locale: message.lang,
  };
}

/** Whether an activity carries one of our cards with buttons (so a click can mark it answered). */
export function hasButtons(activity: Partial<Activity>): boolean {
  return (activity.attachments ?? []).some((a) => a.contentType === ADAPTIVE_CARD_CONTENT_TYPE && JSON.stringify(a.content).includes('"Action.Submit"'));
}

function withoutActions(elements: readonly CardElement[]): CardElement[] {
  return elements
    .filter((e) => e.type !== 'ActionSet')
    .map((e) => (Array.isArray(e.items) ? { ...e, items: withoutActions(e.items as CardElement[]) } : e));
}

/**
 * The clicked card again, its buttons replaced by "✅ You answered: Yes" (`answer` is the button's
 * title), as Slack's chat.update does: the same question cannot be answered twice by mistake.
 */
export function renderAnswered(original: Partial<Activity>, answer: string, lang: Lang, t: Translator = translator()): Partial<Activity> {
  const note: CardElement = { type: 'TextBlock', text: t.t(lang, 'channels.answered', { answer }), wrap: true, isSubtle: true, spacing: 'Medium' };
  return {
    ...original,
    attachments: (original.attachments ?? []).map((a) => {
      if (a.contentType !== ADAPTIVE_CARD_CONTENT_TYPE) return a;
      const card = a.content as AdaptiveCard;
      return { ...a, content: { ...card, body: [...withoutActions(card.body), note] } };
    }),
  };
}

function handoffBody(s: HandoffSummary, packet: EscalationPacket, budget: Budget): CardElement[] {
  const urgent = packet.priority === 'high' || packet.priority === 'critical';
  const body: CardElement[] = [
    heading(s.title, { size: 'Medium', ...(urgent ? { color: 'Attention' } : {}) }),
    { type: 'FactSet', facts: s.facts.map((f) => ({ title: f.label, value: clip(f.value, 300) })) },
    heading(s.question.label),
    literal(s.question.text, budget),
  ];
  if (s.details) body.push(heading(s.details.label), literal(s.details.text, budget));
  body.push(heading(s.tried.label), markdownText([{ type: 'list', items: s.tried.lines.map((l) => [{ type: 'text', text: l }]) }], budget));
  if (s.assessment) body.push(heading(s.assessment.label), literal(s.assessment.text, budget));
  if (s.aiSummary) body.push(heading(s.aiSummary.label, { isSubtle: true }), literal(s.aiSummary.text, budget));
  if (s.take) body.push({ type: 'ActionSet', actions: [submit(s.take.label, s.take.payload, 'primary')] });
  if (s.takenNote) body.push({ type: 'TextBlock', text: s.takenNote, wrap: true, color: 'Good', weight: 'Bolder' });
  return body;
}

/**
 * The technicians' card for an escalation, with a "Take it" button (or "Taken by …" once taken:
 * re-render with `takenBy` and update the activity in place).
 */
export function renderHandoffCard(
  packet: EscalationPacket,
  options: HandoffSummaryOptions = {},
  t: Translator = translator(),
): Partial<Activity> {
  const s = summariseHandoff(packet, t, options);
  const card = fitCard((budget) => handoffBody(s, packet, budget), t.t(options.lang ?? 'en', 'channels.shortened'));
  return {
    type: 'message',
    summary: clip(`${s.title}: ${packet.question}`.replace(/\s+/g, ' '), MAX_SUMMARY),
    attachments: [cardAttachment(card)],
  };
}

/**
 * The final message of a streamed reply: the language model's text as the message text (where
 * the stream showed it), everything else (disclosure, citation, buttons) on the card under it.
 */
export function renderStreamFinal(message: OutboundMessage, t: Translator = translator()): Partial<Activity> {
  const generated = message.parts.find((p) => p.kind === 'text' && p.generated === true);
  if (!generated) return renderTeamsActivity(message, t);
  const text = renderTeamsActivity({ lang: message.lang, parts: [generated] }, t).text ?? '';
  const rest = message.parts.filter((p) => p !== generated);
  const below = rest.length ? renderTeamsActivity({ ...message, parts: rest }, t) : undefined;
  if (below?.attachments) return { type: 'message', text, textFormat: 'markdown', locale: message.lang, attachments: below.attachments, ...(below.summary ? { summary: below.summary } : {}) };
  return { type: 'message', text: below?.text ? `${text}\n\n${below.text}` : text, textFormat: 'markdown', locale: message.lang };
}
