import type { Lang } from '../lang.js';
import type { GateDecision } from '../ports/knowledge.js';
import type { LabelledQuery } from './dev-set.js';

/**
 * The numbers `helpdesk eval` reports. Recall and MRR are computed on answerable queries from
 * the ranked candidates; the other rates come from the decisions themselves:
 *   answered_precision = correct answers / answers       coverage = correct answers / answerable
 *   oos_escalated_rate = escalated out-of-scope / out-of-scope
 *   decision_accuracy  = share of queries handled right: answerable → answered correctly or
 *                        clarified with a right option; out-of-scope → escalated.
 * A clarify on an out-of-scope query is not an escalation: it counts against oos_escalated_rate.
 * The clarify breakdown (`clarifyMetrics`) is reported next to these, outside the `--json`
 * summary whose keys are fixed.
 */

export interface EvaluatedQuery {
  query: LabelledQuery;
  decision: GateDecision;
  /** Language used for the by-language breakdown: the label when given, else the detected one. */
  lang: Lang;
}

export interface Metrics {
  queries: number;
  answerable: number;
  out_of_scope: number;
  recall_at_1: number;
  recall_at_5: number;
  mrr_at_10: number;
  answered: number;
  answered_correct: number;
  answered_precision: number;
  coverage: number;
  clarified: number;
  oos_escalated_rate: number;
  decision_accuracy: number;
}

export interface Summary extends Metrics {
  by_lang: Record<Lang, Metrics>;
}

export type FamilyOf = (articleId: string) => string;

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : 0);

export function isCorrect(articleId: string | undefined, expected: readonly string[], familyOf: FamilyOf): boolean {
  if (!articleId) return false;
  const family = familyOf(articleId);
  return expected.some((id) => familyOf(id) === family);
}

/** Answerable: answered with a right article, or clarified with one among the options; out of scope: escalated. */
export function handledRight({ query, decision }: EvaluatedQuery, familyOf: FamilyOf): boolean {
  const ok = (id: string | undefined) => isCorrect(id, query.expected, familyOf);
  if (query.expected.length === 0) return decision.kind === 'escalate';
  if (decision.kind === 'answer') return ok(decision.chosen?.articleId);
  return decision.kind === 'clarify' && (decision.options ?? []).some((o) => ok(o.articleId));
}

export function computeMetrics(rows: readonly EvaluatedQuery[], familyOf: FamilyOf): Metrics {
  let answerable = 0, r1 = 0, r5 = 0, mrr = 0, answered = 0, correct = 0, clarified = 0, oos = 0, oosEscalated = 0, right = 0;
  for (const row of rows) {
    const { query, decision } = row;
    const ok = (id: string | undefined) => isCorrect(id, query.expected, familyOf);
    if (decision.kind === 'answer') answered++;
    if (decision.kind === 'clarify') clarified++;
    if (handledRight(row, familyOf)) right++;
    if (query.expected.length === 0) {
      oos++;
      if (decision.kind === 'escalate') oosEscalated++;
      continue;
    }
    answerable++;
    const rank = decision.candidates.slice(0, 10).findIndex((c) => ok(c.articleId));
    if (rank === 0) r1++;
    if (rank >= 0 && rank < 5) r5++;
    if (rank >= 0) mrr += 1 / (rank + 1);
    if (decision.kind === 'answer' && ok(decision.chosen?.articleId)) correct++;
  }
  return {
    queries: rows.length,
    answerable,
    out_of_scope: oos,
    recall_at_1: ratio(r1, answerable),
    recall_at_5: ratio(r5, answerable),
    mrr_at_10: ratio(mrr, answerable),
    answered,
    answered_correct: correct,
    answered_precision: ratio(correct, answered),
    coverage: ratio(correct, answerable),
    clarified,
    oos_escalated_rate: ratio(oosEscalated, oos),
    decision_accuracy: ratio(right, rows.length),
  };
}

/** A measure over all rows, and the same measure per language. */
function withLangs<T>(rows: readonly EvaluatedQuery[], measure: (rows: readonly EvaluatedQuery[]) => T): T & { by_lang: Record<Lang, T> } {
  return {
    ...measure(rows),
    by_lang: { en: measure(rows.filter((r) => r.lang === 'en')), fr: measure(rows.filter((r) => r.lang === 'fr')) },
  };
}

