import type { Choice } from '../contract.js';
import { repeatPrompt } from '../flows/runner.js';
import { askKnowledge } from './answer.js';
import { confirmEscalation } from './escalation.js';
import { startFlowTurn } from './flow-turn.js';
import { stripGreeting, type IntentMatch } from './intents.js';
import { payload } from './payload.js';
import { redirect } from './redirect.js';
import { nonItRoute, type Route } from './routes.js';
import { smalltalk } from './smalltalk.js';
import { myTickets, ticketStatus } from './status.js';
import { words } from './text.js';
import type { Turn } from './turn.js';

/**
 * While the bot waits for an answer (a ticket offer, a guided-fix step), a message may be
 * something else: a ticket lookup, thanks, a request for HR, or a brand-new question. Such an
 * aside is handled as what it is, and what was waiting is kept: re-shown as it was for a quick
 * aside, or set aside with a button to bring it back when the user moved to a new question.
 * Only a message that fits the prompt is taken as its answer (never "what's the weather" as the
 * details of a ticket).
 */
export type Aside =
  | { kind: 'intent'; intent: IntentMatch }
  | { kind: 'route'; route: Route }
  | { kind: 'question' };

/** Intents that never answer a pending prompt. */
const ASIDE_INTENTS = new Set(['my_tickets', 'ticket_status', 'greeting', 'thanks', 'goodbye', 'help']);
/** A new question is at least this long: "PRN-0421" or "on floor 3" are answers. */
const QUESTION_MIN_WORDS = 3;

export interface AsideContext {
  /** Look the text up to see whether it is a new question (not for urgent offers or "describe the problem"). */
  questions: boolean;
  /** Category of what is pending (the topic's or the flow's): an article of the same category is a detail of it. */
  category?: string;
  /** Articles already shown for the pending topic: the same family is a detail, not a new question. */
  shown: string[];
}

/** Whether `text` is an aside rather than the answer to what is pending. */
export async function asideOf(turn: Turn, text: string, intent: IntentMatch | undefined, ctx: AsideContext): Promise<Aside | undefined> {
  if (intent && ASIDE_INTENTS.has(intent.name)) return { kind: 'intent', intent };
  const route = nonItRoute(text);
  if (route) return { kind: 'route', route: route.route };
  if (!ctx.questions || words(text).length < QUESTION_MIN_WORDS) return undefined;
  const { knowledge } = turn.deps;
  const decision = await knowledge.decide(text, { lang: turn.lang });
  if (decision.kind !== 'answer' || !decision.chosen) return undefined;
  const shownFamilies = new Set(ctx.shown.flatMap((id) => knowledge.family(id)));
  if (shownFamilies.has(decision.chosen.articleId)) return undefined;
  const category = knowledge.article(decision.chosen.articleId)?.category;
  if (ctx.category && category === ctx.category) return undefined;
  return { kind: 'question' };
}

/** Handles a quick aside (intent or not-IT request) and shows again what is still waiting. */
export async function handleQuickAside(turn: Turn, aside: Exclude<Aside, { kind: 'question' }>): Promise<void> {
  if (aside.kind === 'route') redirect(turn, aside.route);
  else {
    const { intent } = aside;
    if (intent.name === 'my_tickets') await myTickets(turn);
    else if (intent.name === 'ticket_status') await ticketStatus(turn, intent.ticketNumber as string);
    else smalltalk(turn, intent.name as 'greeting' | 'thanks' | 'goodbye' | 'help');
  }
  remind(turn);
}

/** Shows the pending ticket offer or guided-fix step again, with the buttons it had. */
export function remind(turn: Turn): void {
  const pending = turn.state.pending;
  if (pending?.kind === 'escalation') {
    turn.send([{ kind: 'choices', prompt: turn.t('aside.offer_still_open'), choices: escalationChoices(turn, pending.nonce) }]);
    return;
  }
  const active = turn.flow;
  if (active) {
    turn.send([{ kind: 'text', text: turn.t('aside.flow_still_open', { title: active.flow.title[turn.lang] }) }, ...repeatPrompt(active.flow, active.run, turn.runnerEnv())]);
  }
}

