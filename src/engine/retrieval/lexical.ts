import SearchableMap from 'minisearch/SearchableMap';
import type { Lang } from '../lang.js';
import type { AnalyzedQuery, Vocabulary } from './query.js';
import { analyze, contentTokens, isCode } from './text.js';

/**
 * BM25 over articles, with fields boosted by how well they describe the problem: the title and
 * the `questions` (users' own phrasings) count more than the body. Text is analysed here
 * (accents folded, stop words dropped, stemmed in the article's language), so queries and
 * documents go through the same code.
 *
 * The scoring is MiniSearch's (BM25+ with its k, b, d, its prefix and fuzzy expansions and their
 * weights, the same sums in the same order, so every score is what MiniSearch gave), over an
 * index held in typed arrays: one posting list per term and field (documents, term counts)
 * instead of a Map per term and field, and a query accumulates into arrays instead of one result
 * object per matching article. At 10,000 articles a common word's expansions match thousands of
 * articles; retrieval keeps 30, so it asks for the top ones (`LexicalHits.top`) and never sorts
 * the rest.
 */

export interface LexicalDocument {
  id: string;
  lang: Lang;
  title: string;
  questions: string[];
  /** Questions the desk tied to the article (Article.learned): matched as its own questions. */
  learned?: readonly string[];
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

// MiniSearch's defaults (BM25+ parameters, prefix and fuzzy weights), kept so scores do not move.
const K = 1.2;
const B = 0.7;
const D = 0.5;
const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;
const MAX_FUZZY = 2;

/** Posting lists of one field: term t's documents and counts are docs/tfs[offsets[t] .. offsets[t + 1]). */
interface FieldPostings {
  offsets: Int32Array;
  docs: Int32Array;
  tfs: Int32Array;
  /** Distinct terms of each document in this field (MiniSearch's field length). */
  lengths: Int32Array;
  average: number;
}

/** The articles a query matched, with their BM25 scores; hit objects are made only for what is asked. */
export class LexicalHits {
  constructor(
    private readonly ids: readonly string[],
    private readonly docOf: ReadonlyMap<string, number>,
    /** Matching documents in first-match order (MiniSearch's result order before sorting). */
    private readonly order: Int32Array,
    private readonly scores: Float64Array,
    /** Per document, bit i set when query term i matched (`words` 32-bit words a document). */
    private readonly masks: Uint32Array,
    private readonly words: number,
    /** Query-token indexes each query term belongs to. */
    private readonly owners: readonly (readonly number[])[],
    readonly best: number,
  ) {}

  get size(): number {
    return this.order.length;
  }

  get(articleId: string): LexicalHit | undefined {
    const d = this.docOf.get(articleId);
    if (d === undefined) return undefined;
    let any = false;
    const matched = new Set<number>();
    for (let term = 0; term < this.owners.length; term++) {
      if (this.masks[d * this.words + (term >>> 5)]! & (1 << (term & 31))) {
        any = true;
        for (const i of this.owners[term]!) matched.add(i);
      }
    }
    return any ? { articleId, score: this.scores[d]!, matchedTokens: matched } : undefined;
  }

  /**
   * Ids of the `n` best articles not skipped, best first; equal scores in first-match order, as
   * a stable sort of all hits would give them. A bounded insertion, not a sort of every hit.
   */
  top(n: number, skip: (articleId: string) => boolean = () => false): string[] {
    const best: number[] = [];
    for (const d of this.order) {
      const score = this.scores[d]!;
      // Later documents lose ties, so only a strictly higher score displaces the last kept one.
      if (best.length >= n && score <= this.scores[best[best.length - 1]!]!) continue;
      if (skip(this.ids[d]!)) continue;
      let at = best.length;
      while (at > 0 && this.scores[best[at - 1]!]! < score) at--;
      best.splice(at, 0, d);
      if (best.length > n) best.pop();
    }
    return best.map((d) => this.ids[d]!);
  }

