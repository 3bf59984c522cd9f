import { randomUUID } from 'node:crypto';
import { translator as sharedTranslator, type Translator } from '../../engine/i18n.js';
import type {
  ArticleDraft,
  DraftFilter,
  DraftStatus,
  DraftStore,
  ResolvedTicketInput,
} from '../../engine/ports/drafts.js';
import { type Db } from './database.js';
import { migrateSqlite } from './migrations.js';
import { toDraft, type DraftRow } from '../rows/drafts.js';

/**
 * Article drafts in the embedded SQLite database. One draft per resolved ticket (unique on
 * provider + number); the proposed front matter and body follow the knowledge article format so
 * publishing from the console is an ordinary, linted article save.
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

export interface DraftStoreOptions {
  translator?: Translator;
  now?: () => Date;
}

export class SqliteDraftStore implements DraftStore {
  private readonly t: Translator;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    options: DraftStoreOptions = {},
  ) {
    this.t = options.translator ?? sharedTranslator();
    this.now = options.now ?? (() => new Date());
  }

  async createFromResolvedTicket(input: ResolvedTicketInput): Promise<{ draft: ArticleDraft; created: boolean }> {
    return this.db
      .transaction(() => {
        const existing = this.db
          .prepare('SELECT * FROM article_drafts WHERE provider = ? AND ticket_number = ?')
          .get(input.provider, input.ticketNumber) as DraftRow | undefined;
        if (existing) return { draft: toDraft(existing), created: false };
        const at = input.resolvedAt ?? this.now().toISOString();
        const { frontMatter, body } = proposeArticle(input, this.t, at.slice(0, 10));
        const id = randomUUID();
        this.db
          .prepare(
            `INSERT INTO article_drafts (id, status, source_kind, provider, ticket_number, conversation_id, lang,
               front_matter_json, body, created_at, updated_at)
             VALUES (?, 'pending', 'ticket', ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(id, input.provider, input.ticketNumber, input.conversationId ?? null, input.lang, JSON.stringify(frontMatter), body, at, at);
        return { draft: this.mustGet(id), created: true };
      })
      .immediate();
  }

  async get(id: string): Promise<ArticleDraft | undefined> {
    const row = this.db.prepare('SELECT * FROM article_drafts WHERE id = ?').get(id) as DraftRow | undefined;
    return row && toDraft(row);
  }

  async list(filter: DraftFilter = {}): Promise<ArticleDraft[]> {
    const statuses = filter.statuses?.length ? filter.statuses : undefined;
    const rows = this.db
      .prepare(
        `SELECT * FROM article_drafts ${statuses ? `WHERE status IN (${statuses.map(() => '?').join(', ')})` : ''}
         ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      )
      .all(...(statuses ?? []), filter.limit ?? 200) as DraftRow[];
    return rows.map(toDraft);
  }

  async update(id: string, changes: { frontMatter?: Record<string, unknown>; body?: string }): Promise<ArticleDraft | undefined> {
    const current = await this.get(id);
    if (!current || current.status !== 'pending') return undefined;
    this.db
      .prepare(`UPDATE article_drafts SET front_matter_json = ?, body = ?, updated_at = ? WHERE id = ? AND status = 'pending'`)
      .run(JSON.stringify(changes.frontMatter ?? current.frontMatter), changes.body ?? current.body, this.now().toISOString(), id);
    return this.get(id);
  }

  async markPublished(id: string, published: { articleId: string; file: string }): Promise<ArticleDraft | undefined> {
    this.db
      .prepare(
        `UPDATE article_drafts SET status = 'published', published_article_id = ?, published_file = ?, updated_at = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(published.articleId, published.file, this.now().toISOString(), id);
    return this.get(id);
  }

  async discard(id: string): Promise<ArticleDraft | undefined> {
    this.db.prepare(`UPDATE article_drafts SET status = 'discarded', updated_at = ? WHERE id = ? AND status = 'pending'`).run(this.now().toISOString(), id);
    return this.get(id);
  }

  async counts(): Promise<Record<DraftStatus, number>> {
    const counts: Record<DraftStatus, number> = { pending: 0, published: 0, discarded: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n FROM article_drafts GROUP BY status').all() as { status: DraftStatus; n: number }[]) {
      counts[r.status] = r.n;
    }
    return counts;
  }

  private mustGet(id: string): ArticleDraft {
    const row = this.db.prepare('SELECT * FROM article_drafts WHERE id = ?').get(id) as DraftRow;
    return toDraft(row);
  }
}

/** Applies this module's migrations and returns the store. */
export function openDraftStore(db: Db, options: DraftStoreOptions = {}): SqliteDraftStore {
  migrateSqlite(db);
  return new SqliteDraftStore(db, options);
}