export function escalationChoices(turn: Turn, nonce: string): Choice[] {
  return [
    { label: turn.t('escalation.confirm'), value: payload({ a: 'escalate', v: 'yes', n: nonce }), style: 'primary' },
    { label: turn.t('escalation.decline'), value: payload({ a: 'escalate', v: 'no', n: nonce }) },
  ];
}

const short = (s: string, max = 80): string => (s.length <= max ? s : `${s.slice(0, max - 1).replace(/\s+\S*$/, '')}…`);

/**
 * A new question while something waits: the ticket offer or the guided fix is set aside, the
 * question is answered as a new topic, and a button brings back what was set aside.
 */
export async function answerAsideQuestion(turn: Turn, text: string): Promise<void> {
  const pending = turn.state.pending;
  const nonce = turn.nonce();
  let button: { prompt: string; choice: Choice } | undefined;
  if (pending?.kind === 'escalation') {
    turn.state.parked = { kind: 'escalation', nonce, offer: pending, ...(turn.state.topic ? { topic: turn.state.topic } : {}) };
    turn.state.pending = undefined;
    button = {
      prompt: turn.t('aside.offer_kept', { question: short(pending.question) }),
      choice: { label: turn.t('aside.open_kept'), value: payload({ a: 'escalate', v: 'yes', n: nonce }) },
    };
  } else if (turn.flow) {
    const { flow, run } = turn.flow;
    turn.state.parked = { kind: 'flow', nonce, flowId: flow.id, run, ...(turn.state.topic ? { topic: turn.state.topic } : {}) };
    button = {
      prompt: turn.t('aside.flow_kept', { title: flow.title[turn.lang] }),
      choice: { label: turn.t('aside.resume_flow'), value: payload({ a: 'flow.resume', f: flow.id, n: nonce }) },
    };
  }
  turn.event('intent', { decision: 'aside_question', ...(button ? { value: pending?.kind === 'escalation' ? 'escalation' : 'flow' } : {}) });
  const trigger = turn.deps.flows.matchTrigger(text);
  if (trigger && trigger.flow.id !== turn.flow?.flow.id) await startFlowTurn(turn, trigger.flow.id, { newQuestion: text });
  else await askKnowledge(turn, stripGreeting(text), { newTopic: true });
  if (button) turn.send([{ kind: 'choices', prompt: button.prompt, choices: [button.choice] }]);
}

/** The button of a ticket offer set aside: open that ticket now, about the topic it was offered for. */
export async function confirmParkedEscalation(turn: Turn): Promise<void> {
  const parked = turn.state.parked;
  if (parked?.kind !== 'escalation') return;
  const current = { topic: turn.state.topic, pending: turn.state.pending, status: turn.status };
  turn.state.topic = parked.topic;
  turn.state.pending = parked.offer;
  turn.state.parked = undefined;
  await confirmEscalation(turn);
  const after = turn.state.pending;
  if (after?.kind === 'escalation' && after.packetId === parked.offer.packetId) {
    // Asked for a name or e-mail first (anonymous web chat): that offer and its topic are now the
    // conversation's, so the answers open this ticket.
    if (after.contactStep) return;
    // A failed submit leaves the offer pending: keep it set aside so the button still works.
    turn.state.parked = parked;
  }
  turn.state.topic = current.topic;
  turn.state.pending = current.pending;
}

/** The button of a guided fix set aside: carry on at the step where it was left. */
export function resumeParkedFlow(turn: Turn): void {
  const parked = turn.state.parked;
  if (parked?.kind !== 'flow') return;
  const flow = turn.deps.flows.get(parked.flowId);
  turn.state.parked = undefined;
  if (!flow || !flow.steps.some((s) => s.id === parked.run.stepId)) {
    turn.text('flow.unavailable');
    return;
  }
  turn.endFlow('abandoned', { switchedTo: flow.id });
  if (parked.topic) turn.state.topic = parked.topic;
  turn.state.pending = undefined;
  const run = { ...parked.run, updatedAt: turn.at };
  turn.saveFlow({ flow, run }, 'active');
  turn.event('flow_step', { flowId: flow.id, stepId: run.stepId, value: 'resumed' });
  turn.send([{ kind: 'text', text: turn.t('aside.flow_resumed', { title: flow.title[turn.lang] }) }, ...repeatPrompt(flow, run, turn.runnerEnv())]);
}