  /** Every hit, best first (tests, diagnostics). */
  *values(): IterableIterator<LexicalHit> {
    for (const id of this.top(this.order.length)) yield this.get(id)!;
  }
}

export class LexicalIndex implements Vocabulary {
  private readonly df = new Map<string, number>();
  private readonly words: SearchableMap<number> = new SearchableMap();
  private readonly questionTerms = new Map<string, Set<string>[]>();
  /** Term ids, inserted in the order MiniSearch met the terms (its prefix and fuzzy walks follow that order). */
  private readonly termIds: SearchableMap<number> = new SearchableMap();
  private readonly ids: string[] = [];
  private readonly docOf = new Map<string, number>();
  private readonly fields: FieldPostings[];
  private readonly queryWeights = new WeakMap<AnalyzedQuery, { tokenWeights: number[]; queryWeight: number }>();
  /** Summed idf of each example question's terms, computed on first use. */
  private readonly questionWeights = new WeakMap<Set<string>, number>();
  readonly documentCount: number;

  constructor(documents: readonly LexicalDocument[], private readonly boosts: FieldBoosts = DEFAULT_FIELD_BOOSTS) {
    const n = documents.length;
    let terms = 0;
    const building = FIELDS.map(() => ({ docs: [] as number[][], tfs: [] as number[][], lengths: new Int32Array(n), average: 0 }));
    documents.forEach((d, docIndex) => {
      const questions = d.questions.map((q) => analyze(q, d.lang));
      // Without `questions:` (an imported knowledge base), the title is the article's own
      // statement of the problem: questionMatch then measures agreement with it instead of
      // being 0 for every article, which would drag every confidence down.
      // Learned questions come on top: they must not take the title's place in an imported base.
      const learned = (d.learned ?? []).map((q) => analyze(q, d.lang));
      const own = [...(questions.length > 0 ? questions : d.title ? [analyze(d.title, d.lang)] : []), ...learned];
      this.questionTerms.set(d.id, own.map((q) => new Set(q)));
      const doc: Doc = {
        id: d.id,
        title: analyze(d.title, d.lang).join(' '),
        questions: [...questions, ...learned].map((q) => q.join(' ')).join(' '),
        meta: analyze(d.meta, d.lang).join(' '),
        body: analyze(d.body, d.lang).join(' '),
      };
      if (this.docOf.has(d.id)) throw new Error(`duplicate article id ${d.id}`);
      this.docOf.set(d.id, docIndex);
      this.ids.push(d.id);
      FIELDS.forEach((field, f) => {
        const tokens = splitTerms(doc[field]);
        const b = building[f]!;
        const length = new Set(tokens).size;
        b.lengths[docIndex] = length;
        // MiniSearch's running mean, to the same rounding.
        b.average = (b.average * docIndex + length) / (docIndex + 1);
        const counts = new Map<number, number>();
        for (const term of tokens) {
          if (!term) continue;
          let id = this.termIds.get(term);
          // (SearchableMap.size walks the whole tree after a set: count apart.)
          if (id === undefined) this.termIds.set(term, (id = terms++));
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
        for (const [id, tf] of counts) {
          (b.docs[id] ??= []).push(docIndex);
          (b.tfs[id] ??= []).push(tf);
        }
      });
      for (const term of new Set(FIELDS.flatMap((f) => splitTerms(doc[f])))) this.df.set(term, (this.df.get(term) ?? 0) + 1);
      for (const word of contentTokens(`${d.title} ${d.questions.join(' ')} ${d.meta} ${d.body}`)) {
        if (!isCode(word)) this.words.set(word, (this.words.get(word) ?? 0) + 1);
      }
    });
    this.fields = building.map((b) => {
      const offsets = new Int32Array(terms + 1);
      for (let t = 0; t < terms; t++) offsets[t + 1] = offsets[t]! + (b.docs[t]?.length ?? 0);
      const docs = new Int32Array(offsets[terms]!);
      const tfs = new Int32Array(offsets[terms]!);
      for (let t = 0; t < terms; t++) {
        docs.set(b.docs[t] ?? [], offsets[t]!);
        tfs.set(b.tfs[t] ?? [], offsets[t]!);
      }
      return { offsets, docs, tfs, lengths: b.lengths, average: b.average };
    });
    this.documentCount = n;
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

  search(query: AnalyzedQuery): LexicalHits {
    const weights = new Map<string, number>();
    const owners = new Map<string, number[]>();
    query.tokens.forEach((token, i) => {
      for (const [term, w] of token.variants) {
        weights.set(term, Math.max(weights.get(term) ?? 0, w));
        owners.set(term, [...(owners.get(term) ?? []), i]);
      }
    });
    const terms = [...weights.keys()].filter((t) => t.length > 0);
    const n = this.documentCount;
    const words = Math.max(1, Math.ceil(terms.length / 32));
    const total = new Float64Array(n);
    const masks = new Uint32Array(n * words);
    const matchedTerms = new Uint16Array(n);
    const order: number[] = [];
    const current = new Float64Array(n);
    const touched = new Uint8Array(n);
    const touchedList: number[] = [];
    terms.forEach((term, qi) => {
      const termBoost = weights.get(term) ?? 1;
      // MiniSearch's order: the term itself, its prefix extensions, then fuzzy neighbours not already prefixes.
      const expansions: [number, number][] = [];
      const exact = this.termIds.get(term);
      if (exact !== undefined) expansions.push([exact, 1]);
      const fuzzy = term.length >= 6 && !isCode(term) ? Math.min(MAX_FUZZY, Math.round(term.length * 0.2)) : 0;
      const fuzzyMatches = fuzzy ? this.termIds.fuzzyGet(term, fuzzy) : undefined;
      if (term.length >= 5 && !isCode(term)) {
        for (const [derived, id] of this.termIds.atPrefix(term)) {
          const distance = derived.length - term.length;
          if (!distance) continue;
          fuzzyMatches?.delete(derived);
          expansions.push([id, (PREFIX_WEIGHT * derived.length) / (derived.length + 0.3 * distance)]);
        }
      }
      if (fuzzyMatches) {
        for (const [derived, [id, distance]] of fuzzyMatches) {
          if (!distance) continue;
          expansions.push([id, (FUZZY_WEIGHT * derived.length) / (derived.length + distance)]);
        }
      }
      for (const [id, termWeight] of expansions) {
        FIELDS.forEach((_field, f) => {
          const list = this.postingList(f, id);
          if (!list) return;
          const { postings, from, to, idf, fieldBoost } = list;
          for (let j = from; j < to; j++) {
            const d = postings.docs[j]!;
            const weighted = termWeight * termBoost * fieldBoost * termScore(postings, j, idf);
            if (touched[d]) current[d] = current[d]! + weighted;
            else {
              touched[d] = 1;
              current[d] = weighted;
              touchedList.push(d);
            }
          }
        });
      }
      // OR with what earlier terms matched: partial sums added as MiniSearch adds its per-term results.
      for (const d of touchedList) {
        if (matchedTerms[d] === 0) {
          total[d] = current[d]!;
          order.push(d);
        } else total[d] = total[d]! + current[d]!;
        matchedTerms[d] = matchedTerms[d]! + 1;
        masks[d * words + (qi >>> 5)] = masks[d * words + (qi >>> 5)]! | (1 << (qi & 31));
        touched[d] = 0;
      }
      touchedList.length = 0;
    });
    let best = 0;
    // MiniSearch multiplies by the number of query terms matched.
    for (const d of order) {
      total[d] = total[d]! * matchedTerms[d]!;
      if (total[d]! > best) best = total[d]!;
    }
    // Documents that matched nothing have no mask bit: get() returns undefined for them.
    return new LexicalHits(this.ids, this.docOf, Int32Array.from(order), total, masks, words, terms.map((t) => owners.get(t) ?? []), best);
  }

  /** Term `id`'s postings in field `f`, with the term's idf there and the field's boost; undefined when it has none. */
  private postingList(f: number, id: number): { postings: FieldPostings; from: number; to: number; idf: number; fieldBoost: number } | undefined {
    const postings = this.fields[f]!;
    const from = postings.offsets[id]!;
    const to = postings.offsets[id + 1]!;
    const matching = to - from;
    if (matching === 0) return undefined;
    const n = this.documentCount;
    return { postings, from, to, idf: Math.log(1 + (n - matching + 0.5) / (matching + 0.5)), fieldBoost: this.boosts[FIELDS[f]!] || 1 };
  }

  /**
   * The scores search() would give the documents `ids` for exact terms only (no prefix or fuzzy
   * expansion): each query term's posting lists are binary-searched for
   * these documents, so the cost follows how many are asked for, not how long the lists are.
   * Documents that match nothing are absent.
   */
  scoreSome(query: AnalyzedQuery, ids: Iterable<string>): Map<string, number> {
    const weights = new Map<string, number>();
    for (const token of query.tokens) for (const [term, w] of token.variants) if (term) weights.set(term, Math.max(weights.get(term) ?? 0, w));
    const docs = [...new Set(ids)].map((id) => this.docOf.get(id)).filter((d): d is number => d !== undefined);
    const total = new Float64Array(docs.length);
    const partial = new Float64Array(docs.length);
    const matched = new Uint16Array(docs.length);
    for (const [term, termBoost] of weights) {
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      FIELDS.forEach((_field, f) => {
        const list = this.postingList(f, id);
        if (!list) return;
        const { postings, from, to, idf, fieldBoost } = list;
        docs.forEach((d, k) => {
          const j = findDoc(postings.docs, from, to, d);
          if (j >= 0) partial[k] = partial[k]! + termBoost * fieldBoost * termScore(postings, j, idf);
        });
      });
      for (let k = 0; k < docs.length; k++) {
        if (partial[k]! > 0) {
          total[k] = total[k]! + partial[k]!;
          matched[k] = matched[k]! + 1;
          partial[k] = 0;
        }
      }
    }
    const out = new Map<string, number>();
    docs.forEach((d, k) => {
      if (matched[k]! > 0) out.set(this.ids[d]!, total[k]! * matched[k]!);
    });
    return out;
  }

  /**
   * Best agreement between the query and one of the article's `questions`: idf-weighted Dice
   * over words, so a question that says the same thing in few words scores close to 1.
   */
  questionMatch(query: AnalyzedQuery, articleId: string): number {
    const questions = this.questionTerms.get(articleId) ?? [];
    if (questions.length === 0 || query.tokens.length === 0) return 0;
    // Per query, not per article: retrieval asks this for every member of every candidate family.
    let weighed = this.queryWeights.get(query);
    if (!weighed) {
      const tokenWeights = query.tokens.map((t) => this.tokenWeight(t.variants));
      weighed = { tokenWeights, queryWeight: tokenWeights.reduce((s, w) => s + w, 0) };
      this.queryWeights.set(query, weighed);
    }
    const { tokenWeights, queryWeight } = weighed;
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
      let questionWeight = this.questionWeights.get(terms);
      if (questionWeight === undefined) this.questionWeights.set(terms, (questionWeight = [...terms].reduce((s, t) => s + this.idf(t), 0)));
      const usedWeight = [...used].reduce((s, t) => s + this.idf(t), 0);
      best = Math.max(best, (matched + usedWeight) / (queryWeight + questionWeight || 1));
    }
    return best;
  }
}

/** BM25+ of the posting at `j` (MiniSearch's k, b, d), before the term's and field's weights. */
function termScore(postings: FieldPostings, j: number, idf: number): number {
  const tf = postings.tfs[j]!;
  return idf * (D + (tf * (K + 1)) / (tf + K * (1 - B + (B * postings.lengths[postings.docs[j]!]!) / postings.average)));
}

/** Index of document `d` in the ascending slice docs[from, to), or -1. */
function findDoc(docs: Int32Array, from: number, to: number, d: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = docs[mid]!;
    if (v === d) return mid;
    if (v < d) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** 1 for the same term, less for a prefix ("sync" / "synchronis") or a one-letter typo, 0 otherwise. */
export function termSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  // Neither a prefix nor within one letter: 0 whatever the terms are (the cheap test first, it is most pairs).
  if (short.length < 4 || (!long.startsWith(short) && (short.length < 5 || long.length - short.length > 1))) return 0;
  if (isCode(a) || isCode(b)) return 0;
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
