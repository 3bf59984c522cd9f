import { randomUUID } from 'node:crypto';
import type { ActionPayload, Choice, OutboundMessage, ReplyPart } from '../../engine/contract.js';
import type { Translator } from '../../engine/i18n.js';
import type { Lang } from '../../engine/lang.js';
import { parseInline, parseMarkdown, type Block, type Inline } from '../markdown.js';

/**
 * OutboundMessage → what the web chat page renders. Markdown-subset texts are parsed here, once,
 * with the same parser as Teams and Slack, and sent as small trees the page turns into DOM nodes
 * with textContent: nothing the engine or a user wrote is ever inserted as HTML. Localised
 * headings come from the channels' locale strings, in the reply's language.
 */

export type WebPart =
  | { kind: 'text'; blocks: Block[]; /** Written by the language model (already checked). */ generated?: true }
  | { kind: 'steps'; title?: Inline[]; steps: Inline[][] }
  | {
      kind: 'citation';
      articleId: string;
      /** "Source: {title}" split around the title, so the page can link the title alone. */
      before: string;
      after: string;
      title: string;
      url?: string;
      updatedLabel?: string;
      staleWarning?: string;
    }
  | { kind: 'choices'; prompt?: Block[]; choices: Array<{ label: string; value: ActionPayload; style: NonNullable<Choice['style']> }> }
  | {
      kind: 'ticket';
      state: Extract<ReplyPart, { kind: 'ticket' }>['state'];
      heading: string;
      text: Block[];
      number?: string;
      status?: string;
      url?: string;
      labels: { number: string; status: string; view: string };
    }
  | { kind: 'handoff'; state: Extract<ReplyPart, { kind: 'handoff' }>['state']; heading: string; text: Block[] };

export interface WebMessage {
  id: string;
  lang: Lang;
  at: string;
  /** Sent by the bot on its own (ticket number, time-out, technician), not as a reply. */
  proactive?: boolean;
  /** Replaces the message that carried the clicked button. */
  replacesSourceMessage?: boolean;
  /** The user's message this answers was long and only its beginning was read: the page shows that message collapsed. */
  inputTruncated?: { readChars: number; totalChars: number };
  parts: WebPart[];
}

function toPart(part: ReplyPart, lang: Lang, t: Translator): WebPart {
  const k = (key: string, params?: Record<string, string | undefined>): string => t.t(lang, `channels.${key}`, params);
  switch (part.kind) {
    case 'text':
      return { kind: 'text', blocks: parseMarkdown(part.text), ...(part.generated ? { generated: true as const } : {}) };
    case 'steps':
      return {
        kind: 'steps',
        ...(part.title ? { title: parseInline(part.title) } : {}),
        steps: part.steps.map((s) => parseInline(s.replace(/\s*\n+\s*/g, ' '))),
      };
    case 'citation': {
      const [before = '', after = ''] = k('citation.source').split('{title}');
      return {
        kind: 'citation',
        articleId: part.articleId,
        before,
        after,
        title: part.title,
        ...(part.url && /^https?:\/\//i.test(part.url) ? { url: part.url } : {}),
        ...(part.updatedLabel ? { updatedLabel: part.updatedLabel } : {}),
        ...(part.staleWarning ? { staleWarning: part.staleWarning } : {}),
      };
    }
    case 'choices':
      return {
        kind: 'choices',
        ...(part.prompt ? { prompt: parseMarkdown(part.prompt) } : {}),
        choices: part.choices.map((c) => ({ label: c.label, value: c.value, style: c.style ?? 'default' })),
      };
    case 'ticket':
      return {
        kind: 'ticket',
        state: part.state,
        heading: k(`ticket.${part.state}`),
        text: parseMarkdown(part.text),
        ...(part.number ? { number: part.number } : {}),
        ...(part.status ? { status: part.status } : {}),
        ...(part.url && /^https?:\/\//i.test(part.url) ? { url: part.url } : {}),
        labels: { number: k('ticket.number'), status: k('ticket.state'), view: k('ticket.view') },
      };
    case 'handoff': {
      const who = part.technician;
      const heading =
        part.state === 'taken' || part.state === 'relay'
          ? k(who ? `handoff.${part.state}` : `handoff.${part.state}_anonymous`, { technician: who })
          : k(`handoff.${part.state}`);
      return { kind: 'handoff', state: part.state, heading, text: parseMarkdown(part.text) };
    }
  }
}

export function toWebMessage(
  message: OutboundMessage,
  t: Translator,
  options: { proactive?: boolean; now?: Date; id?: string } = {},
): WebMessage {
  return {
    id: options.id ?? message.id ?? randomUUID(),
    lang: message.lang,
    at: (options.now ?? new Date()).toISOString(),
    ...(options.proactive ? { proactive: true } : {}),
    ...(message.replacesSourceMessage ? { replacesSourceMessage: true } : {}),
    ...(message.inputTruncated ? { inputTruncated: message.inputTruncated } : {}),
    parts: message.parts.map((p) => toPart(p, message.lang, t)),
  };
}
