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
  /**
   * How much the example counts in fitting and in the rates thresholds are chosen on (default 1):
   * a technician's judgement outweighs a pseudo-question drawn from an article.
   */
  weight?: number;
}

export interface CalibrationTargets {
  /** Minimum precision of answers (out-of-fold). */
  answerPrecision: number;
  /** Maximum share of out-of-scope queries answered. */
  maxOosAnswered: number;
  /** Maximum share of out-of-scope queries answered or clarified (anything but escalated). */
  maxOosNotEscalated: number;
  /**
   * Maximum share of out-of-scope queries clarified, overall and in each language: a clarify on an
   * out-of-scope question is not an escalation, and the acceptance bar wants French within 0.05
   * of English, so clarify alone may take at most about two thirds of that from either language.
   */
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
  maxOosClarified: 0.035,
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
  /** The example's weight (default 1). */
  weight?: number;
}

const L2 = 1;
const weightOf = (x: { weight?: number }) => x.weight ?? 1;

export function fitRanker(examples: readonly CalibrationExample[]): LogisticModel {
  const rows: Record<string, number>[] = [];
  const labels: number[] = [];
  const weights: number[] = [];
  for (const ex of examples) {
    if (ex.expectedFamilies.size === 0) continue;
    for (const c of ex.retrieval.candidates) {
      rows.push({ ...c.features });
      labels.push(ex.expectedFamilies.has(c.family) ? 1 : 0);
      weights.push(weightOf(ex));
    }
  }
  return fitLogistic(CANDIDATE_FEATURES, rows, labels, { l2: L2, weights });
}

function topIsCorrect(retrieval: Retrieval, expected: ReadonlySet<string>): boolean {
  const top = retrieval.candidates[0];
  return top !== undefined && expected.has(top.family);
}

export function fitGate(examples: readonly CalibrationExample[], ranker: LogisticModel): LogisticModel {
  const ranked = examples.map((ex) => rerank(ex.retrieval, ranker));
  const rows = ranked.map((r) => ({ ...gateFeatures(r) }));
  const labels = examples.map((ex, i) => (topIsCorrect(ranked[i]!, ex.expectedFamilies) ? 1 : 0));
  return fitLogistic(GATE_FEATURES, rows, labels, { l2: L2, weights: examples.map(weightOf) });
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
  return fitLogistic(SHORTLIST_FEATURES, rows, labels, { l2: L2, weights: examples.map(weightOf) });
}

/** A deterministic permutation of 0..n-1 (Park-Miller generator), for repeated cross-validation. */
function permutation(n: number, seed: number): number[] {
  let state = seed;
  const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: n }, (_, i) => [next(), i] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, i]) => i);
}

/**
 * Out-of-fold predictions for each shortlist rule: for every fold, the ranker, the gate and one
 * shortlist model per rule are fitted on the other folds and score the held-out examples. With
 * `repeats` > 1 the whole is repeated over other fold assignments and pooled: repeat 0 assigns
 * folds by position (the dev set is already shuffled), the others by seeded permutations.
 * Returns one pooled list per rule, repeat 0 first (examples in their order).
 */
