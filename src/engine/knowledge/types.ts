import type { Lang } from '../lang.js';
import type { LintIssue } from '../lint-issue.js';

/** A retrieval unit: one heading section (or part of one) of an article, prefixed with the title. */
export interface Chunk {
  /** `<articleId>#<n>`, stable while the article's text is unchanged. */
  id: string;
  articleId: string;
  heading: string;
  /** Plain text that is embedded and indexed: title, heading, then the section text. */
  text: string;
}

/** Steps of a platform-specific section such as "On macOS" / "Sur macOS". */
export interface StepsVariant {
  heading: string;
  steps: string[];
}

export interface Article {
  id: string;
  lang: Lang;
  title: string;
  summary?: string;
  category?: string;
  tags: string[];
  questions: string[];
  /**
   * Questions the desk tied to this article (technicians' and employees' judgements, from the
   * labelled-examples store), matched like `questions` but never written to the file or shown.
   * Set by the snapshot, not by the parser.
   */
  learned?: readonly string[];
  owner?: string;
  updated?: string;
  reviewBy?: string;
  flow?: string;
  audience?: string;
  url?: string;
  translationOf?: string;
  /** Set on imported articles: the system they come from and their id there. */
  source?: { system: string; id: string };
  /** Front-matter keys this product does not know, kept as they were. */
  metadata: Record<string, unknown>;
  body: string;
  steps: string[];
  variants: StepsVariant[];
  chunks: Chunk[];
  /** Path relative to the knowledge folder, with forward slashes. */
  file: string;
  /** Line of each front-matter key, for lint messages. */
  keyLines: Record<string, number>;
  /** sha256 of the file content: what changed since the last load. */
  hash: string;
}

export interface KnowledgeBase {
  articles: Article[];
  byId: Map<string, Article>;
  /** Problems found while loading (invalid YAML, missing id/title, bad values). */
  issues: LintIssue[];
  /** Files that could not be served at all. */
  brokenFiles: string[];
  /** sha256 over every served article's hash: identifies this version of the knowledge. */
  hash: string;
}
