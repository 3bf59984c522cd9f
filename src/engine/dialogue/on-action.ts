import { DEFAULT_PRIORITY } from '../escalation/policy.js';
import { confirmParkedEscalation, resumeParkedFlow } from './aside.js';
import { askKnowledge, showArticle } from './answer.js';
import { confirmEscalation, declineEscalation, offerEscalation } from './escalation.js';
import { onFeedback, onNoneOfThese } from './feedback.js';
import { continueFlowTurn, startFlowTurn } from './flow-turn.js';
import type { EnginePayload } from './payload.js';
import type { Turn } from './turn.js';

function stale(turn: Turn): void {
  turn.event('intent', { decision: 'stale_button' });
  turn.text('action.stale');
}

/**
 * Routes a button press. A button only counts if it belongs to the prompt the bot is waiting on
 * (same nonce); anything else is an old or forged click and changes nothing. `comment` (already
 * redacted) is what the user typed with a feedback click; other buttons ignore it.
 */
export async function onAction(turn: Turn, p: EnginePayload | undefined, comment?: string): Promise<void> {
  if (!p) {
    turn.event('intent', { decision: 'invalid_button' });
    turn.text('action.invalid');
    return;
  }
  const pending = turn.state.pending;
  const run = turn.flow?.run;
  switch (p.a) {
    case 'feedback':
      if (pending?.kind === 'feedback' && pending.nonce === p.n) return onFeedback(turn, p.v, undefined, comment);
      return stale(turn);
    case 'pick': {
      const option = pending?.kind === 'clarify' && pending.nonce === p.n ? pending.options.find((o) => o.articleId === p.art) : undefined;
      if (option) return showArticle(turn, option);
      return stale(turn);
    }
    case 'none':
      if (pending?.kind === 'clarify' && pending.nonce === p.n) return onNoneOfThese(turn);
      return stale(turn);
    case 'flow.start':
      if ((pending?.kind === 'feedback' || pending?.kind === 'offer') && pending.nonce === p.n && pending.flowId === p.f) {
        return startFlowTurn(turn, p.f, {});
      }
      return stale(turn);
    case 'flow.choice':
    case 'flow.check':
      if (run && run.nonce === p.n && run.stepId === p.s) {
        const input = p.a === 'flow.choice' ? ({ kind: 'option', optionId: p.o } as const) : ({ kind: 'yesno', yes: p.v === 'yes' } as const);
        if (await continueFlowTurn(turn, input)) return;
      }
      return stale(turn);
    case 'flow.resume':
      if (turn.state.parked?.kind === 'flow' && turn.state.parked.nonce === p.n && turn.state.parked.flowId === p.f) return resumeParkedFlow(turn);
      return stale(turn);
    case 'escalate': {
      // The button of a ticket offer set aside while the user asked something else.
      if (turn.state.parked?.kind === 'escalation' && turn.state.parked.nonce === p.n) {
        if (p.v === 'yes') return confirmParkedEscalation(turn);
        turn.state.parked = undefined;
        turn.text('escalation.declined');
        return;
      }
      if (pending?.kind !== 'escalation' || pending.nonce !== p.n) return stale(turn);
      if (p.v === 'yes') return confirmEscalation(turn);
      const resume = declineEscalation(turn);
      if (resume) await askKnowledge(turn, resume, { newTopic: true });
      return;
    }
    case 'offer':
      if (pending?.kind !== 'offer' || pending.nonce !== p.n) return stale(turn);
      return offerEscalation(turn, {
        reason: 'user_request',
        priority: DEFAULT_PRIORITY.user_request,
        reasonText: turn.t('escalation.reason.user_request'),
        question: turn.state.topic?.question ?? '',
      });
    case 'handoff.end':
    case 'handoff.rate':
      // The live handoff takes these while they are current; reaching the dialogue means they are not.
      return stale(turn);
  }
}
