import type { Translator } from '../i18n.js';
import type { ResolvedTicketInput } from '../ports/drafts.js';

/**
 * The article a resolved ticket proposes: front matter in the knowledge article format and a body
 * with the format's headings in the ticket's language. Product logic shared by every draft store
 * backend (SQLite, PostgreSQL), so it lives in the engine, not in one backend's file.
 */

/** A file-name-safe article id from a title: lower case, accents folded, dashes. */
export function slugify(text: string, maxLength = 60): string {
  const slug = text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, maxLength).replace(/-+$/, '');
}

function addMonths(isoDay: string, months: number): string {
  const d = new Date(`${isoDay}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

const LIST_ITEM = /^\s*(?:\d+[.)]|[-*•])\s+/;

/** Resolution notes as Markdown steps: lines already listed stay as they are, plain lines become numbered steps. */
export function notesToSteps(notes: string): string {
  const lines = notes
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length === 0) return '';
  if (lines.length === 1) return lines[0]!;
  if (lines.some((l) => LIST_ITEM.test(l))) return lines.join('\n');
  return lines.map((l, i) => `${i + 1}. ${l}`).join('\n');
}

/** The proposed article: front matter in the article format and a body with the format's headings in the ticket's language. */
export function proposeArticle(
  input: ResolvedTicketInput,
  t: Translator,
  today: string,
): { frontMatter: Record<string, unknown>; body: string } {
  const question = input.question.trim();
  const rawTitle = (input.title?.trim() || question).replace(/\s+/g, ' ');
  const title = rawTitle.length > 90 ? `${rawTitle.slice(0, 87).trimEnd()}…` : rawTitle;
  const base = slugify(title) || slugify(`ticket ${input.ticketNumber}`);
  const id = input.lang === 'fr' ? `${base}-fr` : base;
  const questions = [...new Set([question, ...(input.questions ?? []).map((q) => q.trim())].filter((q) => q.length > 0))];
  const frontMatter: Record<string, unknown> = {
    id,
    title: title.charAt(0).toUpperCase() + title.slice(1),
    lang: input.lang,
    ...(input.category ? { category: input.category } : {}),
    ...(questions.length ? { questions } : {}),
    updated: today,
    review_by: addMonths(today, 6),
  };
  const tr = (key: string, params?: Record<string, string>) => t.t(input.lang, `console.draft_template.${key}`, params);
  const body = [
    tr('intro', { ticket: input.ticketNumber }),
    '',
    `## ${tr('symptoms')}`,
    `- ${question.replace(/\s+/g, ' ')}`,
    '',
    `## ${tr('resolution')}`,
    notesToSteps(input.resolutionNotes) || tr('resolution_missing'),
    '',
    `## ${tr('still_broken')}`,
    tr('still_broken_text'),
    '',
  ].join('\n');
  return { frontMatter, body };
}
