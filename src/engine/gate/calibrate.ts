import type { Lang } from '../lang.js';
import type { Retrieval } from '../retrieval/retrieve.js';
import { CANDIDATE_FEATURES, rerank } from '../retrieval/retrieve.js';
import { GATE_FEATURES, gateFeatures } from './features.js';
import { fitLogistic, predict, type LogisticModel } from './logistic.js';
import type { GateModel, RetrievalMode, Thresholds } from './model.js';
import { SHORTLIST_FEATURES, shortlist, shortlistFeatures, type ShortlistRule } from './shortlist.js';

/**
 * Fits the ranker, the gate and the shortlist model from labelled retrievals (the calibration
 * split only) and picks the thresholds and the closeness of clarify options from out-of-fold
 * predictions, so every choice is made on predictions the models did not see while fitting.
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
  /** Maximum share of out-of-scope queries clarified, in each language (languages are held to the same bar). */
  maxOosClarified: number;
  /** Minimum share of clarified answerable queries whose options include the right article. */
  minClarifyHit: number;
  /** Lowest clarify threshold: never ask "which one?" when it is more likely than not that none is right. */
  minClarifyThreshold: number;
}

export const DEFAULT_TARGETS: CalibrationTargets = {
  answerPrecision: 0.95,
  maxOosAnswered: 0.04,
  maxOosNotEscalated: 0.06,
  maxOosClarified: 0.05,
  minClarifyHit: 0.8,
  minClarifyThreshold: 0.5,
};

/** Closeness values tried for clarify options (share of the best candidate's ranking score). */
export const CLOSENESS_GRID = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8];

/** What the gate would do, out-of-fold, at some thresholds. */
export interface Rates {
  precision: number;
  coverage: number;
  oosAnswered: number;
  oosNotEscalated: number;
  oosClarified: number;
  /** Share of answerable queries clarified. */
  clarified: number;
  /** Share of clarified answerable queries whose options include the right article (1 when none). */
  clarifyHit: number;
}

export interface ThresholdChoice extends Thresholds, Rates {
  /** Whether every target is met (otherwise the strictest thresholds the grid allows). */
  met: boolean;
}

export interface Scored {
  /** P(best candidate answers). */
  confidence: number;
  /** P(right article among the shortlist). */
  inShortlist: number;
  /** Number of clarify options the shortlist offers. */
  options: number;
  correct: boolean;
  /** The right article is among the shortlist. */
  hit: boolean;
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
  const ranked = examples.map((ex) => rerank(ex.retrieval, ranker));
  const rows = ranked.map((r) => ({ ...gateFeatures(r) }));
  const labels = examples.map((ex, i) => (topIsCorrect(ranked[i]!, ex.expectedFamilies) ? 1 : 0));
  return fitLogistic(GATE_FEATURES, rows, labels, { l2: L2 });
}

/** P(the right article is among the options `rule` keeps): fitted on exactly what clarify would offer. */
export function fitShortlist(examples: readonly CalibrationExample[], ranker: LogisticModel, rule: ShortlistRule): LogisticModel {
  const rows: Record<string, number>[] = [];
  const labels: number[] = [];
  for (const ex of examples) {
    const r = rerank(ex.retrieval, ranker);
    const options = shortlist(r.candidates, rule);
    rows.push({ ...shortlistFeatures(r, options) });
    labels.push(options.some((c) => ex.expectedFamilies.has(c.family)) ? 1 : 0);
  }
  return fitLogistic(SHORTLIST_FEATURES, rows, labels, { l2: L2 });
}

/** Deterministic k-fold assignment by position (the dev set is already shuffled). */
export function outOfFold(examples: readonly CalibrationExample[], folds: number, rule: ShortlistRule): Scored[] {
  const scored: Scored[] = new Array(examples.length);
  for (let k = 0; k < folds; k++) {
    const train = examples.filter((_, i) => i % folds !== k);
    const ranker = fitRanker(train);
    const gate = fitGate(train, ranker);
    const inShortlist = fitShortlist(train, ranker, rule);
    examples.forEach((ex, i) => {
      if (i % folds !== k) return;
      const r = rerank(ex.retrieval, ranker);
      const options = shortlist(r.candidates, rule);
      // Same short-cuts as the gate: nothing to search for, or nothing found, is confidence 0.
      const empty = r.stats.words === 0 || r.candidates.length === 0;
      scored[i] = {
        confidence: empty ? 0 : predict(gate, { ...gateFeatures(r) }),
        inShortlist: empty ? 0 : predict(inShortlist, { ...shortlistFeatures(r, options) }),
        options: options.length,
        correct: topIsCorrect(r, ex.expectedFamilies),
        hit: options.some((c) => ex.expectedFamilies.has(c.family)),
        outOfScope: ex.expectedFamilies.size === 0,
        lang: ex.lang,
      };
    });
  }
  return scored;
}

type Decided = Scored & { kind: 'answer' | 'clarify' | 'escalate' };

/** The gate's rule (decide.ts) applied to out-of-fold predictions. */
function decideAll(scored: readonly Scored[], t: Thresholds): Decided[] {
  return scored.map((s) => ({
    ...s,
    kind: s.confidence >= t.answer ? 'answer' : s.inShortlist >= t.clarify && s.options >= 2 ? 'clarify' : 'escalate',
  }));
}