export function crossValidate(
  examples: readonly CalibrationExample[],
  rules: readonly ShortlistRule[],
  options: { folds: number; repeats?: number },
): Scored[][] {
  const { folds, repeats = 1 } = options;
  const pooled = rules.map(() => [] as Scored[]);
  for (let rep = 0; rep < repeats; rep++) {
    const order = rep === 0 ? examples.map((_, i) => i) : permutation(examples.length, rep);
    const scored = rules.map(() => new Array<Scored>(examples.length));
    for (let k = 0; k < folds; k++) {
      const train = order.filter((_, j) => j % folds !== k).map((i) => examples[i]!);
      const test = order.filter((_, j) => j % folds === k);
      const ranker = fitRanker(train);
      const gate = fitGate(train, ranker);
      rules.forEach((rule, r) => {
        const inShortlist = fitShortlist(train, ranker, rule);
        for (const i of test) {
          const ex = examples[i]!;
          const ranked = rerank(ex.retrieval, ranker);
          const offered = shortlist(ranked.candidates, rule);
          // Same short-cuts as the gate: nothing to search for, or nothing found, is confidence 0.
          const empty = ranked.stats.words === 0 || ranked.candidates.length === 0;
          scored[r]![i] = {
            confidence: empty ? 0 : predict(gate, { ...gateFeatures(ranked) }),
            inShortlist: empty ? 0 : predict(inShortlist, { ...shortlistFeatures(ranked, offered) }),
            options: offered.length,
            correct: topIsCorrect(ranked, ex.expectedFamilies),
            hit: offered.some((c) => ex.expectedFamilies.has(c.family)),
            outOfScope: ex.expectedFamilies.size === 0,
            lang: ex.lang,
            ...(ex.weight !== undefined ? { weight: ex.weight } : {}),
          };
        }
      });
    }
    scored.forEach((list, r) => pooled[r]!.push(...list));
  }
  return pooled;
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
  const clarified = answerable.filter((s) => s.kind === 'clarify');
  // Weighted counts: with every weight 1 these are plain counts.
  const n = (list: readonly Decided[]) => list.reduce((sum, s) => sum + weightOf(s), 0);
  const correct = n(answered.filter((s) => s.correct && !s.outOfScope));
  const share = (x: number, of: number, empty: number) => (of ? x / of : empty);
  return {
    precision: share(correct, n(answered), 1),
    coverage: share(correct, n(answerable), 0),
    oosAnswered: share(n(oos.filter((s) => s.kind === 'answer')), n(oos), 0),
    oosNotEscalated: share(n(oos.filter((s) => s.kind !== 'escalate')), n(oos), 0),
    oosClarified: share(n(oos.filter((s) => s.kind === 'clarify')), n(oos), 0),
    clarified: share(n(clarified), n(answerable), 0),
    clarifyHit: share(n(clarified.filter((s) => s.hit)), n(clarified), 1),
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

/** The answer threshold giving the highest coverage at the target precision and out-of-scope rate. */
export function chooseAnswerThreshold(scored: readonly Scored[], targets: CalibrationTargets): { answer: number; met: boolean } {
  let best: { answer: number; coverage: number } | undefined;
  for (const answer of GRID) {
    const r = rates(scored, { answer, clarify: answer });
    if (r.precision < targets.answerPrecision || r.oosAnswered > targets.maxOosAnswered) continue;
    if (!best || r.coverage > best.coverage) best = { answer, coverage: r.coverage };
  }
  // Nothing meets the targets: be as strict as the grid allows rather than guess.
  return best ? { answer: best.answer, met: true } : { answer: GRID[GRID.length - 1]!, met: false };
}

/**
 * The clarify threshold, as low as the targets allow (never below `minClarifyThreshold`, never
 * above the answer threshold, which configuration requires), stopping at the first miss so the
 * whole band above it meets them. If even the answer threshold misses them, it is returned with
 * `met: false`.
 */
export function chooseClarifyThreshold(scored: readonly Scored[], answer: number, targets: CalibrationTargets): { clarify: number; met: boolean } {
  if (!clarifyMeetsTargets(scored, { answer, clarify: answer }, targets)) return { clarify: answer, met: false };
  let clarify = answer;
  for (const c of GRID.filter((c) => c < answer && c >= targets.minClarifyThreshold).reverse()) {
    if (!clarifyMeetsTargets(scored, { answer, clarify: c }, targets)) break;
    clarify = c;
  }
  return { clarify, met: true };
}

/** Both thresholds from one set of out-of-fold predictions, with the rates they give there. */
export function chooseThresholds(scored: readonly Scored[], targets: CalibrationTargets): ThresholdChoice {
  const a = chooseAnswerThreshold(scored, targets);
  const c = chooseClarifyThreshold(scored, a.answer, targets);
  return { answer: a.answer, clarify: c.clarify, met: a.met && c.met, ...rates(scored, { answer: a.answer, clarify: c.clarify }) };
}

/** Answerable queries clarified with the right article among the options (what clarify adds). */
const rescued = (r: Rates) => r.clarified * r.clarifyHit;

export interface CalibrationResult {
  model: GateModel;
  /** Cross-validated results at the chosen thresholds (pooled over the repeats). */
  outOfFold: ThresholdChoice & { closeness: number; repeats: number };
  /** The same, per query language. */
  outOfFoldByLang: Partial<Record<Lang, Rates>>;
  /** Out-of-fold predictions of the first pass (for the risk–coverage table). */
  scored: Scored[];
}

export interface RiskCoverageRow {
  threshold: number;
  answered: number;
  precision: number;
  risk: number;
  coverage: number;
  oosAnswered: number;
}

/** What answering at each threshold would give on out-of-fold predictions (clarify aside). */
export function riskCoverage(scored: readonly Scored[], step = 0.05): RiskCoverageRow[] {
  const rows: RiskCoverageRow[] = [];
  for (let i = 0; i * step < 1 - 1e-9; i++) {
    const threshold = Math.round(i * step * 100) / 100;
    const r = rates(scored, { answer: threshold, clarify: threshold });
    const answered = scored.filter((s) => s.confidence >= threshold).length;
    rows.push({ threshold, answered, precision: r.precision, risk: answered ? 1 - r.precision : 0, coverage: r.coverage, oosAnswered: r.oosAnswered });
  }
  return rows;
}

/**
 * The answer threshold is chosen as it always was, on one 5-fold pass (so answers do not move
 * with the clarify work). The clarify choices hinge on a handful of borderline questions, so the
 * closeness and the clarify threshold are chosen on `repeats` passes with other fold assignments,
 * pooled: the closeness that lets clarify rescue the most answerable questions within the
 * targets and, on a tie, the stricter one (options closer to the best).
 */
export function calibrate(
  examples: readonly CalibrationExample[],
  options: {
    mode: RetrievalMode;
    embedder: GateModel['embedder'];
    targets?: CalibrationTargets;
    folds?: number;
    repeats?: number;
    /** Fixed parts of the clarify rule; the closeness is chosen from `closenessGrid`. */
    clarify?: Omit<ShortlistRule, 'closeness'>;
    closenessGrid?: readonly number[];
    provenance?: Record<string, unknown>;
  },
): CalibrationResult {
  const targets = options.targets ?? DEFAULT_TARGETS;
  const repeats = options.repeats ?? 10;
  const fixed = options.clarify ?? { minScore: 0.2, maxOptions: 3 };
  const rules = [...(options.closenessGrid ?? CLOSENESS_GRID)].sort((a, b) => b - a).map((closeness) => ({ ...fixed, closeness }));
  const pooled = crossValidate(examples, rules, { folds: options.folds ?? 5, repeats });
  // Repeat 0 is the single position-fold pass; its confidences do not depend on the rule.
  const answer = chooseAnswerThreshold(pooled[0]!.slice(0, examples.length), targets);
  let best: { rule: ShortlistRule; scored: Scored[]; choice: ThresholdChoice } | undefined;
  rules.forEach((rule, r) => {
    const scored = pooled[r]!;
    const clarify = chooseClarifyThreshold(scored, answer.answer, targets);
    const thresholds = { answer: answer.answer, clarify: clarify.clarify };
    const choice = { ...thresholds, met: answer.met && clarify.met, ...rates(scored, thresholds) };
    if (!best || (choice.met && !best.choice.met) || (choice.met === best.choice.met && rescued(choice) > rescued(best.choice))) {
      best = { rule, scored, choice };
    }
  });
  const { rule, scored, choice } = best!;
  const thresholds = { answer: choice.answer, clarify: choice.clarify };
  const outOfFoldByLang: CalibrationResult['outOfFoldByLang'] = {};
  for (const lang of languagesOf(scored)) outOfFoldByLang[lang] = rates(scored.filter((s) => s.lang === lang), thresholds);
  const ranker = fitRanker(examples);
  const oof = { ...choice, closeness: rule.closeness, repeats };
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
    scored: pooled[0]!.slice(0, examples.length),
  };
}
