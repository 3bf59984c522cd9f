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
import { proposeArticle } from '../../engine/knowledge/draft-proposal.js';

/**
 * Article drafts in the embedded SQLite database. One draft per resolved ticket (unique on
 * provider + number); the proposed front matter and body follow the knowledge article format so
 * publishing from the console is an ordinary, linted article save.
 */

export type { DraftStoreOptions } from '../rows/drafts.js';
import type { DraftStoreOptions } from '../rows/drafts.js';

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