export function rates(scored: readonly Scored[], t: Thresholds): Rates {
  const decided = decideAll(scored, t);
  const answerable = decided.filter((s) => !s.outOfScope);
  const oos = decided.filter((s) => s.outOfScope);
  const answered = decided.filter((s) => s.kind === 'answer');
  const correct = answered.filter((s) => s.correct && !s.outOfScope).length;
  const clarified = answerable.filter((s) => s.kind === 'clarify');
  const share = (n: number, of: number, empty: number) => (of ? n / of : empty);
  return {
    precision: share(correct, answered.length, 1),
    coverage: share(correct, answerable.length, 0),
    oosAnswered: share(oos.filter((s) => s.kind === 'answer').length, oos.length, 0),
    oosNotEscalated: share(oos.filter((s) => s.kind !== 'escalate').length, oos.length, 0),
    oosClarified: share(oos.filter((s) => s.kind === 'clarify').length, oos.length, 0),
    clarified: share(clarified.length, answerable.length, 0),
    clarifyHit: share(clarified.filter((s) => s.hit).length, clarified.length, 1),
  };
}

const GRID = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
const languagesOf = (scored: readonly Scored[]) => [...new Set(scored.flatMap((s) => (s.lang ? [s.lang] : [])))];

function clarifyMeetsTargets(scored: readonly Scored[], t: Thresholds, targets: CalibrationTargets): boolean {
  const r = rates(scored, t);
  if (r.oosNotEscalated > targets.maxOosNotEscalated || r.clarifyHit < targets.minClarifyHit) return false;
  const perLang = [undefined, ...languagesOf(scored)].map((lang) => (lang ? scored.filter((s) => s.lang === lang) : scored));
  return perLang.every((part) => rates(part, t).oosClarified <= targets.maxOosClarified);
}

/**
 * The answer threshold giving the highest coverage at the target precision and out-of-scope
 * rate; then the clarify threshold, as low as the targets allow (never below
 * `minClarifyThreshold`, never above the answer threshold), stopping at the first miss so the
 * whole band above it meets them.
 */
export function chooseThresholds(scored: readonly Scored[], targets: CalibrationTargets): ThresholdChoice {
  let answer: number | undefined;
  let bestCoverage = -1;
  for (const a of GRID) {
    const r = rates(scored, { answer: a, clarify: a });
    if (r.precision < targets.answerPrecision || r.oosAnswered > targets.maxOosAnswered) continue;
    if (r.coverage > bestCoverage) [answer, bestCoverage] = [a, r.coverage];
  }
  // Nothing meets the targets: be as strict as the grid allows rather than guess.
  const met = answer !== undefined;
  answer ??= GRID[GRID.length - 1]!;
  let clarify = answer;
  if (!clarifyMeetsTargets(scored, { answer, clarify }, targets)) {
    return { answer, clarify, met: false, ...rates(scored, { answer, clarify }) };
  }
  for (const c of GRID.filter((c) => c < answer! && c >= targets.minClarifyThreshold).reverse()) {
    if (!clarifyMeetsTargets(scored, { answer, clarify: c }, targets)) break;
    clarify = c;
  }
  return { answer, clarify, met, ...rates(scored, { answer, clarify }) };
}

/** Answerable queries clarified with the right article among the options (what clarify adds). */
const rescued = (r: Rates) => r.clarified * r.clarifyHit;

export interface CalibrationResult {
  model: GateModel;
  outOfFold: ThresholdChoice & { closeness: number };
  /** Out-of-fold results at the chosen thresholds, per query language. */
  outOfFoldByLang: Partial<Record<Lang, Rates>>;
}

export function calibrate(
  examples: readonly CalibrationExample[],
  options: {
    mode: RetrievalMode;
    embedder: GateModel['embedder'];
    targets?: CalibrationTargets;
    folds?: number;
    /** Fixed parts of the clarify rule; the closeness is chosen from `closenessGrid`. */
    clarify?: Omit<ShortlistRule, 'closeness'>;
    closenessGrid?: readonly number[];
    provenance?: Record<string, unknown>;
  },
): CalibrationResult {
  const targets = options.targets ?? DEFAULT_TARGETS;
  const fixed = options.clarify ?? { minScore: 0.2, maxOptions: 3 };
  // The closeness that lets clarify rescue the most answerable queries within the targets;
  // on a tie, the stricter one (options closer to the best).
  let best: { rule: ShortlistRule; scored: Scored[]; choice: ThresholdChoice } | undefined;
  for (const closeness of [...(options.closenessGrid ?? CLOSENESS_GRID)].sort((a, b) => b - a)) {
    const rule = { ...fixed, closeness };
    const scored = outOfFold(examples, options.folds ?? 5, rule);
    const choice = chooseThresholds(scored, targets);
    if (!best || (choice.met && !best.choice.met) || (choice.met === best.choice.met && rescued(choice) > rescued(best.choice))) {
      best = { rule, scored, choice };
    }
  }
  const { rule, scored, choice } = best!;
  const thresholds = { answer: choice.answer, clarify: choice.clarify };
  const outOfFoldByLang: CalibrationResult['outOfFoldByLang'] = {};
  for (const lang of languagesOf(scored)) outOfFoldByLang[lang] = rates(scored.filter((s) => s.lang === lang), thresholds);
  const ranker = fitRanker(examples);
  const oof = { ...choice, closeness: rule.closeness };
  return {
    model: {
      version: 1,
      mode: options.mode,
      embedder: options.embedder,
      ranker,
      gate: fitGate(examples, ranker),
      shortlist: fitShortlist(examples, ranker, rule),
      thresholds,
      clarify: rule,
      provenance: { ...options.provenance, targets, outOfFold: { ...oof, byLang: outOfFoldByLang } },
    },
    outOfFold: oof,
    outOfFoldByLang,
  };
}
