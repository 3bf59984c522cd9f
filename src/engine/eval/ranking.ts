import { isCorrect, type FamilyOf } from './metrics.js';

/**
 * recall@1, recall@5 and MRR@10 of a ranked list of article ids, on answerable queries, with the
 * definitions of `helpdesk eval` (an expected id matches any translation of it; a family counts
 * once, at its best rank). Used for the peers, which rank but never decide.
 */
export interface RankingMetrics {
  answerable: number;
  recall_at_1: number;
  recall_at_5: number;
  mrr_at_10: number;
}

export interface RankedQuery {
  expected: readonly string[];
  ranked: readonly string[];
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

export function rankingMetrics(rows: readonly RankedQuery[], familyOf: FamilyOf): RankingMetrics {
  let answerable = 0, r1 = 0, r5 = 0, mrr = 0;
  for (const row of rows) {
    if (row.expected.length === 0) continue;
    answerable++;
    const families = [...new Set(row.ranked.map(familyOf))].slice(0, 10);
    const rank = families.findIndex((f) => isCorrect(f, row.expected, familyOf));
    if (rank === 0) r1++;
    if (rank >= 0 && rank < 5) r5++;
    if (rank >= 0) mrr += 1 / (rank + 1);
  }
  const of = (x: number) => (answerable > 0 ? round(x / answerable) : 0);
  return { answerable, recall_at_1: of(r1), recall_at_5: of(r5), mrr_at_10: of(mrr) };
}
