import type { Passage } from '../ports/knowledge.js';
import { sectionParagraphs, splitSections } from './markdown.js';
import type { Article } from './types.js';

/**
 * An article as passages for a language model to cite: one per heading section (title, heading,
 * then the section's plain text), independent of how retrieval packs sections into chunks, so a
 * citation points at the section that supports a sentence.
 */
export function articlePassages(article: Pick<Article, 'id' | 'title' | 'body'>): Passage[] {
  return splitSections(article.body)
    .map((section) => ({ heading: section.heading, paragraphs: sectionParagraphs(section.tokens) }))
    .filter((s) => s.paragraphs.length > 0)
    .map((s, i) => ({
      id: `${article.id}#s${i}`,
      articleId: article.id,
      heading: s.heading,
      text: [article.title, s.heading, ...s.paragraphs].filter(Boolean).join('\n'),
    }));
}
