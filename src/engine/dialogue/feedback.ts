import { NO_ANSWERS_BEFORE_ESCALATION, DEFAULT_PRIORITY } from '../escalation/policy.js';
import { askKnowledge } from './answer.js';
import { followUpQuery } from './llm.js';
import { offerEscalation } from './escalation.js';
import { startFlowTurn } from './flow-turn.js';
import { payload } from './payload.js';
import type { Turn } from './turn.js';

/** Longest comment kept with a thumb (Teams' feedback form): enough for a sentence or two, not a document. */
export const FEEDBACK_COMMENT_MAX = 1000;

function escalateAfterNo(turn: Turn): void {
  offerEscalation(turn, {
    reason: 'negative_feedback',
    priority: DEFAULT_PRIORITY.negative_feedback,
    reasonText: turn.t('escalation.reason.negative_feedback'),
    intro: turn.t('escalation.intro.negative_feedback'),
    question: turn.state.topic?.question ?? '',
  });
}

/**
 * "Did this solve it?" Yes: the topic is resolved (a deflection the user confirmed). No: the
 * article's guided fix if it has one not tried yet, else the next best article of another
 * family, else a ticket; the second "no" in a row goes straight to the ticket offer.
 */
export async function onFeedback(turn: Turn, value: 'yes' | 'no', followUpText?: string, comment?: string): Promise<void> {
  const topic = turn.state.topic;
  const shown = topic?.articlesShown[topic.articlesShown.length - 1];
  if (!topic || !shown) {
    turn.text('nothing_pending');
    return;
  }
  const pending = turn.state.pending;
  const flowId = pending?.kind === 'feedback' && pending.articleId === shown.articleId ? pending.flowId : undefined;
  turn.state.pending = undefined;
  shown.feedback = value;
  turn.feedback.push({
    conversationId: turn.conversation.id,
    topicId: topic.id,
    articleId: shown.articleId,
    value,
    question: topic.question,
    channel: turn.address.channel,
    lang: turn.lang,
    at: turn.at,
    ...(comment ? { comment } : {}),
  });
  turn.event('feedback', { articleId: shown.articleId, value, ...(comment ? { text: comment } : {}) });

  if (value === 'yes') {
    topic.consecutiveNo = 0;
    turn.status = 'resolved';
    turn.event('resolved', { articleId: shown.articleId });
    turn.text('feedback.glad');
    return;
  }
  topic.consecutiveNo += 1;
  if (topic.consecutiveNo >= NO_ANSWERS_BEFORE_ESCALATION) {
    escalateAfterNo(turn);
    return;
  }
  const flow = flowId ?? (() => {
    const view = turn.deps.knowledge.article(shown.articleId, turn.lang);
    return view?.flow && turn.deps.flows.get(view.flow) && !topic.flowsTried.includes(view.flow) ? view.flow : undefined;
  })();
  if (flow) {
    await startFlowTurn(turn, flow, { intro: turn.t('feedback.try_flow') });
    return;
  }
  // "still broken on my mac": the detail refines the next search when a language model can rewrite it.
  const query = followUpText ? await followUpQuery(turn, topic, followUpText, topic.question) : topic.question;
  await askKnowledge(turn, query, {
    newTopic: false,
    excludeShown: true,
    intro: turn.t('feedback.next_best'),
    escalateReason: 'negative_feedback',
  });
}

/** "None of these" on a clarify turn counts as a "no": rephrase or open a ticket. */
export function onNoneOfThese(turn: Turn): void {
  const topic = turn.state.topic;
  turn.state.pending = undefined;
  turn.event('feedback', { value: 'none' });
  if (!topic) {
    turn.text('nothing_pending');
    return;
  }
  topic.consecutiveNo += 1;
  if (topic.consecutiveNo >= NO_ANSWERS_BEFORE_ESCALATION) {
    escalateAfterNo(turn);
    return;
  }
  const nonce = turn.nonce();
  turn.state.pending = { kind: 'offer', nonce, rephrase: true };
  turn.send([
    {
      kind: 'choices',
      prompt: turn.t('clarify.rephrase'),
      choices: [{ label: turn.t('clarify.open_ticket'), value: payload({ a: 'offer', n: nonce }) }],
    },
  ]);
}
