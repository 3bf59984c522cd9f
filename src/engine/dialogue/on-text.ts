import { onlySecrets, type Redaction } from '../redact.js';
import { detectFrustration, detectSensitive, DEFAULT_PRIORITY, type SensitiveMatch } from '../escalation/policy.js';
import { currentStep, repeatPrompt } from '../flows/runner.js';
import { answerAsideQuestion, asideOf, handleQuickAside } from './aside.js';
import type { Flow } from '../flows/schema.js';
import { askKnowledge, showArticle } from './answer.js';
import { answerContact, confirmEscalation, declineEscalation, offerEscalation } from './escalation.js';
import { onFeedback, onNoneOfThese } from './feedback.js';
import { continueFlowTurn, flowInputFromText, startFlowTurn } from './flow-turn.js';
import { classifyIntent, followUp, humanRequestRest, stripGreeting, yesNo, type IntentMatch } from './intents.js';
import { followUpQuery } from './llm.js';
import { redirect } from './redirect.js';
import { nonItRoute } from './routes.js';
import { restart, smalltalk } from './smalltalk.js';
import { myTickets, ticketStatus } from './status.js';
import { fold, words } from './text.js';
import type { Pending } from './state.js';
import type { Turn } from './turn.js';

/** A frustrated message this long probably also describes the problem: it is looked up if the ticket is declined. */
const RESUMABLE_WORDS = 4;

function warnAboutSecrets(turn: Turn, redaction: Redaction): void {
  turn.event('secret_redacted', { data: { kinds: [...new Set(redaction.found)] } });
  turn.text(redaction.passwordLike ? 'secret.password' : 'secret.token', { url: turn.deps.config.passwordResetUrl });
}

/** One of the flow's choices offers an account action this user may run now (verified identity, enabled). */
function canActNow(turn: Turn, flow: Flow): boolean {
  const env = turn.runnerEnv();
  return flow.steps.some((s) => s.type === 'choice' && s.options.some((o) => o.requires !== undefined && env.actions.available(o.requires, env.actionContext)));
}

function offerSensitive(turn: Turn, match: SensitiveMatch, text: string): void {
  turn.newTopic(text);
  offerEscalation(turn, {
    reason: 'sensitive',
    priority: match.priority,
    category: match.category,
    reasonText: turn.t(`sensitive.${match.kind}.reason`),
    intro: turn.t(`sensitive.${match.kind}.advice`, { passwordResetUrl: turn.deps.config.passwordResetUrl }),
    question: text,
  });
}

/** "I need a technician, my laptop won't boot": this many words besides the request describe the problem. */
const PROBLEM_WORDS = 3;

async function answerPendingEscalation(turn: Turn, pending: Extract<Pending, { kind: 'escalation' }>, text: string, intent: IntentMatch | undefined): Promise<void> {
  const yn = yesNo(text);
  if (yn?.answer === 'yes' || intent?.name === 'human' || intent?.name === 'ack') return confirmEscalation(turn);
  if (yn?.answer === 'no') {
    const resume = declineEscalation(turn);
    if (resume) await askKnowledge(turn, resume, { newTopic: true });
    return;
  }
  // A new question or an unrelated request is handled as such; the offer stays, as a button.
  const topic = turn.state.topic;
  const aside = await asideOf(turn, text, intent, {
    questions: pending.reason !== 'sensitive' && !pending.needsProblem,
    category: pending.category ?? topic?.category,
    shown: topic?.articlesShown.map((a) => a.articleId) ?? [],
  });
  if (aside?.kind === 'question') return answerAsideQuestion(turn, text);
  if (aside) return handleQuickAside(turn, aside);
  // Anything else is the detail the user wants the technician to know (or, after "agent", the problem): it confirms the ticket.
  return confirmEscalation(turn, text);
}

/** "Agent": with a known problem (or one in the same sentence) offer the ticket; else ask what is wrong first. */
function askForHuman(turn: Turn, text: string): void {
  turn.event('intent', { decision: 'human' });
  const known = Boolean(turn.state.topic) || humanRequestRest(text).length >= PROBLEM_WORDS;
  offerEscalation(turn, {
    reason: 'user_request',
    priority: DEFAULT_PRIORITY.user_request,
    reasonText: turn.t('escalation.reason.user_request'),
    intro: turn.t(known ? 'escalation.intro.user_request' : 'escalation.intro.user_request_ask'),
    question: text,
    ...(known ? {} : { needsProblem: true }),
  });
}

/**
 * A message while a guided-fix step waits: the step's answer if it fits; an aside (ticket lookup,
 * thanks, not-IT request, new question) otherwise. Returns false to let the rest of the routing
 * decide (frustration, follow-ups, other questions: the flow is then set aside with a button).
 */
async function answerFlowStep(turn: Turn, text: string, intent: IntentMatch | undefined): Promise<boolean> {
  const active = turn.flow!;
  const step = currentStep(active.flow, active.run);
  const input = flowInputFromText(turn, text);
  if (input?.kind === 'text' && step?.type === 'input') {
    const pattern = step.validate?.pattern;
    const fitsPattern = pattern !== undefined && new RegExp(`^(?:${pattern})$`, step.validate?.ignoreCase ? 'iu' : 'u').test(text.trim());
    if (!fitsPattern) {
      const aside = await asideOf(turn, text, intent, {
        questions: true,
        category: active.flow.category,
        shown: turn.state.topic?.articlesShown.map((a) => a.articleId) ?? [],
      });
      if (aside?.kind === 'question') {
        await answerAsideQuestion(turn, text);
        return true;
      }
      if (aside) {
        await handleQuickAside(turn, aside);
        return true;
      }
    }
  }
  if (input && (await continueFlowTurn(turn, input))) return true;
  const aside = await asideOf(turn, text, intent, { questions: false, shown: [] });
  if (aside && aside.kind !== 'question') {
    await handleQuickAside(turn, aside);
    return true;
  }
  return false;
}

