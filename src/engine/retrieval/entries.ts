import { createHash } from 'node:crypto';
import type { Article } from '../knowledge/types.js';

/**
 * The texts embedded for an article: each chunk, the title with its summary, and each of the
 * `questions` (embedded as queries: they are how users ask, so query-to-question similarity
 * is the strongest dense signal), and the questions the desk tied to it (`learned`). Keys are stable; hashes decide what must be re-embedded.
 */
export type EntryKind = 'chunk' | 'title' | 'question';

export interface EmbedText {
  key: string;
  articleId: string;
  kind: EntryKind;
  /** Embedded with the model's query or passage convention (e5 prefixes). */
  role: 'query' | 'passage';
  text: string;
  /** sha256 of role and text: the embedding-cache key. */
  hash: string;
}

/** The embedding-cache key of a text embedded in a role (also used for calibration questions). */
export function hashText(role: string, text: string): string {
  return createHash('sha256').update(`${role}\0${text}`).digest('hex');
}

export function articleEntries(article: Article): EmbedText[] {
  const out: EmbedText[] = [];
  const add = (key: string, kind: EntryKind, role: EmbedText['role'], text: string) =>
    out.push({ key, articleId: article.id, kind, role, text, hash: hashText(role, text) });
  add(`${article.id}?t`, 'title', 'passage', article.summary ? `${article.title}. ${article.summary}` : article.title);
  article.questions.forEach((q, i) => add(`${article.id}?q${i}`, 'question', 'query', q));
  // Keyed by content: the desk's list changes order and length as judgements come and go.
  for (const q of new Set(article.learned ?? [])) add(`${article.id}?l${hashText('learned', q).slice(0, 16)}`, 'question', 'query', q);
  for (const chunk of article.chunks) add(chunk.id, 'chunk', 'passage', chunk.text);
  return out;
}

/** Identifies exactly what was embedded: the vector index manifest's knowledge hash. */
export function entriesHash(entries: readonly EmbedText[]): string {
  const h = createHash('sha256');
  for (const e of [...entries].sort((a, b) => a.key.localeCompare(b.key))) h.update(`${e.key}\0${e.hash}\n`);
  return h.digest('hex');
}
