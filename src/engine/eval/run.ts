import type { GateDecision } from '../ports/knowledge.js';
import type { LabelledQuery } from './dev-set.js';
import { summarize, type EvaluatedQuery, type FamilyOf, type Summary } from './metrics.js';
import { routingSummary, type RoutingSummary } from './routing.js';

/**
 * Runs labelled queries through the bot's own decision code (`KnowledgeService.decide`), each
 * as the first message of a fresh conversation: no language hint, nothing excluded.
 */

export interface Decider {
  decide(query: string): Promise<GateDecision>;
  family(id: string): string[];
}

export interface EvalResult {
  id: string;
  decision: GateDecision['kind'];
  confidence: number;
  articles: { id: string; score: number }[];
}

export interface EvalReport {
  summary: Summary;
  /** The dialogue's not-IT routing on the same queries (labelled `route`), before the gate is asked. */
  routing: RoutingSummary;
  results: EvalResult[];
}

export function familyKeyOf(decider: Pick<Decider, 'family'>): FamilyOf {
  // Members are sorted, so the first one names the family; unknown ids stand for themselves.
  return (id) => decider.family(id)[0] ?? id;
}

export async function evaluateQueries(
  decider: Decider,
  queries: readonly LabelledQuery[],
  onProgress?: (done: number, total: number) => void,
): Promise<{ rows: EvaluatedQuery[]; familyOf: FamilyOf }> {
  const rows: EvaluatedQuery[] = [];
  for (const query of queries) {
    const decision = await decider.decide(query.query);
    rows.push({ query, decision, lang: query.lang ?? decision.queryLang });
    onProgress?.(rows.length, queries.length);
  }
  return { rows, familyOf: familyKeyOf(decider) };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

export function report(rows: readonly EvaluatedQuery[], familyOf: FamilyOf): EvalReport {
  const langs = new Map(rows.map((r) => [r.query, r.lang]));
  return {
    summary: summarize(rows, familyOf),
    routing: routingSummary(
      rows.map((r) => r.query),
      (q) => langs.get(q)!,
    ),
    results: rows.map(({ query, decision }) => ({
      id: query.id,
      decision: decision.kind,
      confidence: round(decision.confidence),
      articles: decision.candidates.map((c) => ({ id: c.articleId, score: round(c.score) })),
    })),
  };
}
