import MiniSearch from 'minisearch';
import SearchableMap from 'minisearch/SearchableMap';
import type { Lang } from '../lang.js';
import type { AnalyzedQuery, Vocabulary } from './query.js';
import { analyze, contentTokens, isCode } from './text.js';

/**
 * BM25 over articles (MiniSearch), with fields boosted by how well they describe the problem:
 * the title and the `questions` (users' own phrasings) count more than the body. Text is
 * analysed here (accents folded, stop words dropped, stemmed in the article's language) and
 * handed to MiniSearch as ready terms, so queries and documents go through the same code.
 */

export interface LexicalDocument {
  id: string;
  lang: Lang;
  title: string;
  questions: string[];
  /** Summary, tags and category. */
  meta: string;
  body: string;
}

export interface FieldBoosts {
  title: number;
  questions: number;
  meta: number;
  body: number;
}

export const DEFAULT_FIELD_BOOSTS: FieldBoosts = { title: 3, questions: 2, meta: 1.5, body: 1 };

export interface LexicalHit {
  articleId: string;
  score: number;
  /** Indexes (in query.tokens) of the query words found in this article. */
  matchedTokens: Set<number>;
}

type Doc = { id: string; title: string; questions: string; meta: string; body: string };
const FIELDS = ['title', 'questions', 'meta', 'body'] as const;
const splitTerms = (s: string) => (s ? s.split(' ') : []);

export class LexicalIndex implements Vocabulary {
  private readonly miniSearch: MiniSearch<Doc>;
  private readonly df = new Map<string, number>();
  private readonly words: SearchableMap<number> = new SearchableMap();
  private readonly questionTerms = new Map<string, Set<string>[]>();
  readonly documentCount: number;

  constructor(documents: readonly LexicalDocument[], private readonly boosts: FieldBoosts = DEFAULT_FIELD_BOOSTS) {
    this.miniSearch = new MiniSearch<Doc>({
      fields: [...FIELDS],
      tokenize: splitTerms,
      processTerm: (t) => t,
      searchOptions: { tokenize: splitTerms, processTerm: (t) => t },
    });
    const docs: Doc[] = [];
    for (const d of documents) {
      const questions = d.questions.map((q) => analyze(q, d.lang));
      // Without `questions:` (an imported knowledge base), the title is the article's own
      // statement of the problem: questionMatch then measures agreement with it instead of
      // being 0 for every article, which would drag every confidence down.
      const own = questions.length > 0 ? questions : d.title ? [analyze(d.title, d.lang)] : [];
      this.questionTerms.set(d.id, own.map((q) => new Set(q)));
      const doc: Doc = {
        id: d.id,
        title: analyze(d.title, d.lang).join(' '),
        questions: questions.map((q) => q.join(' ')).join(' '),
        meta: analyze(d.meta, d.lang).join(' '),
        body: analyze(d.body, d.lang).join(' '),
      };
      docs.push(doc);
      for (const term of new Set(FIELDS.flatMap((f) => splitTerms(doc[f])))) this.df.set(term, (this.df.get(term) ?? 0) + 1);
      for (const word of contentTokens(`${d.title} ${d.questions.join(' ')} ${d.meta} ${d.body}`)) {
        if (!isCode(word)) this.words.set(word, (this.words.get(word) ?? 0) + 1);
      }
    }
    this.miniSearch.addAll(docs);
    this.documentCount = docs.length;
  }

  hasTerm(term: string): boolean {
    return this.df.has(term);
  }

  /** Closest indexed word within 1 edit (2 for long words), the most frequent on ties. */
  correct(word: string): string | undefined {
    const maxDistance = word.length >= 8 ? 2 : 1;
    let best: { word: string; distance: number; count: number } | undefined;
    for (const [candidate, [count, distance]] of this.words.fuzzyGet(word, maxDistance)) {
      if (!best || distance < best.distance || (distance === best.distance && count > best.count)) {
        best = { word: candidate, distance, count };
      }
    }
    return best?.word;
  }

