import { cosine, questionVector, type TermVector, type TermWeight } from './similarity.js';
import type { TopicSummary } from './topics.js';

/**
 * The outcome of each help request, defined so the deflection rate cannot flatter the bot:
 *
 * - deflected only if the user confirmed the fix (👍, or a guided fix that ended resolved), or
 *   ended the conversation after an answer (thanks / goodbye) without escalating, AND in the 72
 *   hours after the topic's last activity the same user neither came back on the same topic (an
 *   answer from the same article family, or a similar question) nor opened a ticket;
 * - an answer followed by silence is "no feedback", reported on its own and never a success;
 * - a topic whose 72-hour window is still open is "pending" and left out of every rate, unless it
 *   has already failed (escalated, or the user already came back).
 */

export const RETURN_WINDOW_MS = 72 * 60 * 60 * 1000;
/** Two questions at least this similar (cosine of their term vectors) are the same topic. */
export const SAME_TOPIC_SIMILARITY = 0.5;

export const OUTCOMES = [
  'deflected_confirmed',
  'deflected_ended',
  'no_feedback',
  'not_helped',
  'unanswered',
  'returned',
  'escalated',
  'pending',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const DEFLECTED: ReadonlySet<Outcome> = new Set(['deflected_confirmed', 'deflected_ended']);

export interface OutcomeOptions {
  now: Date;
  /** Family key of an article (an article and its translations share one); identity when unknown. */
  familyOf?: (articleId: string) => string;
  windowMs?: number;
  similarity?: number;
  /** Term weights for question similarity (idfWeights over the knowledge base). */
  weight?: TermWeight;
}

export interface ClassifiedTopic extends TopicSummary {
  outcome: Outcome;
  /** For 'returned': the later topic that came back on the same problem, or the ticket opened. */
  returnedBy?: { topicId: string; at: string; via: 'same_article' | 'similar_question' | 'ticket' };
}

function families(t: TopicSummary, familyOf: (id: string) => string): Set<string> {
  const ids = [...t.articlesShown, ...t.decisions.flatMap((d) => (d.kind === 'answer' && d.articleId ? [d.articleId] : []))];
  return new Set(ids.map(familyOf));
}

export function classifyTopics(topics: readonly TopicSummary[], options: OutcomeOptions): ClassifiedTopic[] {
  const familyOf = options.familyOf ?? ((id: string) => id);
  const windowMs = options.windowMs ?? RETURN_WINDOW_MS;
  const threshold = options.similarity ?? SAME_TOPIC_SIMILARITY;
  const now = options.now.getTime();

  const byUser = new Map<string, TopicSummary[]>();
  for (const t of topics) {
    if (!t.userId) continue;
    byUser.set(t.userId, [...(byUser.get(t.userId) ?? []), t]);
  }
  const vectors = new Map<string, TermVector>();
  const vectorOf = (t: TopicSummary): TermVector | undefined => {
    if (!t.question) return undefined;
    let v = vectors.get(t.id);
    if (!v) {
      v = questionVector(t.question, t.lang, options.weight);
      vectors.set(t.id, v);
    }
    return v;
  };

  const comeback = (t: TopicSummary): ClassifiedTopic['returnedBy'] => {
    const end = Date.parse(t.lastAt) + windowMs;
    const mine = families(t, familyOf);
    for (const u of byUser.get(t.userId) ?? []) {
      if (u.id === t.id) continue;
      const at = Date.parse(u.startedAt);
      if (u.startedAt <= t.startedAt || at > end) continue;
      if ([...families(u, familyOf)].some((f) => mine.has(f))) return { topicId: u.id, at: u.startedAt, via: 'same_article' };
      const a = vectorOf(t);
      const b = vectorOf(u);
      if (a && b && a.size > 0 && cosine(a, b) >= threshold) return { topicId: u.id, at: u.startedAt, via: 'similar_question' };
      if (u.escalated && u.startedAt > t.lastAt) return { topicId: u.id, at: u.startedAt, via: 'ticket' };
    }
    return undefined;
  };

  return topics.map((t): ClassifiedTopic => {
    if (t.escalated) return { ...t, outcome: 'escalated' };
    const back = t.userId ? comeback(t) : undefined;
    if (back) return { ...t, outcome: 'returned', returnedBy: back };
    if (Date.parse(t.lastAt) + windowMs > now) return { ...t, outcome: 'pending' };
    if (t.resolved) return { ...t, outcome: 'deflected_confirmed' };
    const last = t.feedback[t.feedback.length - 1];
    if (t.articlesShown.length === 0) return { ...t, outcome: 'unanswered' };
    if (t.endedAfterAnswer) return { ...t, outcome: 'deflected_ended' };
    if (last === 'no' || last === 'none') return { ...t, outcome: 'not_helped' };
    return { ...t, outcome: 'no_feedback' };
  });
}
