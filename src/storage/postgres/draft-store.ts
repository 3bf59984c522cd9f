import { randomUUID } from 'node:crypto';
import { translator as sharedTranslator, type Translator } from '../../engine/i18n.js';
import type { ArticleDraft, DraftFilter, DraftStatus, DraftStore, ResolvedTicketInput } from '../../engine/ports/drafts.js';
// The proposed article is the same whatever the backend: one implementation, kept next to the SQLite store.
import { proposeArticle } from '../../engine/knowledge/draft-proposal.js';
import type { PgPool } from './pool.js';
import { toDraft, type DraftRow, type DraftStoreOptions } from '../rows/drafts.js';

/** Article drafts in PostgreSQL (schema 0003_article_drafts); one draft per resolved ticket. */
export class PgDraftStore implements DraftStore {
  private readonly t: Translator;
  private readonly now: () => Date;

  constructor(
    private readonly pool: PgPool,
    options: DraftStoreOptions = {},
  ) {
    this.t = options.translator ?? sharedTranslator();
    this.now = options.now ?? (() => new Date());
  }

  async createFromResolvedTicket(input: ResolvedTicketInput): Promise<{ draft: ArticleDraft; created: boolean }> {
    const at = input.resolvedAt ?? this.now().toISOString();
    const { frontMatter, body } = proposeArticle(input, this.t, at.slice(0, 10));
    // The unique (provider, ticket_number) decides: a webhook retry on another replica inserts nothing.
    const inserted = await this.pool.query<DraftRow>(
      `INSERT INTO article_drafts (id, status, source_kind, provider, ticket_number, conversation_id, lang,
         front_matter_json, body, created_at, updated_at)
       VALUES ($1, 'pending', 'ticket', $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (provider, ticket_number) DO NOTHING RETURNING *`,
      [randomUUID(), input.provider, input.ticketNumber, input.conversationId ?? null, input.lang, JSON.stringify(frontMatter), body, at],
    );
    if (inserted.rows[0]) return { draft: toDraft(inserted.rows[0]), created: true };
    const existing = (
      await this.pool.query<DraftRow>('SELECT * FROM article_drafts WHERE provider = $1 AND ticket_number = $2', [input.provider, input.ticketNumber])
    ).rows[0]!;
    return { draft: toDraft(existing), created: false };
  }

  async get(id: string): Promise<ArticleDraft | undefined> {
    const row = (await this.pool.query<DraftRow>('SELECT * FROM article_drafts WHERE id = $1', [id])).rows[0];
    return row && toDraft(row);
  }

  async list(filter: DraftFilter = {}): Promise<ArticleDraft[]> {
    const statuses = filter.statuses?.length ? filter.statuses : null;
    const { rows } = await this.pool.query<DraftRow>(
      `SELECT * FROM article_drafts WHERE ($1::text[] IS NULL OR status = ANY($1::text[]))
       ORDER BY created_at DESC, seq DESC LIMIT $2`,
      [statuses, filter.limit ?? 200],
    );
    return rows.map(toDraft);
  }

  async update(id: string, changes: { frontMatter?: Record<string, unknown>; body?: string }): Promise<ArticleDraft | undefined> {
    const current = await this.get(id);
    if (!current || current.status !== 'pending') return undefined;
    const { rows } = await this.pool.query<DraftRow>(
      `UPDATE article_drafts SET front_matter_json = $1, body = $2, updated_at = $3 WHERE id = $4 AND status = 'pending' RETURNING *`,
      [JSON.stringify(changes.frontMatter ?? current.frontMatter), changes.body ?? current.body, this.now().toISOString(), id],
    );
    return rows[0] ? toDraft(rows[0]) : this.get(id);
  }

  async markPublished(id: string, published: { articleId: string; file: string }): Promise<ArticleDraft | undefined> {
    await this.pool.query(
      `UPDATE article_drafts SET status = 'published', published_article_id = $1, published_file = $2, updated_at = $3
       WHERE id = $4 AND status = 'pending'`,
      [published.articleId, published.file, this.now().toISOString(), id],
    );
    return this.get(id);
  }

  async discard(id: string): Promise<ArticleDraft | undefined> {
    await this.pool.query(`UPDATE article_drafts SET status = 'discarded', updated_at = $1 WHERE id = $2 AND status = 'pending'`, [this.now().toISOString(), id]);
    return this.get(id);
  }

  async counts(): Promise<Record<DraftStatus, number>> {
    const counts: Record<DraftStatus, number> = { pending: 0, published: 0, discarded: 0 };
    const { rows } = await this.pool.query<{ status: DraftStatus; n: number }>('SELECT status, COUNT(*)::int AS n FROM article_drafts GROUP BY status');
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }
}