  /** Inverse document frequency (BM25 form); unknown terms get the maximum. */
  idf(term: string): number {
    const n = this.documentCount;
    const df = this.df.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  private get maxIdf(): number {
    return this.idf('');
  }

  /** Weight of a query word: the rarest known variant, or the maximum when no variant is known. */
  tokenWeight(variants: Map<string, number>): number {
    let best = 0;
    for (const term of variants.keys()) if (this.df.has(term)) best = Math.max(best, this.idf(term));
    return best > 0 ? best : this.maxIdf;
  }

  isKnownToken(variants: Map<string, number>): boolean {
    return [...variants.keys()].some((t) => this.df.has(t));
  }

  search(query: AnalyzedQuery): Map<string, LexicalHit> {
    const weights = new Map<string, number>();
    const owners = new Map<string, number[]>();
    query.tokens.forEach((token, i) => {
      for (const [term, w] of token.variants) {
        weights.set(term, Math.max(weights.get(term) ?? 0, w));
        owners.set(term, [...(owners.get(term) ?? []), i]);
      }
    });
    const hits = new Map<string, LexicalHit>();
    if (weights.size === 0) return hits;
    const results = this.miniSearch.search([...weights.keys()].join(' '), {
      boost: { ...this.boosts },
      boostTerm: (term) => weights.get(term) ?? 1,
      prefix: (term) => term.length >= 5 && !isCode(term),
      fuzzy: (term) => (term.length >= 6 && !isCode(term) ? 0.2 : false),
      maxFuzzy: 2,
      combineWith: 'OR',
    });
    for (const r of results) {
      const matched = new Set<number>();
      for (const term of r.queryTerms) for (const i of owners.get(term) ?? []) matched.add(i);
      hits.set(String(r.id), { articleId: String(r.id), score: r.score, matchedTokens: matched });
    }
    return hits;
  }

  /**
   * Best agreement between the query and one of the article's `questions`: idf-weighted Dice
   * over words, so a question that says the same thing in few words scores close to 1.
   */
  questionMatch(query: AnalyzedQuery, articleId: string): number {
    const questions = this.questionTerms.get(articleId) ?? [];
    if (questions.length === 0 || query.tokens.length === 0) return 0;
    const tokenWeights = query.tokens.map((t) => this.tokenWeight(t.variants));
    const queryWeight = tokenWeights.reduce((s, w) => s + w, 0);
    let best = 0;
    for (const terms of questions) {
      let matched = 0;
      const used = new Set<string>();
      query.tokens.forEach((token, i) => {
        let hit: string | undefined;
        let hitWeight = 0;
        for (const [variant, w] of token.variants) {
          for (const term of terms) {
            const m = w * termSimilarity(variant, term);
            if (m > hitWeight) [hit, hitWeight] = [term, m];
          }
        }
        if (hit) {
          used.add(hit);
          matched += tokenWeights[i]! * hitWeight;
        }
      });
      const questionWeight = [...terms].reduce((s, t) => s + this.idf(t), 0);
      const usedWeight = [...used].reduce((s, t) => s + this.idf(t), 0);
      best = Math.max(best, (matched + usedWeight) / (queryWeight + questionWeight || 1));
    }
    return best;
  }
}

/** 1 for the same term, less for a prefix ("sync" / "synchronis") or a one-letter typo, 0 otherwise. */
export function termSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (isCode(a) || isCode(b)) return 0;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length >= 4 && long.startsWith(short)) return 0.8;
  if (short.length >= 5 && long.length - short.length <= 1 && withinOneEdit(short, long)) return 0.7;
  return 0;
}

function withinOneEdit(a: string, b: string): boolean {
  // a.length <= b.length <= a.length + 1
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length === b.length) i++;
    j++;
  }
  return edits + (b.length - j) + (a.length - i) <= 1;
}
