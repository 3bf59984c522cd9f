import type { UserRef } from '../contract.js';
import type { Lang } from '../lang.js';
import { flowRunSchema } from '../flows/runner.js';
import type { ConversationRecord, FlowRunRecord } from '../ports/conversation-store.js';
import type { ResolvedDeps } from './deps.js';
import { messageToText } from './plain-text.js';
import { parseState } from './state.js';
import { Turn, type ActiveFlow } from './turn.js';

/** Loading a turn from stored state and committing it back: shared by messages, timeouts and ticket news. */
export interface Runtime {
  deps: ResolvedDeps;
  newTurn(conversation: ConversationRecord, flowRecord: FlowRunRecord | undefined, lang: Lang, now: Date, user: UserRef): Turn;
  commit(turn: Turn, inboundTurnId?: number): Promise<void>;
  /** The stored flow run, if its flow and step still exist (flows are content: they change between releases). */
  activeFlowOf(record: FlowRunRecord | undefined): ActiveFlow | 'gone' | undefined;
}

/**
 * An employee's "yes, that solved it" ties the question to the article: a labelled example, kept
 * once the turn is committed. Losing one is logged, never fails the turn the user is waiting for.
 */
async function recordConfirmations(turn: Turn, inboundTurnId: number | undefined): Promise<void> {
  const labels = turn.deps.labels;
  if (!labels) return;
  for (const f of turn.feedback) {
    if (f.value !== 'yes' || !f.question.trim()) continue;
    try {
      await labels.record({
        question: f.question,
        lang: f.lang,
        verdict: 'article',
        articleId: f.articleId,
        source: 'employee_confirmed',
        by: 'employee',
        at: f.at,
        conversationId: f.conversationId,
        ...(inboundTurnId !== undefined ? { turnId: inboundTurnId } : {}),
        ref: `topic:${f.topicId ?? ''}:${f.articleId}`,
      });
    } catch (err) {
      turn.deps.logger?.warn({ err: err instanceof Error ? err.message : String(err), conversationId: f.conversationId }, 'confirmed answer not recorded as a labelled example');
    }
  }
}

export function createRuntime(deps: ResolvedDeps): Runtime {
  const { store, flows, translator } = deps;

  const activeFlowOf: Runtime['activeFlowOf'] = (record) => {
    if (!record) return undefined;
    const flow = flows.get(record.flowId);
    const run = flowRunSchema.safeParse(record.state);
    if (!flow || !run.success || !flow.steps.some((s) => s.id === run.data.stepId)) return 'gone';
    return { flow, run: run.data };
  };

  return {
    deps,
    activeFlowOf,
    newTurn(conversation, flowRecord, lang, now, user) {
      const flow = activeFlowOf(flowRecord);
      const turn = new Turn(deps, conversation, parseState(conversation.state), flow === 'gone' ? undefined : flow, lang, now, user);
      if (flow === 'gone' && flowRecord) {
        turn.flowWrites.push({ ...flowRecord, status: 'abandoned', updatedAt: turn.at });
        turn.event('flow_ended', { flowId: flowRecord.flowId, stepId: flowRecord.stepId, value: 'abandoned', data: { flowChanged: true } });
        turn.text('flow.changed');
      }
      return turn;
    },
    async commit(turn, inboundTurnId) {
      // Any message keeps a guided fix in progress alive (the inactivity timeout counts from here).
      if (turn.flow && !turn.flowWrites.some((w) => w.id === turn.flow?.run.runId)) {
        turn.saveFlow({ ...turn.flow, run: { ...turn.flow.run, updatedAt: turn.at } }, 'active');
      }
      await store.commitTurn({
        conversationId: turn.conversation.id,
        ...(inboundTurnId !== undefined ? { inboundTurnId } : {}),
        at: turn.at,
        lang: turn.lang,
        status: turn.status,
        state: turn.state,
        flows: turn.flowWrites,
        outbound: turn.messages.map((m) => ({ text: messageToText(m, translator), message: m })),
        feedback: turn.feedback,
        events: turn.events,
      });
      await recordConfirmations(turn, inboundTurnId);
    },
  };
}