/** A new question: while a guided fix waits it is set aside (with a button back), else just looked up. */
async function newQuestion(turn: Turn, text: string): Promise<void> {
  if (turn.flow) return answerAsideQuestion(turn, text);
  const trigger = turn.deps.flows.matchTrigger(text);
  if (trigger) return startFlowTurn(turn, trigger.flow.id, { newQuestion: text });
  return askKnowledge(turn, stripGreeting(text), { newTopic: true });
}

function clarifyPick(pending: Extract<Pending, { kind: 'clarify' }>, text: string) {
  const f = fold(text);
  const n = Number(f);
  if (Number.isInteger(n) && n >= 1 && n <= pending.options.length) return pending.options[n - 1];
  return pending.options.find((o) => fold(o.title) === f);
}

const NONE_OF_THESE = /^(?:none|none of these|none of them|neither|nothing|aucun|aucune|aucun des deux|aucune de ces options|rien de tout ca|ni l'un ni l'autre)$/;

/** Routes a typed message. The order is the policy: safety first, then what the bot asked, then new questions. */
export async function onText(turn: Turn, redaction: Redaction): Promise<void> {
  if (redaction.found.length) {
    warnAboutSecrets(turn, redaction);
    if (onlySecrets(redaction.text)) {
      if (turn.flow) turn.send(repeatPrompt(turn.flow.flow, turn.flow.run, turn.runnerEnv()));
      return;
    }
  }
  const text = redaction.text.trim();
  if (!text) {
    turn.text('help');
    return;
  }
  const intent = classifyIntent(text);
  if (intent?.name === 'restart') return restart(turn);

  const sensitive = detectSensitive(text);
  if (sensitive) {
    // A guided fix that can act right away (sign out everywhere) comes first; it ends in its own escalation.
    const acting = turn.deps.flows.matchTrigger(text);
    if (acting && canActNow(turn, acting.flow)) return startFlowTurn(turn, acting.flow.id, { newQuestion: text });
    return offerSensitive(turn, sensitive, text);
  }

  const pending = turn.state.pending;
  if (pending?.kind === 'escalation' && pending.contactStep) {
    if (yesNo(text)?.answer === 'no') {
      const resume = declineEscalation(turn);
      if (resume) await askKnowledge(turn, resume, { newTopic: true });
      return;
    }
    return answerContact(turn, text);
  }
  if (pending?.kind === 'escalation') return answerPendingEscalation(turn, pending, text, intent);

  if (intent?.name === 'human') return askForHuman(turn, text);

  if (turn.flow && (await answerFlowStep(turn, text, intent))) return;

  if (pending?.kind === 'clarify') {
    const picked = clarifyPick(pending, text);
    if (picked) return showArticle(turn, picked);
    if (NONE_OF_THESE.test(fold(text))) return onNoneOfThese(turn);
  }

  const topic = turn.state.topic;
  const fu = followUp(text);
  if (pending?.kind === 'feedback') {
    const yn = yesNo(text);
    if (yn) return onFeedback(turn, yn.answer);
  }
  if (fu?.kind === 'still_broken' && topic?.articlesShown.length && !turn.flow) return onFeedback(turn, 'no', text);

  const frustration = detectFrustration(text, turn.recentQuestionTexts());
  if (frustration) {
    return offerEscalation(turn, {
      reason: 'frustration',
      priority: DEFAULT_PRIORITY.frustration,
      reasonText: turn.t('escalation.reason.frustration', { signal: turn.t(`escalation.signal.${frustration}`) }),
      intro: turn.t('escalation.intro.frustration'),
      question: text,
      ...(words(text).length >= RESUMABLE_WORDS ? { resumeQuery: text } : {}),
    });
  }

  switch (intent?.name) {
    case 'my_tickets':
      return myTickets(turn);
    case 'ticket_status':
      return ticketStatus(turn, intent.ticketNumber as string);
    case 'greeting':
    case 'thanks':
    case 'goodbye':
    case 'help':
    case 'ack':
      return smalltalk(turn, intent.name);
    case 'yes':
    case 'no':
      // "it doesn't work" out of the blue: ask what, rather than "I'm not sure what that answers".
      turn.text(intent.name === 'no' && !topic && words(text).length >= 2 ? 'ask_problem' : 'nothing_pending');
      return;
  }

  const route = nonItRoute(text);
  if (route && !turn.flow) return redirect(turn, route.route);

  if (fu?.kind === 'variant' && topic) return askKnowledge(turn, await followUpQuery(turn, topic, text, `${topic.question} ${text}`), { newTopic: false });
  // After "none of these", the new wording is the same problem: "no" answers keep counting.
  if (pending?.kind === 'offer' && pending.rephrase && topic) return askKnowledge(turn, stripGreeting(text), { newTopic: false, excludeShown: true });

  return newQuestion(turn, text);
}
