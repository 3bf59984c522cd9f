import type { AnalyticsEvent } from '../ports/conversation-store.js';

/** The users' 1–5 ratings after a live handoff (`satisfaction` events), summed up for the console. */
export interface SatisfactionSummary {
  ratings: number;
  /** Mean rating; undefined without ratings. */
  average?: number;
  /** How many of each rating, 1 to 5. */
  counts: Record<1 | 2 | 3 | 4 | 5, number>;
}

export function satisfactionSummary(events: readonly AnalyticsEvent[]): SatisfactionSummary {
  const counts: SatisfactionSummary['counts'] = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  let sum = 0;
  let ratings = 0;
  for (const e of events) {
    const v = Number(e.value);
    if (e.type !== 'satisfaction' || !Number.isInteger(v) || v < 1 || v > 5) continue;
    counts[v as 1 | 2 | 3 | 4 | 5] += 1;
    sum += v;
    ratings += 1;
  }
  return { ratings, ...(ratings ? { average: sum / ratings } : {}), counts };
}
