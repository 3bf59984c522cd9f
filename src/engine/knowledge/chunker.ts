import type { Section } from './markdown.js';
import { sectionParagraphs } from './markdown.js';
import type { Chunk } from './types.js';

/**
 * Retrieval chunks: one per heading section, split further at paragraph (then sentence)
 * boundaries so no chunk exceeds `maxTokens`. Each chunk starts with the article title (and the
 * section heading) so it still says what it is about when retrieved on its own.
 */

export const DEFAULT_CHUNK_TOKENS = 256;

/** Sub-word tokens of typical embedding vocabularies: about 1.3 per word in English and French. */
export function estimateTokens(text: string): number {
  const words = text.split(/\s+/).filter((w) => w.length > 0).length;
  return Math.ceil(words * 1.3);
}

function splitLong(paragraph: string, budget: number): string[] {
  if (estimateTokens(paragraph) <= budget) return [paragraph];
  const sentences = paragraph.split(/(?<=[.!?;:])\s+/);
  const out: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    const candidate = current ? `${current} ${sentence}` : sentence;
    if (current && estimateTokens(candidate) > budget) {
      out.push(current);
      current = sentence;
    } else {
      current = candidate;
    }
  }
  if (current) out.push(current);
  // A single endless sentence: cut by words.
  return out.flatMap((part) => {
    if (estimateTokens(part) <= budget) return [part];
    const words = part.split(/\s+/);
    const per = Math.max(1, Math.floor(budget / 1.3));
    const pieces: string[] = [];
    for (let i = 0; i < words.length; i += per) pieces.push(words.slice(i, i + per).join(' '));
    return pieces;
  });
}

export function chunkArticle(
  articleId: string,
  title: string,
  sections: Section[],
  maxTokens: number = DEFAULT_CHUNK_TOKENS,
): Chunk[] {
  const chunks: Chunk[] = [];
  const push = (heading: string, body: string) => {
    const prefix = heading && heading !== title ? `${title}\n${heading}` : title;
    chunks.push({ id: `${articleId}#${chunks.length}`, articleId, heading, text: body ? `${prefix}\n${body}` : prefix });
  };
  for (const section of sections) {
    const prefixTokens = estimateTokens(`${title} ${section.heading}`);
    const budget = Math.max(16, maxTokens - prefixTokens);
    let current: string[] = [];
    let used = 0;
    for (const paragraph of sectionParagraphs(section.tokens).flatMap((p) => splitLong(p, budget))) {
      const cost = estimateTokens(paragraph);
      if (current.length > 0 && used + cost > budget) {
        push(section.heading, current.join('\n'));
        current = [];
        used = 0;
      }
      current.push(paragraph);
      used += cost;
    }
    if (current.length > 0) push(section.heading, current.join('\n'));
  }
  // An article with a title and no body is still findable by its title.
  if (chunks.length === 0) push('', '');
  return chunks;
}
