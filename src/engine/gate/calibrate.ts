import type { Lang } from '../lang.js';
import type { Retrieval } from '../retrieval/retrieve.js';
import { CANDIDATE_FEATURES, rerank } from '../retrieval/retrieve.js';
import { GATE_FEATURES, gateFeatures } from './features.js';
import { fitLogistic, predict, type LogisticModel } from './logistic.js';
import type { GateModel, RetrievalMode, Thresholds } from './model.js';

/**
 * Fits the ranker and the gate from labelled retrievals (the calibration split only) and picks
 * the thresholds from out-of-fold confidences, so the thresholds are chosen on predictions the
 * model did not see while fitting.
 */

export interface CalibrationExample {
  id: string;
  /** Language label of the query, for the per-language out-of-fold report. */
  lang?: Lang;
  retrieval: Retrieval;
  /** Family keys that answer the query; empty = out of scope. */
  expectedFamilies: ReadonlySet<string>;
}

export interface CalibrationTargets {
  /** Minimum precision of answers (out-of-fold). */
  answerPrecision: number;
  /** Maximum share of out-of-scope queries answered. */
  maxOosAnswered: number;
  /** Maximum share of out-of-scope queries answered or clarified (anything but escalated). */
  maxOosNotEscalated: number;
}

export const DEFAULT_TARGETS: CalibrationTargets = { answerPrecision: 0.95, maxOosAnswered: 0.04, maxOosNotEscalated: 0.06 };

export interface ThresholdChoice extends Thresholds {
  /** Out-of-fold results at the chosen thresholds. */
  precision: number;
  coverage: number;
  oosAnswered: number;
  oosNotEscalated: number;
}

export interface Scored {
  confidence: number;
  correct: boolean;
  outOfScope: boolean;
  lang?: Lang;
}

const L2 = 1;

export function fitRanker(examples: readonly CalibrationExample[]): LogisticModel {
  const rows: Record<string, number>[] = [];
  const labels: number[] = [];
  for (const ex of examples) {
    if (ex.expectedFamilies.size === 0) continue;
    for (const c of ex.retrieval.candidates) {
      rows.push({ ...c.features });
      labels.push(ex.expectedFamilies.has(c.family) ? 1 : 0);
    }
  }
  return fitLogistic(CANDIDATE_FEATURES, rows, labels, { l2: L2 });
}

function topIsCorrect(retrieval: Retrieval, expected: ReadonlySet<string>): boolean {
  const top = retrieval.candidates[0];
  return top !== undefined && expected.has(top.family);
}

export function fitGate(examples: readonly CalibrationExample[], ranker: LogisticModel): LogisticModel {
  const rows = examples.map((ex) => ({ ...gateFeatures(rerank(ex.retrieval, ranker)) }));
  const labels = examples.map((ex) => (topIsCorrect(rerank(ex.retrieval, ranker), ex.expectedFamilies) ? 1 : 0));
  return fitLogistic(GATE_FEATURES, rows, labels, { l2: L2 });
}

/** Deterministic k-fold assignment by position (the dev set is already shuffled). */
export function outOfFold(examples: readonly CalibrationExample[], folds: number): Scored[] {
  const scored: Scored[] = new Array(examples.length);
  for (let k = 0; k < folds; k++) {
    const train = examples.filter((_, i) => i % folds !== k);
    const ranker = fitRanker(train);
    const gate = fitGate(train, ranker);
    examples.forEach((ex, i) => {
      if (i % folds !== k) return;
      const r = rerank(ex.retrieval, ranker);
      scored[i] = {
        // Same short-cuts as the gate: nothing to search for, or nothing found, is confidence 0.
        confidence: r.stats.words === 0 || r.candidates.length === 0 ? 0 : predict(gate, { ...gateFeatures(r) }),
        correct: topIsCorrect(r, ex.expectedFamilies),
        outOfScope: ex.expectedFamilies.size === 0,
        lang: ex.lang,
      };
    });
  }
  return scored;
}

function rates(scored: readonly Scored[], answer: number, clarify: number): Omit<ThresholdChoice, 'answer' | 'clarify'> {
  const answerable = scored.filter((s) => !s.outOfScope).length;
  const oos = scored.length - answerable;
  const answered = scored.filter((s) => s.confidence >= answer);
  const correct = answered.filter((s) => s.correct && !s.outOfScope).length;
  return {
    precision: answered.length ? correct / answered.length : 1,
    coverage: answerable ? correct / answerable : 0,
    oosAnswered: oos ? answered.filter((s) => s.outOfScope).length / oos : 0,
    oosNotEscalated: oos ? scored.filter((s) => s.outOfScope && s.confidence >= clarify).length / oos : 0,
  };
}

/** Highest coverage meeting the targets; the clarify threshold is as low as out-of-scope queries allow. */
export function chooseThresholds(scored: readonly Scored[], targets: CalibrationTargets): ThresholdChoice {
  const grid = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
  let best: ThresholdChoice | undefined;
  for (const answer of grid) {
    const r = rates(scored, answer, answer);
    if (r.precision < targets.answerPrecision || r.oosAnswered > targets.maxOosAnswered) continue;
    if (!best || r.coverage > best.coverage) best = { answer, clarify: answer, ...r };
  }
  // Nothing meets the targets: be as strict as the grid allows rather than guess.
  best ??= { answer: 0.99, clarify: 0.99, ...rates(scored, 0.99, 0.99) };
  for (const clarify of grid.filter((c) => c <= best!.answer).reverse()) {
    const r = rates(scored, best.answer, clarify);
    if (r.oosNotEscalated > targets.maxOosNotEscalated) break;
    best = { ...best, clarify, oosNotEscalated: r.oosNotEscalated };
  }
  return best;
}

export interface CalibrationResult {
  model: GateModel;
  outOfFold: ThresholdChoice;
  /** Out-of-fold results at the chosen thresholds, per query language. */
  outOfFoldByLang: Partial<Record<Lang, ReturnType<typeof rates>>>;
}

export function calibrate(
  examples: readonly CalibrationExample[],
  options: {
    mode: RetrievalMode;
    embedder: GateModel['embedder'];
    targets?: CalibrationTargets;
    folds?: number;
    clarify?: GateModel['clarify'];
    provenance?: Record<string, unknown>;
  },
): CalibrationResult {
  const targets = options.targets ?? DEFAULT_TARGETS;
  const scored = outOfFold(examples, options.folds ?? 5);
  const choice = chooseThresholds(scored, targets);
  const outOfFoldByLang: CalibrationResult['outOfFoldByLang'] = {};
  for (const lang of new Set(scored.map((s) => s.lang).filter((l): l is Lang => l !== undefined))) {
    outOfFoldByLang[lang] = rates(scored.filter((s) => s.lang === lang), choice.answer, choice.clarify);
  }
  const ranker = fitRanker(examples);
  const gate = fitGate(examples, ranker);
  return {
    model: {
      version: 1,
      mode: options.mode,
      embedder: options.embedder,
      ranker,
      gate,
      thresholds: { answer: choice.answer, clarify: choice.clarify },
      clarify: options.clarify ?? { minScore: 0.2, maxOptions: 3 },
      provenance: { ...options.provenance, targets, outOfFold: { ...choice, byLang: outOfFoldByLang } },
    },
    outOfFold: choice,
    outOfFoldByLang,
  };
}
