import type { ZodType, ZodTypeDef } from 'zod';
import type { Lang } from '../engine/lang.js';

/**
 * What a knowledge source (ServiceNow, Zendesk Guide, Confluence, GLPI, a folder) hands to the
 * sync: articles as the source describes them, before they become Markdown files. Sources only
 * read; the sync decides what to write, update or retire.
 */

/** One article (one language version) as read from a source. */
export interface SourceArticle {
  /** Stable id within the source system (sys_id, article id + locale, page id, file path). */
  sourceId: string;
  title: string;
  /** Detected from the text when the source does not say. */
  lang?: Lang;
  /**
   * Body as HTML (sanitised and converted by the sync) or Markdown (kept as is). `attachments`: file
   * name → URL of the attachment in the source, so a reference by name (Confluence `ri:attachment`)
   * becomes a link to it.
   */
  body: { html: string; attachments?: Record<string, string> } | { markdown: string };
  /** Link to the article in the source, shown with answers and in the console. */
  url?: string;
  /** ISO date-time of the last change in the source. */
  updated?: string;
  category?: string;
  tags?: string[];
  /** Who may be shown the article: undefined = everyone; else audience names (see README, "Who sees an imported article"). */
  audience?: string[];
  /** sourceId of the article this one translates, when the source says so. */
  translationOf?: string;
  /**
   * Set when the source says the article must not be served any more (unpublished, retired,
   * archived, expired, draft): the sync retires it. The reason is shown in the report.
   */
  retired?: string;
}

/** What one fetch returned. */
export interface FetchResult {
  /** Articles changed since the cursor (all of them on a full fetch). */
  articles: SourceArticle[];
  /**
   * Every sourceId the source still serves, when the source can list them cheaply: a known article
   * missing from it was deleted and is retired. Undefined: the source cannot tell (nothing is retired for absence).
   */
  liveIds?: Set<string>;
  /** Items read but not turned into articles, with the reason (no body, unsupported file, no access). */
  skipped: { sourceId: string; reason: string }[];
  /** Items that could not be read; the rest of the run continues and nothing is retired for them. */
  failed: { sourceId: string; reason: string }[];
  /** Cursor for the next incremental fetch (stored in the sync state). */
  cursor?: string;
}

export interface FetchContext {
  /** Cursor stored by the previous successful run; undefined on the first run. */
  cursor?: string;
  /** Source ids known from the previous run (sources that must re-read translations use them). */
  known: ReadonlySet<string>;
  log?: (message: string) => void;
}

export interface KnowledgeSource {
  /** Name of the system, written into each article's `source.system`. */
  readonly system: string;
  fetch(context: FetchContext): Promise<FetchResult>;
}

/** A source adapter as registered: adding one is one file plus its tests. */
export interface KnowledgeSourceDescriptor<C = unknown> {
  name: string;
  /** One line for `helpdesk import --help`. */
  description: string;
  /** Validates the options (from settings, never from the knowledge folder). */
  configSchema: ZodType<C, ZodTypeDef, unknown>;
  create(config: C, deps: SourceDeps): KnowledgeSource;
}

export interface SourceDeps {
  /** Injected by tests; Node's fetch otherwise. */
  fetch?: typeof fetch;
  /** Waits between retries; tests shorten it. */
  sleep?: (ms: number) => Promise<void>;
}
