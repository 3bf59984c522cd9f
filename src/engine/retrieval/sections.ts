import type { Lang } from '../lang.js';
import { LexicalIndex } from './lexical.js';
import type { AnalyzedQuery } from './query.js';

/**
 * BM25 over the articles' sections (their chunks), not over whole articles. A long reference
 * page or FAQ contains nearly every word a question uses somewhere, so whole-article BM25 and
 * word coverage favour it for any question; the best single section is what has to match.
 * The ranker reads it as `passage`: the family's best section score relative to the query's best.
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
  /** The query's best section score over the whole knowledge base. */
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

  search(query: AnalyzedQuery): SectionScores {
    const hits = this.index.search(query);
    const sectionsOf = this.sectionsOf;
    return {
      best: hits.best,
      of(articleId) {
        let best = 0;
        for (const id of sectionsOf.get(articleId) ?? []) best = Math.max(best, hits.get(id)?.score ?? 0);
        return best;
      },
    };
  }
}

/** An article's sections as the index takes them. */
export function sectionsOf(article: { id: string; lang: Lang; title: string; chunks: readonly { id: string; heading: string; text: string }[] }): SectionDocument[] {
  return article.chunks.map((c) => ({ id: c.id, articleId: article.id, lang: article.lang, title: article.title, heading: c.heading, text: c.text }));
}
