import type { Lang } from '../lang.js';
import { LexicalIndex } from './lexical.js';
import type { AnalyzedQuery } from './query.js';

/**
 * BM25 over the articles' sections (their chunks), not over whole articles. A long reference
 * page or FAQ contains nearly every word a question uses somewhere, so whole-article BM25 and
 * word coverage favour it for any question; the best single section is what has to match.
 * The ranker reads it as `passage`: the family's best section score relative to the best section
 * among the candidates.
 */

export interface SectionDocument {
  /** The chunk's id (`<articleId>#<n>`). */
  id: string;
  articleId: string;
  lang: Lang;
  title: string;
  heading: string;
  text: string;
}

export interface SectionScores {
  /** Best section score of an article (0 when none of its sections matched). */
  of(articleId: string): number;
  /** The best section score among the articles asked for. */
  readonly best: number;
}

export class SectionIndex {
  private readonly index: LexicalIndex;
  private readonly sectionsOf = new Map<string, string[]>();

  constructor(sections: readonly SectionDocument[]) {
    // The title field is boosted as in the article index: a section is read under its page's title.
    this.index = new LexicalIndex(sections.map((s) => ({ id: s.id, lang: s.lang, title: s.title, questions: [], meta: s.heading, body: s.text })));
    for (const s of sections) {
      let list = this.sectionsOf.get(s.articleId);
      if (!list) this.sectionsOf.set(s.articleId, (list = []));
      list.push(s.id);
    }
  }

  /**
   * Section scores of the given articles only (the candidates), exact terms: the cost follows the
   * candidates, not the knowledge base (a second full BM25 pass added 1.4–1.9 ms a question at
   * 10,000 articles). `best` is the best section among them.
   */
  search(query: AnalyzedQuery, articleIds: Iterable<string>): SectionScores {
    const wanted = [...articleIds];
    const scores = this.index.scoreSome(query, wanted.flatMap((a) => this.sectionsOf.get(a) ?? []));
    const byArticle = new Map<string, number>();
    let best = 0;
    for (const a of wanted) {
      let top = 0;
      for (const id of this.sectionsOf.get(a) ?? []) top = Math.max(top, scores.get(id) ?? 0);
      byArticle.set(a, top);
      best = Math.max(best, top);
    }
    return { best, of: (articleId) => byArticle.get(articleId) ?? 0 };
  }
}

/** An article's sections as the index takes them. */
export function sectionsOf(article: { id: string; lang: Lang; title: string; chunks: readonly { id: string; heading: string; text: string }[] }): SectionDocument[] {
  return article.chunks.map((c) => ({ id: c.id, articleId: article.id, lang: article.lang, title: article.title, heading: c.heading, text: c.text }));
}
