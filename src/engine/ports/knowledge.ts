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
  /** Platform-specific steps ("On macOS", "Sur votre téléphone"), in article order. */
  variants?: { heading: string; steps: string[] }[];
  /** Example questions from the front matter (suggested prompts use the first). */
  questions?: string[];
  /** Front-matter audience list; absent or public means everyone (see knowledge/audience.ts). */
  audience?: string;
}

/** One passage of an article (a heading section: the title, the heading and its text), for grounded answers. */
export interface Passage {
  /** `<articleId>#s<n>`, stable while the article's text is unchanged. */
  id: string;
  articleId: string;
  heading: string;
  /** Plain text (Markdown removed), starting with the article title and the section heading. */
  text: string;
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
  /**
   * Calibrated probability in [0,1] that the right article is among the close candidates the gate
   * would offer to choose from (set when the gate did not answer; the clarify threshold applies to it).
   */
  shortlistConfidence?: number;
  /** Short human-readable reason, in English, e.g. "escalated: best match 0.31 below 0.55". */
  explanation: string;
  /** The same reason as a locale key (locales/<lang>/gate.json) and its parameters, to show it in the technician's language. */
  explanationKey?: string;
  explanationParams?: Record<string, string | number>;
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
  /** The asking user's verified audiences: an article restricted to other audiences is never offered. */
  audiences?: readonly string[];
}

export interface KnowledgeService {
  decide(query: string, options?: DecideOptions): Promise<GateDecision>;
  /** The article in `lang` if that translation exists, else the article itself. */
  article(id: string, lang?: Lang): ArticleView | undefined;
  /**
   * The article's passages (one per heading section) in article order, from the translation in
   * `lang` when it exists (the same article `article(id, lang)` returns). Optional: without it, the
   * language model is given the article's summary and steps.
   */
  passages?(id: string, lang?: Lang): Passage[];
  /** Every article id of the same family (an article and its translations). */
  family(id: string): string[];
  /** Detects the language of a user message (en/fr). */
  detectLang(text: string, fallback?: Lang): Lang;
}

/** Readiness of the knowledge service, for /health, the console and `helpdesk index`. */
export interface KnowledgeStatus {
  ready: boolean;
  /** 'hybrid' = dense + lexical; 'lexical-only' when embeddings are off or could not load. */
  mode: 'hybrid' | 'lexical-only';
  articles: number;
  chunks: number;
  /** Vectors in the dense index (0 in lexical-only mode). */
  vectors: number;
  /** Files skipped because they could not be parsed (relative to the knowledge folder). */
  brokenFiles: string[];
  /** Loud, human-readable problems: embedder unavailable, index rebuilt, uncalibrated gate… */
  warnings: string[];
  /** sha256 of the served knowledge. */
  knowledgeHash: string;
  /** ISO time of the last successful load. */
  loadedAt?: string;
  /** Texts embedded by the last load (the rest came from memory or the cache) and how long it took. */
  lastLoad?: { embedded: number; durationMs: number };
  embedder?: { provider: string; model: string; runtime?: string };
  /** Questions the desk tied to served articles, matched as their own questions (README "Learning from the desk"). */
  learnedQuestions?: number;
  /** Questions the desk said must go to a technician: a near-copy of one is escalated. */
  learnedEscalations?: number;
  /** Where the gate models come from: committed calibration, zero-label calibration of this knowledge, or hand-set defaults. */
  calibration?: CalibrationInfo;
}

export interface CalibrationInfo {
  /** desk: zero-label plus the desk's labelled examples (README "Learning from the desk"). */
  source: 'committed' | 'zero-label' | 'desk' | 'default';
  /** Knowledge hash the models were fitted on (zero-label: the cache key). */
  knowledgeHash?: string;
  /** Human-readable: what was done and where the models are. */
  note: string;
  /** Set while a new calibration of changed knowledge is being fitted; the models above serve until it is ready. */
  pending?: string;
}

/** What a reload did. */
export interface ReloadResult {
  status: KnowledgeStatus;
  /** Texts embedded during this reload (everything else came from memory or the cache). */
  embedded: number;
  durationMs: number;
}

/** The knowledge service as run by the app: the console calls reload() after an edit. */
export interface ManagedKnowledgeService extends KnowledgeService {
  /** Re-reads the knowledge base, re-embeds only what changed and swaps atomically; decisions keep flowing meanwhile. */
  reload(): Promise<ReloadResult>;
  status(): KnowledgeStatus;
}
