import type { Lang } from '../lang.js';

/**
 * Article drafts waiting for a technician's review: proposed from resolved tickets (what the
 * technician did becomes knowledge) and published from the console, which writes the Markdown
 * file. Async so a server database can replace the embedded SQLite store
 * (src/storage/sqlite/draft-store.ts).
 */

export type DraftStatus = 'pending' | 'published' | 'discarded';

export interface DraftSource {
  kind: 'ticket';
  /** Ticket system that resolved it: local, servicenow, jira, glpi, zendesk, webhook. */
  provider: string;
  /** What people read: HD-000123, INC0012345… */
  ticketNumber: string;
  /** Engine conversation id the ticket came from, when known. */
  conversationId?: string;
}

export interface ArticleDraft {
  id: string;
  status: DraftStatus;
  source: DraftSource;
  lang: Lang;
  /** Proposed front matter (the article format's keys: id, title, lang, category, questions…). */
  frontMatter: Record<string, unknown>;
  /** Proposed Markdown body. */
  body: string;
  createdAt: string;
  updatedAt: string;
  /** Set once published: the article id and its file relative to the knowledge folder. */
  publishedArticleId?: string;
  publishedFile?: string;
}

/** What a resolved ticket offers to a draft; texts must already be redacted. */
export interface ResolvedTicketInput {
  provider: string;
  ticketNumber: string;
  conversationId?: string;
  lang: Lang;
  /** The employee's question (the escalation packet's `question`). */
  question: string;
  /** The technician's resolution notes. */
  resolutionNotes: string;
  /** Ticket title, used as the proposed article title when given. */
  title?: string;
  category?: string;
  /** Other phrasings of the problem (e.g. later questions in the transcript). */
  questions?: string[];
  /** ISO time of the resolution (defaults to now). */
  resolvedAt?: string;
}

export interface DraftFilter {
  statuses?: DraftStatus[];
  limit?: number;
}

export interface DraftStore {
  /**
   * Proposes an article from a resolved ticket. Idempotent per (provider, ticket number): a ticket
   * resolved twice (webhook retry, reopened then resolved) returns the existing draft with
   * `created: false` and leaves it as the technician may have edited it.
   */
  createFromResolvedTicket(input: ResolvedTicketInput): Promise<{ draft: ArticleDraft; created: boolean }>;
  get(id: string): Promise<ArticleDraft | undefined>;
  /** Newest first. */
  list(filter?: DraftFilter): Promise<ArticleDraft[]>;
  /** Saves a technician's edits to a pending draft; undefined when there is no such pending draft. */
  update(id: string, changes: { frontMatter?: Record<string, unknown>; body?: string }): Promise<ArticleDraft | undefined>;
  markPublished(id: string, published: { articleId: string; file: string }): Promise<ArticleDraft | undefined>;
  discard(id: string): Promise<ArticleDraft | undefined>;
  counts(): Promise<Record<DraftStatus, number>>;
}
