import { gate } from '../gate/decide.js';
import { uncalibratedModel, type GateModel, type RetrievalMode, type Thresholds } from '../gate/model.js';
import { isPublicAudience, visibleTo } from '../knowledge/audience.js';
import { articlePassages } from '../knowledge/passages.js';
import type { Article } from '../knowledge/types.js';
import type { ParseCache } from '../knowledge/loader.js';
import type { Lang } from '../lang.js';
import type { Embedder } from '../ports/embedder.js';
import type {
  ArticleView,
  CalibrationInfo,
  DecideOptions,
  GateDecision,
  KnowledgeStatus,
  ManagedKnowledgeService,
  Passage,
  ReloadResult,
  ScoredArticle,
} from '../ports/knowledge.js';
import type { EmbedProgress } from './embed-entries.js';
import type { FieldBoosts } from './lexical.js';
import { prepareQuery } from './prepare.js';
import { retrieve, type Candidate, type Retrieval } from './retrieve.js';
import { buildSnapshot, ESCALATIONS, type DeskLearning, type LearnedQuestions, type Snapshot } from './snapshot.js';
import type { EmbeddingCache, VectorIndexStore } from './vector-index.js';

/**
 * The KnowledgeService the bot, the CLI (ask, eval, calibrate) and the console all use.
 * Starts lexical-only, loudly, when the embedder cannot load; serves whatever articles parse.
 */

export interface KnowledgeServiceOptions {
  kbDir: string;
  /** Configured embedder (not yet initialised); undefined means lexical-only by configuration. */
  embedder?: Embedder;
  /** Why there is no embedder although one was configured (shown as a warning). */
  embedderProblem?: string;
  cache?: EmbeddingCache;
  vectorStore?: VectorIndexStore;
  /** Calibrated models by mode; a missing one falls back to a cautious hand-set model, with a warning. */
  models?: Partial<Record<RetrievalMode, GateModel>>;
  /** Overrides of the calibrated thresholds (configuration). */
  thresholds?: Partial<Thresholds>;
  maxChunkTokens?: number;
  fieldBoosts?: FieldBoosts;
  /**
   * Reads what the desk taught (the labelled-examples store) at every reload; when it fails, what
   * was learned before stays.
   */
  learned?: () => Promise<DeskLearning>;
  onProgress?: (progress: EmbedProgress) => void;
  log?: { info(message: string): void; warn(message: string): void };
}

export interface RetrievalRun {
  retrieval: Retrieval;
  mode: RetrievalMode;
  replyLang: Lang;
  model: GateModel;
  /** Closest question the desk said must go to a technician (character-trigram cosine, 0 without any). */
  learnedEscalation: number;
}

/**
 * One more try after a failed model load: a transient failure (a busy machine, a file being
 * replaced) should not leave the process lexical-only until its next restart. A missing model
 * fails fast both times.
 */
async function initWithRetry(embedder: Embedder, note: (message: string) => void): Promise<void> {
  try {
    await embedder.init();
  } catch (err) {
    note(`embedder ${embedder.provider} ${embedder.model} failed to load (${err instanceof Error ? err.message : String(err)}); trying once more`);
    await new Promise((r) => setTimeout(r, 1000));
    await embedder.init();
  }
}

export class HybridKnowledgeService implements ManagedKnowledgeService {
  private snapshot!: Snapshot;
  private embedder?: Embedder;
  private readonly permanentWarnings: string[] = [];
  private lastLoad = { embedded: 0, durationMs: 0 };
  private queue: Promise<unknown> = Promise.resolve();
  private models: Partial<Record<RetrievalMode, GateModel>>;
  private calibration?: CalibrationInfo;
  private learned: DeskLearning = { questions: new Map(), escalations: [] };

  private constructor(private readonly options: KnowledgeServiceOptions) {
    this.models = { ...options.models };
  }

