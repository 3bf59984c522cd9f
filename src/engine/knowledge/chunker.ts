import type { Section } from './markdown.js';
import { sectionParagraphs } from './markdown.js';
import type { Chunk } from './types.js';

/**
 * Retrieval chunks cut at headings: consecutive short sections share a chunk while it stays
 * under `maxTokens`, a long section is split at paragraph (then sentence) boundaries. Each chunk
 * starts with the article title, and each section in it with its heading, so a chunk still says
 * what it is about when retrieved on its own. Packing short sections ("Symptoms" is often two
 * bullets) keeps the number of texts to embed, hence indexing time, proportional to the text.
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

/** A section as blocks of at most `budget` tokens, the first one starting with its heading. */
function sectionBlocks(section: Section, budget: number): string[] {
  const blocks: string[] = [];
  let current: string[] = section.heading ? [section.heading] : [];
  let used = estimateTokens(section.heading);
  for (const paragraph of sectionParagraphs(section.tokens).flatMap((p) => splitLong(p, budget - estimateTokens(section.heading)))) {
    const cost = estimateTokens(paragraph);
    if (current.length > 0 && used + cost > budget) {
      blocks.push(current.join('\n'));
      current = section.heading ? [section.heading] : [];
      used = estimateTokens(section.heading);
    }
    current.push(paragraph);
    used += cost;
  }
  if (current.length > (section.heading ? 1 : 0)) blocks.push(current.join('\n'));
  return blocks;
}

export function chunkArticle(
  articleId: string,
  title: string,
  sections: Section[],
  maxTokens: number = DEFAULT_CHUNK_TOKENS,
): Chunk[] {
  const budget = Math.max(16, maxTokens - estimateTokens(title));
  const chunks: Chunk[] = [];
  let headings: string[] = [];
  let parts: string[] = [];
  let used = 0;
  const flush = () => {
    if (parts.length === 0) return;
    chunks.push({ id: `${articleId}#${chunks.length}`, articleId, heading: headings.join(' / '), text: [title, ...parts].join('\n') });
    headings = [];
    parts = [];
    used = 0;
  };
  for (const section of sections) {
    for (const block of sectionBlocks(section, budget)) {
      const cost = estimateTokens(block);
      if (used + cost > budget) flush();
      if (section.heading && !headings.includes(section.heading)) headings.push(section.heading);
      parts.push(block);
      used += cost;
    }
  }
  flush();
  // An article with a title and no body is still findable by its title.
  if (chunks.length === 0) chunks.push({ id: `${articleId}#0`, articleId, heading: '', text: title });
  return chunks;
}
