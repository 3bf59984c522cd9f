import type { Choice, ReplyPart } from '../contract.js';
import type { ScoredArticle } from '../ports/knowledge.js';
import { DEFAULT_PRIORITY } from '../escalation/policy.js';
import { staleWarning, updatedLabel } from './freshness.js';
import { offerEscalation } from './escalation.js';
import { conversationalAnswer } from './llm.js';
import { payload } from './payload.js';
import { conflictsWith, mainStepsForAnother, sectionFor, statedPlatform } from './platform.js';
import type { Turn } from './turn.js';

/** Clarify turns offer at most this many articles (plus "none of these"). */
const MAX_CLARIFY_OPTIONS = 3;

export interface AskOptions {
  /** Start a new topic (a new question) rather than refine the current one. */
  newTopic: boolean;
  /** Shown before the answer, e.g. "Let's try something else". */
  intro?: string;
  /** Leave out the articles already shown for this topic (after a "no"). */
  excludeShown?: boolean;
  /** Reason used if the gate escalates (after a "no", it is the user's feedback that escalates). */
  escalateReason?: 'gate' | 'negative_feedback';
}

/** A channel's progress display failing must not cost the turn. */
function tell(show: () => void): void {
  try {
    show();
  } catch {
    // ignored: progress is a courtesy, the replies are what counts
  }
}

/** Runs the question through the knowledge gate and answers, clarifies or offers a ticket. */
export async function askKnowledge(turn: Turn, query: string, options: AskOptions): Promise<void> {
  // An article answer replaces any guided fix in progress.
  turn.endFlow('abandoned');
  if (options.newTopic || !turn.state.topic) turn.newTopic(query);
  const topic = turn.state.topic!;
  const exclude = options.excludeShown ? topic.articlesShown.map((a) => a.articleId) : [];
  tell(() => turn.progress?.searching?.());
  const decision = await turn.deps.knowledge.decide(query, {
    lang: turn.lang,
    ...(exclude.length ? { exclude } : {}),
    ...(turn.user.groups ? { audiences: turn.user.groups } : {}),
  });
  topic.gate = { decision: decision.kind, confidence: decision.confidence, explanation: decision.explanation };
  turn.event('question', { text: query });
  turn.event('decision', {
    decision: decision.kind,
    confidence: decision.confidence,
    text: decision.explanation,
    ...(decision.chosen ? { articleId: decision.chosen.articleId } : {}),
    data: {
      candidates: decision.candidates.slice(0, 5).map((c) => ({ id: c.articleId, score: c.score })),
      queryLang: decision.queryLang,
      // So technicians read the explanation in their console's language (`text` is the English one).
      ...(decision.explanationKey ? { explanation: { key: decision.explanationKey, params: decision.explanationParams ?? {} } } : {}),
    },
  });

  const shownFamilies = new Set(exclude.flatMap((id) => turn.deps.knowledge.family(id)));
  // An article for another kind of device ("…on your phone" for "…on my laptop") is not an answer.
  const platform = statedPlatform(query);
  const fits = (c: ScoredArticle) => {
    const view = turn.deps.knowledge.article(c.articleId, turn.lang);
    return !view || !conflictsWith(view, platform);
  };
  const fresh = (c: ScoredArticle) => !shownFamilies.has(c.articleId) && fits(c);

  if (decision.kind === 'answer' && decision.chosen && fresh(decision.chosen)) {
    await showArticle(turn, decision.chosen, options.intro, query);
    return;
  }
  if (decision.kind === 'answer' && decision.chosen && !fits(decision.chosen)) {
    const others = decision.candidates.filter(fresh).slice(0, MAX_CLARIFY_OPTIONS);
    turn.event('intent', { decision: 'platform_mismatch', articleId: decision.chosen.articleId, ...(platform ? { value: platform } : {}) });
    if (others.length > 0) {
      showClarify(turn, others);
      return;
    }
  }
  const choices = (decision.options?.length ? decision.options : decision.candidates).filter(fresh).slice(0, MAX_CLARIFY_OPTIONS);
  if (decision.kind === 'clarify' && choices.length > 0) {
    if (choices.length === 1) await showArticle(turn, choices[0]!, options.intro, query);
    else showClarify(turn, choices);
    return;
  }
  const reason = options.escalateReason ?? 'gate';
  offerEscalation(turn, {
    reason,
    priority: DEFAULT_PRIORITY[reason],
    reasonText:
      reason === 'gate'
        ? turn.t('escalation.reason.gate', { explanation: decision.explanation })
        : turn.t('escalation.reason.negative_feedback'),
    intro: turn.t(reason === 'gate' ? 'escalation.intro.gate' : 'escalation.intro.negative_feedback'),
    question: topic.question,
  });
}