  /** The live snapshot and embedder, read-only, for zero-label calibration. */
  calibrationView(): { snapshot: Snapshot; embedder?: Embedder } {
    return { snapshot: this.snapshot, embedder: this.embedder };
  }

  /** Replaces the gate models (zero-label calibration of this knowledge) and says where they come from. */
  useModels(models: Partial<Record<RetrievalMode, GateModel>>, calibration: CalibrationInfo): void {
    this.models = { ...models };
    this.calibration = calibration;
  }

  /** The model each mode decides with now (the hand-set default when none was given). */
  modelInUse(mode: RetrievalMode): GateModel {
    return this.modelFor(mode);
  }

  /** Records where the current models come from (shown in status() and /readyz). */
  describeCalibration(calibration: CalibrationInfo): void {
    this.calibration = calibration;
  }

  static async create(options: KnowledgeServiceOptions): Promise<HybridKnowledgeService> {
    const service = new HybridKnowledgeService(options);
    if (options.embedderProblem) service.warn(options.embedderProblem);
    if (options.embedder) {
      try {
        await initWithRetry(options.embedder, (m) => options.log?.info(m));
        service.embedder = options.embedder;
      } catch (err) {
        service.warn(
          `EMBEDDINGS UNAVAILABLE (${options.embedder.provider} ${options.embedder.model}): ${
            err instanceof Error ? err.message : String(err)
          }. Answering with lexical retrieval only.`,
        );
      }
    }
    await service.reload();
    return service;
  }

  private warn(message: string): void {
    this.permanentWarnings.push(message);
    this.options.log?.warn(message);
  }

  /**
   * What the desk taught, used from the next reload on: questions tied to articles are matched as
   * the articles' own, and a near-copy of one it said must go to a technician is escalated. For
   * commands that hold the labels themselves; the app reads them at every reload (`learned`).
   */
  setLearned(learned: DeskLearning): void {
    this.learned = { questions: new Map(learned.questions), escalations: [...learned.escalations] };
  }

  /**
   * Retrieval against this knowledge with other learned questions than the live ones (a side
   * snapshot: the live one, its persisted vector index and what users are answered from are left
   * alone). The desk refit asks each labelled question with its own judgement left out, so the
   * ranker does not learn from a question finding itself.
   */
  async withLearnedQuestions(learned: LearnedQuestions): Promise<{ retrieve: (query: string, options?: DecideOptions, lexicalOnly?: boolean) => Promise<RetrievalRun> }> {
    const side = await buildSnapshot({
      kbDir: this.options.kbDir,
      maxChunkTokens: this.options.maxChunkTokens,
      fieldBoosts: this.options.fieldBoosts,
      embedder: this.snapshot.dense ? this.embedder : undefined,
      cache: this.options.cache,
      previous: this.snapshot,
      parseCache: this.parseCache,
      learned,
    });
    return { retrieve: (query, options = {}, lexicalOnly = false) => this.retrieveIn(side, query, options, lexicalOnly) };
  }

  /** Serialised: a reload requested during another one runs after it, on the newest files. */
  reload(): Promise<ReloadResult> {
    const next = this.queue.catch(() => undefined).then(() => this.doReload());
    this.queue = next;
    return next;
  }

  /** Unchanged files are not parsed again on a reload (a console edit, a sync, another replica's change). */
  private readonly parseCache: ParseCache = new Map();

  private async doReload(): Promise<ReloadResult> {
    const started = Date.now();
    if (this.options.learned) {
      try {
        this.learned = await this.options.learned();
      } catch (err) {
        this.options.log?.warn(`could not read what the desk taught (${err instanceof Error ? err.message : String(err)}): keeping what was learned before`);
      }
    }
    const next = await buildSnapshot({
      kbDir: this.options.kbDir,
      maxChunkTokens: this.options.maxChunkTokens,
      fieldBoosts: this.options.fieldBoosts,
      embedder: this.embedder,
      cache: this.options.cache,
      vectorStore: this.options.vectorStore,
      previous: this.snapshot,
      parseCache: this.parseCache,
      learned: this.learned.questions,
      escalations: this.learned.escalations,
      onProgress: this.options.onProgress,
      log: (m) => this.options.log?.info(m),
    });
    for (const w of next.warnings) this.options.log?.warn(w);
    this.snapshot = next;
    this.lastLoad = { embedded: next.embedded, durationMs: Date.now() - started };
    return { status: this.status(), ...this.lastLoad };
  }

