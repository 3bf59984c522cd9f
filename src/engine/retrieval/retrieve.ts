import type { Families } from '../knowledge/families.js';
import type { Lang } from '../lang.js';
import { predict, type LogisticModel } from '../gate/logistic.js';
import type { EntryKind } from './entries.js';
import type { CharNgramIndex } from './char-ngrams.js';
import type { LexicalIndex } from './lexical.js';
import type { SectionIndex } from './sections.js';
import type { AnalyzedQuery } from './query.js';
import { dot, type VectorIndex } from './vector-index.js';

/**
 * Hybrid retrieval: lexical (BM25) and dense (nearest vectors) candidates, merged per article
 * family so an article and its translations compete as one, each described by the features the
 * ranker and the gate use. The ranker is a logistic model fitted by `helpdesk calibrate`.
 */

export interface CandidateFeatures {
  /** Best cosine between the query and any text of the family (0 without embeddings). */
  dense: number;
  /** Best cosine with a title or one of the `questions`. */
  denseQuestion: number;
  /** log(1 + BM25) of the best member. */
  lexical: number;
  /** BM25 relative to the query's best BM25 (1 for the lexical winner). */
  lexicalRel: number;
  /** idf-weighted share of the query's words found in the family. */
  coverage: number;
  /** Best idf-weighted overlap with one of the family's `questions`. */
  questionMatch: number;
  /** Best character-trigram cosine with the family's title or one of its `questions`. */
  charMatch: number;
  /** Best section BM25 of the family relative to the best section among the candidates (sections.ts). */
  passage: number;
}

export const CANDIDATE_FEATURES = ['dense', 'denseQuestion', 'lexical', 'lexicalRel', 'coverage', 'questionMatch', 'charMatch', 'passage'] as const;

export interface Candidate {
  family: string;
  members: string[];
  features: CandidateFeatures;
  /** How many of the query's words were found in the family (for explanations). */
  matchedWords: number;
  /** Ranker output in [0,1]: how likely this family answers the query (ranking score). */
  score: number;
}

export interface DenseState {
  index: VectorIndex;
  /** Embedded entries of each article, for exact similarities on the candidate set. */
  byArticle: ReadonlyMap<string, readonly { kind: EntryKind; vector: Float32Array }[]>;
  articleOfKey(key: string): string | undefined;
}

export interface RetrievalInput {
  query: AnalyzedQuery;
  lexical: LexicalIndex;
  sections: SectionIndex;
  chars: CharNgramIndex;
  families: Families;
  ranker: LogisticModel;
  /**
   * `translated`: the vector of a French message's English rendering, compared with the families
   * in `englishOnly` only (articles that exist in English alone), the better of the two counting.
   */
  dense?: { state: DenseState; vector: Float32Array; translated?: Float32Array; englishOnly?: ReadonlySet<string> };
  /** Families not to return (e.g. already refused by the user). */
  excludeFamilies?: ReadonlySet<string>;
  /** Candidates examined per source before merging. */
  depth?: number;
}

export interface QueryStats {
  lang: Lang;
  /** Content words in the query. */
  words: number;
  /** idf-weighted share of the query's words that appear nowhere in the knowledge base. */
  unknownWords: number;
}

export interface Retrieval {
  candidates: Candidate[];
  stats: QueryStats;
}

export function retrieve(input: RetrievalInput): Retrieval {
  const { query, lexical, families } = input;
  const depth = input.depth ?? 30;
  const familyOf = (id: string) => families.familyOf.get(id) ?? id;
  const excluded = input.excludeFamilies ?? new Set<string>();

  const tokenWeights = query.tokens.map((t) => lexical.tokenWeight(t.variants));
  const totalWeight = tokenWeights.reduce((s, w) => s + w, 0);
  const unknown = query.tokens.reduce((s, t, i) => s + (lexical.isKnownToken(t.variants) ? 0 : tokenWeights[i]!), 0);
  const stats: QueryStats = { lang: query.lang, words: query.tokens.length, unknownWords: totalWeight > 0 ? unknown / totalWeight : 1 };

  const lexHits = lexical.search(query);
  const chosen = new Set<string>();
  // The `depth` best lexical hits outside excluded families (a partial selection: at 10,000
  // articles a query matches thousands), each bringing its family.
  for (const id of lexHits.top(depth, (a) => excluded.has(familyOf(a)))) chosen.add(familyOf(id));
  if (input.dense) {
    const { state, translated, englishOnly } = input.dense;
    const searches: [Float32Array, (f: string) => boolean][] = [[input.dense.vector, () => true]];
    if (translated && englishOnly) searches.push([translated, (f) => englishOnly.has(f)]);
    for (const [vector, allowed] of searches) {
      let added = 0;
      for (const hit of state.index.search(vector, Math.min(state.index.size, depth * 8))) {
        const article = state.articleOfKey(hit.key);
        const f = article && familyOf(article);
        if (!f || excluded.has(f) || chosen.has(f) || !allowed(f)) continue;
        chosen.add(f);
        if (++added >= depth) break;
      }
    }
  }

  const charQuery = input.chars.prepare(query.text);
  const sections = input.sections.search(query, [...chosen].flatMap((f) => families.members.get(f) ?? [f]));
  const bestLex = lexHits.best;
  const candidates: Candidate[] = [];
  for (const family of chosen) {
    const members = families.members.get(family) ?? [family];
    const f: CandidateFeatures = { dense: 0, denseQuestion: 0, lexical: 0, lexicalRel: 0, coverage: 0, questionMatch: 0, charMatch: 0, passage: 0 };
    const matched = new Set<number>();
    let bm25 = 0;
    for (const id of members) {
      const hit = lexHits.get(id);
      if (hit) {
        bm25 = Math.max(bm25, hit.score);
        for (const i of hit.matchedTokens) matched.add(i);
      }
      f.questionMatch = Math.max(f.questionMatch, lexical.questionMatch(query, id));
      f.charMatch = Math.max(f.charMatch, input.chars.best(charQuery, id));
      f.passage = Math.max(f.passage, sections.best > 0 ? sections.of(id) / sections.best : 0);
      if (input.dense) {
        const viaTranslation = input.dense.translated && input.dense.englishOnly?.has(family) ? input.dense.translated : undefined;
        for (const e of input.dense.state.byArticle.get(id) ?? []) {
          const s = Math.max(dot(input.dense.vector, e.vector), viaTranslation ? dot(viaTranslation, e.vector) : -1);
          f.dense = Math.max(f.dense, s);
          if (e.kind !== 'chunk') f.denseQuestion = Math.max(f.denseQuestion, s);
        }
      }
    }
    f.lexical = Math.log1p(bm25);
    f.lexicalRel = bestLex > 0 ? bm25 / bestLex : 0;
    f.coverage = totalWeight > 0 ? [...matched].reduce((s, i) => s + tokenWeights[i]!, 0) / totalWeight : 0;
    candidates.push({ family, members, features: f, matchedWords: matched.size, score: predict(input.ranker, { ...f }) });
  }
  candidates.sort((a, b) => b.score - a.score || a.family.localeCompare(b.family));
  return { candidates, stats };
}

/** The same candidates ordered by another ranker (calibration fits the ranker on fixed candidate sets). */
export function rerank(retrieval: Retrieval, ranker: LogisticModel): Retrieval {
  const candidates = retrieval.candidates
    .map((c) => ({ ...c, score: predict(ranker, { ...c.features }) }))
    .sort((a, b) => b.score - a.score || a.family.localeCompare(b.family));
  return { ...retrieval, candidates };
}