/**
 * The answer turn: summary, numbered steps, citation, then "Did this solve it?". With a language
 * model, a checked conversational answer to `question` (default: the topic's) replaces the summary
 * and steps; everything else is the same.
 */
export async function showArticle(turn: Turn, scored: Pick<ScoredArticle, 'articleId' | 'score'>, intro?: string, question?: string): Promise<void> {
  const { knowledge, translator, flows } = turn.deps;
  const view = knowledge.article(scored.articleId, turn.lang);
  const topic = turn.state.topic;
  if (!view || !topic) {
    turn.text('error');
    return;
  }
  topic.articlesShown.push({ articleId: view.id, title: view.title, score: scored.score, feedback: null });
  if (view.category) topic.category = view.category;

  const nonce = turn.nonce();
  const flowId = view.flow && flows.get(view.flow) && !topic.flowsTried.includes(view.flow) ? view.flow : undefined;
  const parts: ReplyPart[] = [];
  if (intro) parts.push({ kind: 'text', text: intro });
  const written = await conversationalAnswer(turn, view, question ?? topic.question);
  if (written.text !== undefined) {
    parts.push({ kind: 'text', text: written.text, generated: true }, { kind: 'text', text: translator.t(turn.lang, 'llm.disclosure') });
  } else {
    const head = [`**${view.title}**`, view.summary].filter(Boolean).join('\n\n');
    parts.push({ kind: 'text', text: head });
    if (view.lang !== turn.lang) parts.push({ kind: 'text', text: turn.t('answer.other_language') });
    // The section for the device the user named ("On macOS"), alone when it replaces steps written for another system.
    const platform = statedPlatform(question ?? topic.question);
    const section = sectionFor(view, platform);
    const sectionOnly = section && platform && section.steps.length >= 3 && mainStepsForAnother(view, platform);
    if (section && sectionOnly) parts.push({ kind: 'steps', title: section.heading, steps: section.steps });
    else {
      if (view.steps.length) parts.push({ kind: 'steps', steps: view.steps });
      if (section) parts.push({ kind: 'steps', title: section.heading, steps: section.steps });
    }
    if (section) turn.event('intent', { decision: 'platform_section', articleId: view.id, value: section.heading });
  }
  const updated = updatedLabel(view.updated, turn.now, turn.lang, translator);
  const stale = staleWarning(view.reviewBy, turn.now, turn.lang, translator);
  parts.push({
    kind: 'citation',
    articleId: view.id,
    title: view.title,
    ...(view.url ? { url: view.url } : {}),
    ...(updated ? { updatedLabel: updated } : {}),
    ...(stale ? { staleWarning: stale } : {}),
  });
  const choices: Choice[] = [
    { label: turn.common('yes'), value: payload({ a: 'feedback', v: 'yes', n: nonce }), style: 'primary' },
    { label: turn.common('no'), value: payload({ a: 'feedback', v: 'no', n: nonce }) },
  ];
  if (flowId) choices.push({ label: turn.t('answer.guide_me'), value: payload({ a: 'flow.start', f: flowId, n: nonce }) });
  parts.push({ kind: 'choices', prompt: turn.t('answer.did_it_help'), choices });
  turn.send(parts);
  turn.state.pending = { kind: 'feedback', nonce, articleId: view.id, ...(flowId ? { flowId } : {}) };
  turn.event('answer_shown', { articleId: view.id, confidence: topic.gate?.confidence, data: { score: scored.score, stale: Boolean(stale), ...(written.llm ? { llm: written.llm } : {}) } });
}

/** Up to three close candidates and "none of these". */
export function showClarify(turn: Turn, candidates: ScoredArticle[]): void {
  const { knowledge } = turn.deps;
  const nonce = turn.nonce();
  const options = candidates.map((c) => ({
    articleId: c.articleId,
    title: knowledge.article(c.articleId, turn.lang)?.title ?? c.title,
    score: c.score,
  }));
  turn.send([
    {
      kind: 'choices',
      prompt: turn.t('clarify.prompt'),
      choices: [
        ...options.map((o) => ({ label: o.title, value: payload({ a: 'pick', art: o.articleId, n: nonce }) })),
        { label: turn.common('none_of_these'), value: payload({ a: 'none', n: nonce }) },
      ],
    },
  ]);
  turn.state.pending = { kind: 'clarify', nonce, options };
  turn.event('clarify_shown', { data: { options: options.map((o) => ({ id: o.articleId, score: o.score })) } });
}
