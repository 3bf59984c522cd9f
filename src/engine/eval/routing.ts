import type { Lang } from '../lang.js';
import { nonItRoute, ROUTES, type Route } from '../dialogue/routes.js';
import type { LabelledQuery } from './dev-set.js';

/**
 * How the dialogue's not-IT routing (src/engine/dialogue/routes.ts) does on the labelled queries:
 * queries labelled with a `route` must get that route; every other query must get none (an IT
 * question sent to the HR portal is worse than a ticket offer).
 */
export interface RoutingMetrics {
  /** Queries labelled with a route. */
  labelled: number;
  routed_right: number;
  /** routed_right / labelled. */
  routed_rate: number;
  /** Queries without a route label that were routed anyway, and how many of them have an article. */
  wrongly_routed: number;
  answerable_routed: number;
}

export interface RoutingSummary extends RoutingMetrics {
  by_lang: Record<Lang, RoutingMetrics>;
  by_route: Record<Route, { labelled: number; routed_right: number }>;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 10_000) / 10_000);

function metrics(queries: readonly LabelledQuery[]): RoutingMetrics {
  let labelled = 0, right = 0, wrong = 0, answerable = 0;
  for (const q of queries) {
    const got = nonItRoute(q.query)?.route;
    if (q.route) {
      labelled++;
      if (got === q.route) right++;
    } else if (got) {
      wrong++;
      if (q.expected.length > 0) answerable++;
    }
  }
  return { labelled, routed_right: right, routed_rate: ratio(right, labelled), wrongly_routed: wrong, answerable_routed: answerable };
}

export function routingSummary(queries: readonly LabelledQuery[], langOf: (q: LabelledQuery) => Lang): RoutingSummary {
  const byRoute = Object.fromEntries(
    ROUTES.map((r) => {
      const labelled = queries.filter((q) => q.route === r);
      return [r, { labelled: labelled.length, routed_right: labelled.filter((q) => nonItRoute(q.query)?.route === r).length }];
    }),
  ) as RoutingSummary['by_route'];
  return {
    ...metrics(queries),
    by_lang: { en: metrics(queries.filter((q) => langOf(q) === 'en')), fr: metrics(queries.filter((q) => langOf(q) === 'fr')) },
    by_route: byRoute,
  };
}
