import type { Activity, Entity } from 'botbuilder';
import type { ActionPayload, OutboundMessage, ReplyPart } from '../../engine/contract.js';

/**
 * Teams' conventions for AI assistants' messages, from what the engine says about a reply:
 * the AI-generated label and citations share the one root `https://schema.org/Message` entity
 * (Teams answers 400 to two), and answers get the native feedback buttons (`feedbackLoopEnabled`).
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bot-messages-ai-generated-content
 */

export const MESSAGE_ENTITY_TYPE = 'https://schema.org/Message';

/** A Teams client citation (a `Claim` whose appearance is the cited document). */
export interface TeamsCitation {
  '@type': 'Claim';
  position: number;
  appearance: {
    '@type': 'DigitalDocument';
    name: string;
    abstract: string;
    url?: string;
    keywords?: string[];
  };
}

// Limits Teams documents for a citation's appearance.
const NAME_MAX = 80;
const ABSTRACT_MAX = 160;
const KEYWORD_MAX = 28;

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`);

type CitationPart = Extract<ReplyPart, { kind: 'citation' }>;

export function isGenerated(message: OutboundMessage): boolean {
  return message.parts.some((p) => p.kind === 'text' && p.generated === true);
}

/** The articles a reply cites, numbered as the engine numbers them in the text ([1] is the first). */
export function citationsOf(message: OutboundMessage): TeamsCitation[] {
  return message.parts
    .filter((p): p is CitationPart => p.kind === 'citation')
    .map((p, i) => ({
      '@type': 'Claim',
      position: i + 1,
      appearance: {
        '@type': 'DigitalDocument',
        name: clip(p.title, NAME_MAX),
        // The abstract is required: the freshness ("updated 3 months ago") and any review warning.
        abstract: clip([p.updatedLabel, p.staleWarning].filter(Boolean).join(' · ') || p.title, ABSTRACT_MAX),
        ...(p.url ? { url: p.url } : {}),
        ...(p.updatedLabel ? { keywords: [clip(p.updatedLabel, KEYWORD_MAX)] } : {}),
      },
    }));
}

/** The root message entity for a reply, if it is AI-written or cites articles. */
export function messageEntity(message: OutboundMessage): Entity | undefined {
  const generated = isGenerated(message);
  const citation = citationsOf(message);
  if (!generated && citation.length === 0) return undefined;
  return {
    type: MESSAGE_ENTITY_TYPE,
    '@type': 'Message',
    '@context': 'https://schema.org',
    '@id': '',
    ...(generated ? { additionalType: ['AIGeneratedContent'] } : {}),
    ...(citation.length ? { citation } : {}),
  };
}

/** The feedback buttons' payloads of an answer (its "Did this solve it?" Yes and No), if it has them. */
export interface FeedbackChoices {
  yes: { label: string; payload: ActionPayload };
  no: { label: string; payload: ActionPayload };
}

export function feedbackChoices(message: OutboundMessage): FeedbackChoices | undefined {
  for (const part of message.parts) {
    if (part.kind !== 'choices') continue;
    const yes = part.choices.find((c) => c.value.a === 'feedback' && c.value.v === 'yes');
    const no = part.choices.find((c) => c.value.a === 'feedback' && c.value.v === 'no');
    if (yes && no) return { yes: { label: yes.label, payload: yes.value }, no: { label: no.label, payload: no.value } };
  }
  return undefined;
}

/** The activity with the AI label, citations and (on answers) Teams' feedback buttons. */
export function withAiConventions(activity: Partial<Activity>, message: OutboundMessage): Partial<Activity> {
  const entity = messageEntity(message);
  const feedback = feedbackChoices(message) !== undefined;
  if (!entity && !feedback) return activity;
  return {
    ...activity,
    ...(entity ? { entities: [...(activity.entities ?? []).filter((e) => e.type !== MESSAGE_ENTITY_TYPE), entity] } : {}),
    ...(feedback ? { channelData: { ...(activity.channelData as object | undefined), feedbackLoopEnabled: true } } : {}),
  };
}
