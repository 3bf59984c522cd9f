import { translator } from '../i18n.js';
import type { Lang } from '../lang.js';
import type { GateDecision, ScoredArticle } from '../ports/knowledge.js';
import type { Candidate, Retrieval } from '../retrieval/retrieve.js';
import { gateFeatures } from './features.js';
import { predict } from './logistic.js';
import type { GateModel, RetrievalMode, Thresholds } from './model.js';
import { shortlist, shortlistFeatures } from './shortlist.js';

/**
 * The answer-clarify-escalate gate. Two calibrated probabilities:
 *   confidence = P(the best candidate answers the question)      (one scale for every mode, in the README)
 *   shortlist  = P(the right article is among the close options)  (the 2-3 candidates `shortlist` keeps)
 * and the decision:
 *   confidence ≥ answer threshold                         → answer with the best article
 *   shortlist ≥ clarify threshold and 2-3 close options    → offer them + "none of these"
 *   otherwise                                              → escalate to a human
 * `confidence` stays P(best answers) for every kind, so thresholds and risk-coverage tables mean
 * the same thing whatever was decided.
 */

export interface GateInput {
  retrieval: Retrieval;
  model: GateModel;
  thresholds: Thresholds;
  mode: RetrievalMode;
  queryLang: Lang;
  /** The family member to show for a candidate, in the reply language when it exists. */
  represent(candidate: Candidate): ScoredArticle;
  /** Closest question the desk said must go to a technician (character-trigram cosine; 0 or absent without any). */
  learnedEscalation?: number;
}

/**
 * A message this close to one the desk said must go to a technician ("should have escalated") is
 * escalated whatever the models say: one judgement rarely moves a refitted model enough to stop
 * the same question being answered again. It yields to an article's own or learned question
 * matched at least as closely (the desk also said an article answers it).
 */
export const LEARNED_ESCALATION_MATCH = 0.9;

const fmt = (x: number) => x.toFixed(2);

export function gate(input: GateInput): GateDecision {
  const { retrieval, model, thresholds } = input;
  const features = gateFeatures(retrieval);
  const candidates = retrieval.candidates.slice(0, 10).map((c) => input.represent(c));
  const top = retrieval.candidates[0];
  const base = { queryLang: input.queryLang, candidates, features: { ...features } };
  const explain = (key: string, params: Record<string, string | number>) => ({
    explanation: translator().t('en', `gate.explain.${key}`, params),
    explanationKey: `gate.explain.${key}`,
    explanationParams: params,
  });

  if (retrieval.stats.words === 0) return { kind: 'escalate', confidence: 0, ...explain('escalate_empty', {}), ...base };
  if (!top || candidates[0] === undefined) return { kind: 'escalate', confidence: 0, ...explain('escalate_none', {}), ...base };

  const confidence = predict(model.gate, features);
  const best = candidates[0];
  const learned = input.learnedEscalation ?? 0;
  if (learned >= LEARNED_ESCALATION_MATCH && learned > top.features.charMatch) {
    return { kind: 'escalate', confidence, ...explain('escalate_learned', { similarity: fmt(learned), title: best.title }), ...base };
  }
  const params = {
    title: best.title,
    confidence: fmt(confidence),
    threshold: fmt(thresholds.answer),
    clarify: fmt(thresholds.clarify),
    covered: top.matchedWords,
    words: retrieval.stats.words,
    questionMatch: fmt(top.features.questionMatch),
    similarity: fmt(top.features.dense),
  };
  if (confidence >= thresholds.answer) {
    const key = input.mode === 'hybrid' ? 'answer' : 'answer_lexical';
    return { kind: 'answer', confidence, chosen: best, ...explain(key, params), ...base };
  }
  const close = shortlist(retrieval.candidates, model.clarify);
  // Without a shortlist model (older files), the confidence is a lower bound of the same probability.
  const inShortlist = model.shortlist ? predict(model.shortlist, shortlistFeatures(retrieval, close)) : confidence;
  const shortParams = {
    ...params,
    shortlist: fmt(inShortlist),
    count: close.length,
    options: close.map((c) => `${input.represent(c).articleId} ${fmt(c.score)}`).join(', '),
  };
  const decided = { ...base, shortlistConfidence: inShortlist };
  if (inShortlist >= thresholds.clarify && close.length >= 2) {
    const options = close.map((c) => input.represent(c));
    return { kind: 'clarify', confidence, options, ...explain('clarify', shortParams), ...decided };
  }
  if (inShortlist >= thresholds.clarify) return { kind: 'escalate', confidence, ...explain('escalate_single', shortParams), ...decided };
  return { kind: 'escalate', confidence, ...explain('escalate', shortParams), ...decided };
}
