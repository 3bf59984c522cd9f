import { translator } from '../i18n.js';
import type { Lang } from '../lang.js';
import type { GateDecision, ScoredArticle } from '../ports/knowledge.js';
import type { Candidate, Retrieval } from '../retrieval/retrieve.js';
import { gateFeatures } from './features.js';
import { predict } from './logistic.js';
import type { GateModel, RetrievalMode, Thresholds } from './model.js';

/**
 * The answer-or-escalate gate. Confidence is the calibrated probability that the best
 * candidate answers the question (one scale for every mode, documented in the README):
 *   confidence ≥ answer threshold            → answer with that article
 *   clarify ≤ confidence < answer threshold  → offer 2-3 close articles + "none of these"
 *   otherwise (or nothing close to offer)    → escalate to a human
 */

export interface GateInput {
  retrieval: Retrieval;
  model: GateModel;
  thresholds: Thresholds;
  mode: RetrievalMode;
  queryLang: Lang;
  /** The family member to show for a candidate, in the reply language when it exists. */
  represent(candidate: Candidate): ScoredArticle;
}

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
  if (confidence >= thresholds.clarify) {
    const options = candidates
      .filter((c, i) => i === 0 || c.score >= model.clarify.minScore)
      .slice(0, model.clarify.maxOptions);
    if (options.length >= 2) {
      return { kind: 'clarify', confidence, options, ...explain('clarify', { ...params, count: options.length }), ...base };
    }
    return { kind: 'escalate', confidence, ...explain('escalate_single', params), ...base };
  }
  return { kind: 'escalate', confidence, ...explain('escalate', params), ...base };
}
