import type { Lang } from '../lang.js';

/**
 * What the dialogue layer needs from knowledge and retrieval. Implemented by the retrieval
 * service (src/engine/retrieval); the dialogue layer, the CLI `ask`/`eval` and the console all
 * go through `decide`, so the bot, the evaluation and the technicians see the same decisions.
 */

/** An article as shown to a user: resolved to one language. */
export interface ArticleView {
  id: string;
  lang: Lang;
  title: string;
  summary?: string;
  /** The resolution steps, in order, as short Markdown strings. */
  steps: string[];
  category?: string;
  tags: string[];
  url?: string;
  /** ISO dates (YYYY-MM-DD). */
  updated?: string;
  reviewBy?: string;
  /** Id of the guided fix attached to the article. */
  flow?: string;
  /** Id of the article this one translates, if any. */
  translationOf?: string;
}

export interface ScoredArticle {
  articleId: string;
  lang: Lang;
  title: string;
  /** Fused retrieval score used for ranking (higher is better; not a probability). */
  score: number;
}

export type GateDecisionKind = 'answer' | 'clarify' | 'escalate';

export interface GateDecision {
  kind: GateDecisionKind;
  /** Calibrated probability in [0,1] that the top article answers the question. */
  confidence: number;
  /** Short human-readable reason, e.g. "escalated: best match 0.31 below 0.55". */
  explanation: string;
  /** Language detected for the query (drives the reply language). */
  queryLang: Lang;
  /** Ranked candidates (best first, one per article family, up to 10). */
  candidates: ScoredArticle[];
  /** For kind 'answer': the chosen article, in the reply language when a translation exists. */
  chosen?: ScoredArticle;
  /** For kind 'clarify': 2-3 close candidates to offer. */
  options?: ScoredArticle[];
  /** Features the gate used, for the console and debugging. */
  features: Record<string, number>;
}

export interface DecideOptions {
  /** Reply language when already known (e.g. conversation language); detected from the text otherwise. */
  lang?: Lang;
  /** Article ids (any language of the family) not to offer again, e.g. after a "no". */
  exclude?: string[];
}

export interface KnowledgeService {
  decide(query: string, options?: DecideOptions): Promise<GateDecision>;
  /** The article in `lang` if that translation exists, else the article itself. */
  article(id: string, lang?: Lang): ArticleView | undefined;
  /** Every article id of the same family (an article and its translations). */
  family(id: string): string[];
  /** Detects the language of a user message (en/fr). */
  detectLang(text: string, fallback?: Lang): Lang;
}
