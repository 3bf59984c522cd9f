import type { OutboundMessage, ReplyPart } from '../contract.js';
import type { Lang } from '../lang.js';
import type { Translator } from '../i18n.js';

/**
 * A reply as plain text: what the stored transcript (console, ticket) and the terminal chat show.
 * Buttons are listed in brackets, numbered when `numberChoices` is set (the CLI lets you type the number).
 */
export function partToText(part: ReplyPart, lang: Lang, t: Translator, numberChoices = false): string {
  switch (part.kind) {
    case 'text':
      return part.text;
    case 'steps':
      return [part.title, ...part.steps.map((s, i) => `${i + 1}. ${s}`)].filter(Boolean).join('\n');
    case 'citation': {
      const meta = [part.updatedLabel, part.url].filter(Boolean).join(', ');
      const source = t.t(lang, 'dialogue.citation.source', { title: part.title });
      return [meta ? `${source} (${meta})` : source, part.staleWarning ? `⚠ ${part.staleWarning}` : undefined].filter(Boolean).join('\n');
    }
    case 'choices': {
      const buttons = part.choices.map((c, i) => (numberChoices ? `[${i + 1}] ${c.label}` : `[${c.label}]`)).join('  ');
      return [part.prompt, buttons].filter(Boolean).join('\n');
    }
    case 'ticket':
    case 'handoff':
      return part.text;
  }
}

export function messageToText(message: OutboundMessage, t: Translator, numberChoices = false): string {
  return message.parts.map((p) => partToText(p, message.lang, t, numberChoices)).join('\n\n');
}
