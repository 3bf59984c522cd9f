import type { Lang } from '../../engine/lang.js';
import type { ArticleDraft, DraftStatus } from '../../engine/ports/drafts.js';
import type { Translator } from '../../engine/i18n.js';

/** The article_drafts row and its mapping to a draft, shared by the SQLite and PostgreSQL stores. */

export interface DraftRow {
  id: string;
  status: DraftStatus;
  source_kind: string;
  provider: string;
  ticket_number: string;
  conversation_id: string | null;
  lang: string;
  front_matter_json: string;
  body: string;
  created_at: string;
  updated_at: string;
  published_article_id: string | null;
  published_file: string | null;
}

export function toDraft(r: DraftRow): ArticleDraft {
  return {
    id: r.id,
    status: r.status,
    source: {
      kind: 'ticket',
      provider: r.provider,
      ticketNumber: r.ticket_number,
      ...(r.conversation_id ? { conversationId: r.conversation_id } : {}),
    },
    lang: r.lang as Lang,
    frontMatter: JSON.parse(r.front_matter_json) as Record<string, unknown>,
    body: r.body,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.published_article_id ? { publishedArticleId: r.published_article_id } : {}),
    ...(r.published_file ? { publishedFile: r.published_file } : {}),
  };
}

/** Construction options shared by the SQLite and PostgreSQL draft stores. */
export interface DraftStoreOptions {
  translator?: Translator;
  now?: () => Date;
}
