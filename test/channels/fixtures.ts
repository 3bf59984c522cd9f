import { escalationPacketSchema, type EscalationPacket } from '../../src/engine/escalation/packet.js';
import type { OutboundMessage, ReplyPart } from '../../src/engine/contract.js';
import type { Lang } from '../../src/engine/lang.js';

/** Shared inputs for the channel renderers' tests: one of every ReplyPart, and oversized ones. */

export const yesNo = (lang: Lang): ReplyPart => ({
  kind: 'choices',
  prompt: lang === 'fr' ? 'Cela a-t-il résolu le problème ?' : 'Did this solve it?',
  choices: [
    { label: lang === 'fr' ? 'Oui' : 'Yes', value: { action: 'feedback', answer: 'yes', articleId: 'vpn-connect' }, style: 'primary' },
    { label: lang === 'fr' ? 'Non' : 'No', value: { action: 'feedback', answer: 'no', articleId: 'vpn-connect' } },
  ],
});

export function answerMessage(lang: Lang): OutboundMessage {
  return {
    lang,
    parts: [
      { kind: 'text', text: 'The VPN needs **GlobalProtect** and your _company_ account. See [the portal](https://portal.example.com/vpn?a=1&b=2).' },
      { kind: 'steps', title: 'Steps', steps: ['Open **GlobalProtect**', 'Enter `vpn.example.com` as the portal', 'Sign in & approve the MFA prompt'] },
      {
        kind: 'citation',
        articleId: 'vpn-connect',
        title: 'VPN <cannot> connect',
        url: 'https://kb.example.com/articles/vpn-connect',
        updatedLabel: 'updated 3 months ago',
        staleWarning: 'This article is past its review date.',
      },
      yesNo(lang),
    ],
  };
}

/** One message per ReplyPart kind and state, so every renderer branch is exercised. */
export function everyPart(lang: Lang): OutboundMessage[] {
  const parts: ReplyPart[] = [
    { kind: 'text', text: 'Hello _there_.\n\n- first\n- second with [link](https://example.com)' },
    { kind: 'steps', steps: ['Only step'] },
    { kind: 'steps', title: 'Do this', steps: ['One', 'Two'] },
    { kind: 'citation', articleId: 'a1', title: 'No URL article' },
    { kind: 'citation', articleId: 'a2', title: 'With URL', url: 'https://kb.example.com/a2', updatedLabel: 'updated today' },
    { kind: 'choices', choices: [{ label: 'Pick me', value: { action: 'pick', id: 'x' } }] },
    { kind: 'choices', prompt: 'Which one?', choices: [
      { label: 'A', value: { action: 'pick', id: 'a' }, style: 'primary' },
      { label: 'B', value: { action: 'pick', id: 'b' }, style: 'danger' },
      { label: 'None of these', value: { action: 'pick', id: null } },
    ] },
    { kind: 'ticket', state: 'opening', text: 'Opening a ticket for you.' },
    { kind: 'ticket', state: 'opened', text: 'Your ticket is open.', number: 'HD-000123', url: 'https://itsm.example.com/HD-000123', status: 'New' },
    { kind: 'ticket', state: 'failed', text: 'The ticket system is down; your request is saved.' },
    { kind: 'ticket', state: 'status', text: 'Here is where it stands.', number: 'INC0012345', status: 'In progress' },
    { kind: 'handoff', state: 'queued', text: 'A technician will join shortly.' },
    { kind: 'handoff', state: 'taken', text: 'Alex joined.', technician: 'Alex Martin' },
    { kind: 'handoff', state: 'taken', text: 'Someone joined.' },
    { kind: 'handoff', state: 'relay', text: 'Can you restart your laptop?', technician: 'Alex Martin' },
    { kind: 'handoff', state: 'ended', text: 'The technician closed the conversation.' },
  ];
  return parts.map((p) => ({ lang, parts: [p] }));
}

