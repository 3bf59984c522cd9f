import type { EscalationPacket } from '../escalation/packet.js';
import { TextStream } from '../llm/text-stream.js';
import type { ArticleView, Passage } from '../ports/knowledge.js';
import type { Topic } from './state.js';
import type { Turn } from './turn.js';

/**
 * Where the dialogue uses the optional language model (deps.llm). Each helper returns what the
 * engine does without a model whenever the model is off, not configured for that use, or fails:
 * the caller never has to care which happened.
 */

const names = (turn: Turn): string[] => (turn.user.name ? [turn.user.name] : []);

/** The passages the model may answer from: the retrieval chunks, or the article's own summary and steps. */
function passagesOf(turn: Turn, view: ArticleView): ReadonlyArray<Pick<Passage, 'text'>> {
  const chunks = turn.deps.knowledge.passages?.(view.id, view.lang);
  if (chunks?.length) return chunks;
  return [
    { text: [view.title, view.summary].filter(Boolean).join('\n') },
    { text: [view.title, ...view.steps].join('\n') },
    ...(view.variants ?? []).map((v) => ({ text: [view.title, v.heading, ...v.steps].join('\n') })),
  ];
}

export type ConversationalAnswer = { text: string; llm: 'ok' } | { text?: undefined; llm?: string };

/**
 * A conversational answer from the article the gate (or the user) chose, in the user's language.
 * Only for an article in that language: the grounding check compares words, not translations.
 */
export async function conversationalAnswer(turn: Turn, view: ArticleView, question: string): Promise<ConversationalAnswer> {
  const llm = turn.deps.llm;
  if (!llm?.features.answers) return {};
  if (view.lang !== turn.lang) return { llm: 'other_language' };
  // Channels that show the answer while it is written get the checked text as it comes.
  const stream = turn.progress?.answering ? new TextStream() : undefined;
  if (stream) {
    try {
      turn.progress!.answering!(stream);
    } catch {
      // The channel's display failed: the answer still comes in the replies.
    }
  }
  const out = await llm
    .answer({
      question,
      lang: turn.lang,
      articles: [{ id: view.id, passages: passagesOf(turn, view) }],
      userNames: names(turn),
      detectLang: (text, fallback) => turn.deps.knowledge.detectLang(text, fallback),
      ...(stream ? { onChecked: (text: string) => stream.push(text) } : {}),
    })
    .finally(() => stream?.end());
  return out.ok ? { text: out.text, llm: 'ok' } : { llm: out.reason };
}

/**
 * The query to look up for a follow-up ("and on my Mac?", "still broken on my mac"): a standalone
 * rewrite by the model, or `fallback` (what the engine searches without one).
 */
export async function followUpQuery(turn: Turn, topic: Topic, text: string, fallback: string): Promise<string> {
  const llm = turn.deps.llm;
  if (!llm?.features.rewrite) return fallback;
  const last = topic.articlesShown[topic.articlesShown.length - 1];
  const out = await llm.rewrite({
    topic: topic.question,
    ...(last ? { articleTitle: last.title } : {}),
    followUp: text,
    lang: turn.lang,
    userNames: names(turn),
  });
  return out.ok ? out.query : fallback;
}

/** The packet with the model's summary, suggested category and priority; unchanged without a model. */
export async function withTicketSummary(turn: Turn, packet: EscalationPacket): Promise<{ packet: EscalationPacket; llm?: string }> {
  const llm = turn.deps.llm;
  if (!llm?.features.summary) return { packet };
  const out = await llm.summarize(packet);
  return { packet: out.packet, llm: out.outcome };
}
