import type { Lang } from '../lang.js';
import type { AnalyticsEvent } from '../ports/conversation-store.js';

/**
 * A topic is one help request: a question and its follow-ups (the engine's topicId). Deflection,
 * gaps and the dashboard are computed per topic, from the analytics events alone, so the numbers
 * can be recomputed at any time from what the store keeps.
 */

export interface TopicDecision {
  kind: string;
  confidence?: number;
  explanation?: string;
  articleId?: string;
  at: string;
}

export interface TopicSummary {
  /** The engine's topic id; `escalation:<conversation>:<time>` for an escalation made outside any topic. */
  id: string;
  conversationId: string;
  /** Channel user id, from the conversation; '' when the conversation is unknown. */
  userId: string;
  channel: string;
  lang: Lang;
  startedAt: string;
  lastAt: string;
  /** The first question of the topic (redacted), if the topic had one. */
  question?: string;
  questions: string[];
  decisions: TopicDecision[];
  /** Article ids shown as answers, in order. */
  articlesShown: string[];
  /** Article feedback and "none of these", in order. */
  feedback: Array<'yes' | 'no' | 'none'>;
  /** The user confirmed the fix (👍 or a guided fix that ended resolved), with no 👎 after it. */
  resolved: boolean;
  escalated: boolean;
  escalationReason?: string;
  /** The user said thanks or goodbye after the last answer, without a 👎 after it. */
  endedAfterAnswer: boolean;
  /** The gate's confidence on the question itself (its first decision). */
  confidence?: number;
  /** Lowest gate confidence among the topic's decisions (follow-ups after a 👎 exclude the articles already shown). */
  minConfidence?: number;
}

const ENDING_INTENTS = new Set(['thanks', 'goodbye']);

function topicKey(e: AnalyticsEvent): string | undefined {
  if (e.topicId) return e.topicId;
  // "Agent please" as a first message: an escalation with no question before it is still a help request.
  if (e.type === 'escalated') return `escalation:${e.conversationId}:${e.at}`;
  return undefined;
}

/** Groups events (any order) into topics, oldest first. `userOf` maps a conversation id to its user id. */
export function buildTopics(events: readonly AnalyticsEvent[], userOf: (conversationId: string) => string | undefined): TopicSummary[] {
  const sorted = [...events].sort((a, b) => a.at.localeCompare(b.at));
  const topics = new Map<string, TopicSummary>();
  // Per topic: whether the last thing that happened after an answer was a polite ending.
  const answeredSinceEnd = new Map<string, boolean>();
  for (const e of sorted) {
    const key = topicKey(e);
    if (!key) continue;
    let t = topics.get(key);
    if (!t) {
      t = {
        id: key,
        conversationId: e.conversationId,
        userId: userOf(e.conversationId) ?? '',
        channel: e.channel,
        lang: e.lang,
        startedAt: e.at,
        lastAt: e.at,
        questions: [],
        decisions: [],
        articlesShown: [],
        feedback: [],
        resolved: false,
        escalated: false,
        endedAfterAnswer: false,
      };
      topics.set(key, t);
    }
    t.lastAt = e.at;
    switch (e.type) {
      case 'question':
        if (e.text) {
          t.question ??= e.text;
          t.questions.push(e.text);
        }
        break;
      case 'decision':
        t.decisions.push({
          kind: e.decision ?? 'unknown',
          at: e.at,
          ...(e.confidence !== undefined ? { confidence: e.confidence } : {}),
          ...(e.text ? { explanation: e.text } : {}),
          ...(e.articleId ? { articleId: e.articleId } : {}),
        });
        if (e.confidence !== undefined) {
          t.confidence ??= e.confidence;
          t.minConfidence = Math.min(t.minConfidence ?? 1, e.confidence);
        }
        break;
      case 'answer_shown':
        if (e.articleId) t.articlesShown.push(e.articleId);
        answeredSinceEnd.set(key, true);
        t.endedAfterAnswer = false;
        break;
      case 'feedback':
        if (e.value === 'yes' || e.value === 'no' || e.value === 'none') t.feedback.push(e.value);
        if (e.value !== 'yes') {
          answeredSinceEnd.set(key, false);
          t.endedAfterAnswer = false;
          t.resolved = false;
        }
        break;
      case 'resolved':
        t.resolved = true;
        break;
      case 'escalated':
        t.escalated = true;
        if (e.value) t.escalationReason = e.value;
        break;
      case 'intent':
        if (e.decision && ENDING_INTENTS.has(e.decision) && answeredSinceEnd.get(key)) t.endedAfterAnswer = true;
        break;
      default:
        break;
    }
  }
  return [...topics.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
}