  private restrictedOf?: { snapshot: Snapshot; articles: Article[] };

  /** Articles not meant for everyone, computed once per snapshot. */
  private restricted(s: Snapshot): Article[] {
    if (this.restrictedOf?.snapshot !== s) {
      this.restrictedOf = { snapshot: s, articles: s.kb.articles.filter((a) => !isPublicAudience(a.audience)) };
    }
    return this.restrictedOf.articles;
  }

  private get mode(): RetrievalMode {
    return this.snapshot.dense ? 'hybrid' : 'lexical-only';
  }

  private modelFor(mode: RetrievalMode): GateModel {
    return this.models[mode] ?? uncalibratedModel(mode);
  }

  private thresholdsFor(model: GateModel): Thresholds {
    const t = { ...model.thresholds, ...this.options.thresholds };
    return { answer: t.answer, clarify: Math.min(t.clarify, t.answer) };
  }

  status(): KnowledgeStatus {
    const s = this.snapshot;
    const warnings = [...this.permanentWarnings, ...s.warnings];
    const model = this.models[this.mode];
    if (!model) warnings.push(`no calibrated gate model for ${this.mode} mode: using cautious defaults (run \`helpdesk calibrate\`)`);
    else if (this.embedder && model.embedder && model.embedder.model !== this.embedder.model) {
      warnings.push(`gate model was calibrated with ${model.embedder.model}, running ${this.embedder.model}: recalibrate`);
    }
    return {
      ready: true,
      mode: this.mode,
      articles: s.kb.articles.length,
      chunks: s.chunks,
      vectors: s.dense?.count ?? 0,
      brokenFiles: [...s.kb.brokenFiles],
      warnings,
      knowledgeHash: s.kb.hash,
      loadedAt: s.loadedAt,
      lastLoad: { ...this.lastLoad },
      embedder: this.embedder && s.dense ? { provider: this.embedder.provider, model: this.embedder.model, ...(this.embedder.runtime ? { runtime: this.embedder.runtime } : {}) } : undefined,
      learnedQuestions: s.learned,
      learnedEscalations: s.escalations.count,
      calibration: this.calibration,
    };
  }

  detectLang(text: string, fallback: Lang = 'en'): Lang {
    return this.snapshot.detectLang(text, fallback);
  }

  family(id: string): string[] {
    const key = this.snapshot.families.familyOf.get(id);
    return key ? [...(this.snapshot.families.members.get(key) ?? [])] : [];
  }

  /** The article in `lang` if that translation exists, else the article itself. */
  private resolve(id: string, lang?: Lang): Article | undefined {
    const own = this.snapshot.kb.byId.get(id);
    if (!own) return undefined;
    const translated = lang && own.lang !== lang ? this.family(id).map((m) => this.snapshot.kb.byId.get(m)).find((a) => a?.lang === lang) : undefined;
    return translated ?? own;
  }

  article(id: string, lang?: Lang): ArticleView | undefined {
    const resolved = this.resolve(id, lang);
    return resolved && toView(resolved);
  }

  passages(id: string, lang?: Lang): Passage[] {
    const resolved = this.resolve(id, lang);
    return resolved ? articlePassages(resolved) : [];
  }

  /** Categories of the served articles, sorted (offered to the language model for ticket summaries). */
  categories(): string[] {
    return [...new Set(this.snapshot.kb.articles.flatMap((a) => (a.category ? [a.category] : [])))].sort();
  }