const words = (n: number, word = 'lorem'): string => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');

/** Oversized inputs: 10,000-character text, 60 long steps, long labels, many choices, big payloads. */
export function oversized(lang: Lang): Record<string, OutboundMessage> {
  const longText = (words(1500) + ' **bold** [link](https://example.com/x) & <tag>').slice(0, 10_000);
  return {
    longText: { lang, parts: [{ kind: 'text', text: longText }] },
    longTextWithButtons: { lang, parts: [{ kind: 'text', text: longText }, { kind: 'text', text: longText }, { kind: 'text', text: longText }, yesNo(lang)] },
    sixtySteps: {
      lang,
      parts: [
        { kind: 'steps', title: 'A very long procedure '.repeat(20), steps: Array.from({ length: 60 }, (_, i) => `Step ${i + 1}: ${words(80, 'do')}`) },
        { kind: 'citation', articleId: 'x', title: 'T'.repeat(400), url: 'https://kb.example.com/' + 'p'.repeat(500), updatedLabel: 'updated 2 years ago', staleWarning: 'Stale '.repeat(100) },
        yesNo(lang),
      ],
    },
    longLabels: {
      lang,
      parts: [{ kind: 'choices', prompt: words(400), choices: Array.from({ length: 30 }, (_, i) => ({ label: `Option ${i} ` + 'x'.repeat(200), value: { action: 'pick', i } })) }],
    },
    bigPayloads: {
      lang,
      parts: [{ kind: 'choices', choices: Array.from({ length: 20 }, (_, i) => ({ label: `Choice ${i}`, value: { action: 'pick', blob: 'b'.repeat(1900), i } })) }],
    },
    emoji: { lang, parts: [{ kind: 'text', text: '🔒🔑'.repeat(6000) }, { kind: 'steps', steps: ['😀'.repeat(5000)] }] },
  };
}

/** Text outside the Markdown subset, and links the renderers must not make clickable. */
export function markupEdges(lang: Lang): OutboundMessage {
  return {
    lang,
    parts: [{ kind: 'text', text: '**unclosed bold and _unclosed italic and `unclosed code and [label](javascript:alert(1)) [x](ftp://y) snake_case_word 2 * 3 * 4 & <b>' }],
  };
}

export function packet(overrides: Partial<EscalationPacket> = {}): EscalationPacket {
  return escalationPacketSchema.parse({
    schemaVersion: 1,
    id: '6f1c1d2e-8a4b-4c3d-9e2f-1a2b3c4d5e6f',
    user: { id: 'U123', name: 'Léa Dupont', email: 'lea.dupont@example.com' },
    channel: 'teams',
    conversationId: 'conv-1',
    lang: 'fr',
    question: 'Mon VPN ne se connecte plus **depuis ce matin** [clic](https://evil.example.com) <script>',
    userDetails: 'Erreur 809 sur le portail',
    transcript: [{ role: 'user', text: 'vpn ko', at: '2025-01-01T08:00:00Z' }],
    articlesShown: [
      { articleId: 'vpn-connect', title: 'Le VPN ne se connecte pas', score: 0.62, feedback: 'no' },
      { articleId: 'wifi', title: 'Wi-Fi', score: 0.41, feedback: null },
    ],
    flow: { flowId: 'vpn-cannot-connect', path: [{ stepId: 'check-internet', answer: 'yes', at: '2025-01-01T08:01:00Z' }], outcome: 'escalated' },
    gate: { decision: 'escalate', confidence: 0.31, explanation: 'best match 0.31 below 0.55' },
    reason: 'negative_feedback',
    reasonText: 'two "no" answers in a row',
    category: 'network',
    priority: 'high',
    summary: 'User cannot connect to the VPN since this morning; error 809.',
    timestamps: { conversationStartedAt: '2025-01-01T08:00:00Z', escalatedAt: '2025-01-01T08:05:00Z' },
    ...overrides,
  });
}
