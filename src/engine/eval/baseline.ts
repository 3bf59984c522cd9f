import MiniSearch from 'minisearch';
import type { Article } from '../knowledge/types.js';
import type { Lang } from '../lang.js';
import type { LabelledQuery } from './dev-set.js';
import type { FamilyOf } from './metrics.js';
import { rankingMetrics, type RankedQuery, type RankingMetrics } from './ranking.js';

/**
 * The baseline a developer would otherwise reach for, set up the way its documentation
 * suggests: MiniSearch (BM25) over whole articles with field boosts. It ranks, it never decides
 * to escalate. `helpdesk eval` prints it beside the bot's recall on the same questions so a
 * set's difficulty is visible; the benchmark compares against it too.
 */

export interface Peer {
  name: string;
  description: string;
  /** Article ids, best first. */
  search(query: string): Promise<string[]>;
}

export function miniSearchPeer(articles: readonly Article[]): Peer {
  const index = new MiniSearch({
    fields: ['title', 'questions', 'summary', 'tags', 'body'],
    searchOptions: { boost: { title: 3, questions: 2, summary: 1.5, tags: 1.5 }, prefix: true, fuzzy: 0.2 },
  });
  index.addAll(
    articles.map((a) => ({ id: a.id, title: a.title, questions: a.questions.join('\n'), summary: a.summary ?? '', tags: a.tags.join(' '), body: a.body })),
  );
  return {
    name: 'MiniSearch',
    description: 'MiniSearch 7 BM25, one document per article; boosts title 3, questions 2, summary and tags 1.5; prefix and fuzzy 0.2',
    search: async (query) => index.search(query).map((r) => String(r.id)),
  };
}

export interface BaselineMetrics extends RankingMetrics {
  by_lang: Record<Lang, RankingMetrics>;
}

/** The peer's ranking metrics on the answerable queries, overall and per language (label, else `langOf`). */
export async function runBaseline(peer: Peer, queries: readonly LabelledQuery[], familyOf: FamilyOf, langOf: (q: LabelledQuery) => Lang): Promise<BaselineMetrics> {
  const ranked: (RankedQuery & { lang: Lang })[] = [];
  for (const q of queries) ranked.push({ expected: q.expected, ranked: await peer.search(q.query), lang: langOf(q) });
  return {
    ...rankingMetrics(ranked, familyOf),
    by_lang: { en: rankingMetrics(ranked.filter((r) => r.lang === 'en'), familyOf), fr: rankingMetrics(ranked.filter((r) => r.lang === 'fr'), familyOf) },
  };
}