  /**
   * Retrieval and features without the decision (calibration reuses them). `lexicalOnly`
   * computes what lexical-only mode would see, to calibrate that mode's model too.
   */
  retrieve(query: string, options: DecideOptions = {}, lexicalOnly = false): Promise<RetrievalRun> {
    return this.retrieveIn(this.snapshot, query, options, lexicalOnly);
  }

  private async retrieveIn(s: Snapshot, query: string, options: DecideOptions, lexicalOnly: boolean): Promise<RetrievalRun> {
    const detected = s.detectLang(query, options.lang ?? 'en');
    const replyLang = options.lang ?? detected;
    const { analyzed, focused, translated } = prepareQuery(s, query, detected);
    let mode: RetrievalMode = s.dense ? 'hybrid' : 'lexical-only';
    let vector: Float32Array | undefined;
    let translatedVector: Float32Array | undefined;
    if (!lexicalOnly && s.dense && this.embedder && analyzed.tokens.length > 0) {
      try {
        [vector, translatedVector] = await this.embedder.embedQueries(translated ? [focused, translated] : [focused]);
      } catch (err) {
        this.options.log?.warn(`query embedding failed, answering lexically: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (!vector) mode = 'lexical-only';
    const model = this.modelFor(mode);
    const excludeFamilies = new Set((options.exclude ?? []).map((id) => s.families.familyOf.get(id) ?? id));
    // A family with any member restricted to audiences the user is not in is left out whole.
    for (const a of this.restricted(s)) if (!visibleTo(a.audience, options.audiences)) excludeFamilies.add(s.families.familyOf.get(a.id) ?? a.id);
    const retrieval = retrieve({
      query: analyzed,
      lexical: s.lexical,
      sections: s.sections,
      chars: s.chars,
      families: s.families,
      ranker: model.ranker,
      dense: vector && s.dense ? { state: s.dense, vector, translated: translatedVector, englishOnly: s.englishOnly } : undefined,
      excludeFamilies,
    });
    const learnedEscalation = s.escalations.count ? s.escalations.index.best(s.escalations.index.prepare(focused), ESCALATIONS) : 0;
    return { retrieval, mode, replyLang, model, learnedEscalation };
  }

  /** The gate applied to a retrieval, optionally with another model (calibration). */
  decideOn(run: RetrievalRun, model: GateModel = run.model, thresholds?: Thresholds): GateDecision {
    return gate({
      retrieval: run.retrieval,
      model,
      thresholds: thresholds ?? this.thresholdsFor(model),
      mode: run.mode,
      queryLang: run.replyLang,
      learnedEscalation: run.learnedEscalation,
      represent: (c) => this.represent(c, run.replyLang),
    });
  }

  async decide(query: string, options: DecideOptions = {}): Promise<GateDecision> {
    return this.decideOn(await this.retrieve(query, options));
  }

  /** The member of a family shown to the user: in the reply language when it exists. */
  private represent(candidate: Candidate, lang: Lang): ScoredArticle {
    const articles = candidate.members.map((m) => this.snapshot.kb.byId.get(m)).filter((a): a is Article => a !== undefined);
    const chosen = articles.find((a) => a.lang === lang) ?? articles.find((a) => a.id === candidate.family) ?? articles[0]!;
    return { articleId: chosen.id, lang: chosen.lang, title: chosen.title, score: candidate.score };
  }
}

function toView(a: Article): ArticleView {
  return {
    id: a.id,
    lang: a.lang,
    title: a.title,
    summary: a.summary,
    steps: [...a.steps],
    category: a.category,
    tags: [...a.tags],
    url: a.url,
    updated: a.updated,
    reviewBy: a.reviewBy,
    flow: a.flow,
    translationOf: a.translationOf,
    variants: a.variants.map((v) => ({ heading: v.heading, steps: [...v.steps] })),
    questions: [...a.questions],
    audience: a.audience,
  };
}