export function summarize(rows: readonly EvaluatedQuery[], familyOf: FamilyOf): Summary {
  return withLangs(rows, (part) => computeMetrics(part, familyOf));
}

export interface ClarifyMetrics {
  /** Clarified answerable queries / answerable. */
  clarify_rate_answerable: number;
  /** Clarified answerable queries with a right article among the options / clarified answerable (0 when none). */
  clarify_hit_rate: number;
  /** Clarified out-of-scope queries / out-of-scope (not escalations: they lower oos_escalated_rate). */
  clarify_rate_oos: number;
  clarified_answerable: number;
  clarified_oos: number;
}

export interface ClarifySummary extends ClarifyMetrics {
  by_lang: Record<Lang, ClarifyMetrics>;
}

export function clarifyMetrics(rows: readonly EvaluatedQuery[], familyOf: FamilyOf): ClarifyMetrics {
  const answerable = rows.filter((r) => r.query.expected.length > 0);
  const clarified = answerable.filter((r) => r.decision.kind === 'clarify');
  const oos = rows.filter((r) => r.query.expected.length === 0);
  const clarifiedOos = oos.filter((r) => r.decision.kind === 'clarify').length;
  return {
    clarify_rate_answerable: ratio(clarified.length, answerable.length),
    clarify_hit_rate: ratio(clarified.filter((r) => handledRight(r, familyOf)).length, clarified.length),
    clarify_rate_oos: ratio(clarifiedOos, oos.length),
    clarified_answerable: clarified.length,
    clarified_oos: clarifiedOos,
  };
}

export function summarizeClarify(rows: readonly EvaluatedQuery[], familyOf: FamilyOf): ClarifySummary {
  return withLangs(rows, (part) => clarifyMetrics(part, familyOf));
}

export interface SweepRow {
  threshold: number;
  /** Answers if the answer threshold were `threshold` (clarify ignored). */
  answered: number;
  answered_precision: number;
  coverage: number;
  /** 1 - precision: the share of answers that would be wrong. */
  risk: number;
  oos_escalated_rate: number;
}

/** Risk–coverage trade-off: what answering at each confidence threshold would give. */
export function sweep(rows: readonly EvaluatedQuery[], familyOf: FamilyOf, step = 0.05): SweepRow[] {
  const out: SweepRow[] = [];
  const answerable = rows.filter((r) => r.query.expected.length > 0).length;
  const oos = rows.length - answerable;
  for (let i = 0; i * step < 1 - 1e-9; i++) {
    const threshold = Math.round(i * step * 100) / 100;
    const above = rows.filter((r) => r.decision.confidence >= threshold && r.decision.candidates.length > 0);
    const correct = above.filter((r) => isCorrect(r.decision.candidates[0]?.articleId, r.query.expected, familyOf)).length;
    const oosAnswered = above.filter((r) => r.query.expected.length === 0).length;
    const precision = ratio(correct, above.length);
    out.push({
      threshold,
      answered: above.length,
      answered_precision: precision,
      coverage: ratio(correct, answerable),
      risk: above.length > 0 ? Math.round((1 - precision) * 10_000) / 10_000 : 0,
      oos_escalated_rate: ratio(oos - oosAnswered, oos),
    });
  }
  return out;
}

/** The metrics per group (source, or "lang / kind"…), groups in name order; rows without a key are left out. */
export function summarizeBy(rows: readonly EvaluatedQuery[], familyOf: FamilyOf, keyOf: (row: EvaluatedQuery) => string | undefined): Record<string, Metrics> {
  const groups = new Map<string, EvaluatedQuery[]>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== undefined) groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return Object.fromEntries([...groups.keys()].sort().map((k) => [k, computeMetrics(groups.get(k)!, familyOf)]));
}

/** Decision accuracy of a bot that escalates everything: the share of out-of-scope queries. */
export function alwaysEscalateAccuracy(rows: readonly EvaluatedQuery[]): number {
  return ratio(rows.filter((r) => r.query.expected.length === 0).length, rows.length);
}
