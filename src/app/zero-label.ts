import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { calibrate, DEFAULT_TARGETS, type CalibrationResult } from '../engine/gate/calibrate.js';
import type { GateModel, RetrievalMode } from '../engine/gate/model.js';
import { LANGS } from '../engine/lang.js';
import type { Embedder } from '../engine/ports/embedder.js';
import { embedEntries } from '../engine/retrieval/embed-entries.js';
import { hashText, type EmbedText } from '../engine/retrieval/entries.js';
import type { HybridKnowledgeService } from '../engine/retrieval/service.js';
import type { EmbeddingCache } from '../engine/retrieval/vector-index.js';
import { zeroLabelExamples, type OutOfScopeMessage } from '../engine/retrieval/zero-label.js';
import { DEFAULT_GATE_MODEL_DIR, gateModelFile, loadGateModels } from './gate-models.js';
import { pullDeskCalibration } from './desk-sharing.js';
import type { DeskCalibrationStore } from '../engine/ports/desk-calibrations.js';

/**
 * Zero-label calibration: fits the ranker, the gate and the clarify shortlist to a knowledge
 * base from its articles alone (engine/retrieval/zero-label.ts builds the examples), for a
 * knowledge base that has no calibration of its own. `helpdesk calibrate` without --queries
 * runs it; `npm start` and `helpdesk eval` run it once per knowledge version and keep the
 * result under DATA_DIR/calibration/<knowledge hash>-f<format>/.
 */

/** The shipped bank of out-of-scope messages (written by the project, EN + FR). */
export const OUT_OF_SCOPE_BANK = resolve(DEFAULT_GATE_MODEL_DIR, 'out-of-scope-bank.jsonl');
/** The repository's own knowledge base: the committed calibration is its own. */
const SHIPPED_KB = resolve(DEFAULT_GATE_MODEL_DIR, '..', 'knowledge');
/** Below this, pseudo-questions are too few to fit anything: keep the committed models. */
export const MIN_ARTICLES = 20;
export const DEFAULT_TARGET_PRECISION = 0.9;

const bankLine = z.object({ id: z.string(), query: z.string().min(1), lang: z.enum(LANGS).optional() }).passthrough();

export function readOutOfScopeBank(file = OUT_OF_SCOPE_BANK): OutOfScopeMessage[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const parsed = bankLine.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}

/**
 * Raised when what a calibration computes changes (a ranking feature, the pseudo-questions): a
 * cached calibration from an older release is then re-fitted instead of being read with features
 * it never saw. 2: the `passage` (best section) feature.
 */
export const CALIBRATION_FORMAT = 2;

export const zeroLabelDir = (dataDir: string, knowledgeHash: string) =>
  join(dataDir, 'calibration', `${knowledgeHash.slice(0, 16)}-f${CALIBRATION_FORMAT}`);

export interface ZeroLabelRun {
  models: Partial<Record<RetrievalMode, GateModel>>;
  results: Partial<Record<RetrievalMode, CalibrationResult>>;
  counts: { articles: number; pseudoQuestions: number; answerable: number; leftOut: number; bank: number };
}

export interface ZeroLabelRunOptions {
  embedder?: Embedder;
  cache?: EmbeddingCache;
  targetPrecision?: number;
  bank?: readonly OutOfScopeMessage[];
  log?: (message: string) => void;
  /** Cross-validation passes for the clarify choices (fewer = faster). */
  repeats?: number;
  /** Yields to the event loop between batches (the server's background calibration sets it). */
  pause?: () => Promise<void>;
}

/** Embeds calibration questions as the bot embeds queries, in parallel batches, through the cache when given. */
export function queryEmbedder(service: HybridKnowledgeService, options: { embedder?: Embedder; cache?: EmbeddingCache } = {}): ((texts: string[]) => Promise<Float32Array[]>) | undefined {
  const { snapshot, embedder } = service.calibrationView();
  const embed = embedder ?? options.embedder;
  if (!embed || !snapshot.dense) return undefined;
  return async (texts: string[]) => {
    const entries: EmbedText[] = texts.map((text, i) => ({ key: `q${i}`, articleId: '', kind: 'question', role: 'query', text, hash: hashText('query', text) }));
    const byHash = await embedEntries(embed, entries, { cache: options.cache, concurrency: embed.concurrency ?? 1 });
    return entries.map((e) => byHash.get(e.hash)!);
  };
}

export async function runZeroLabel(service: HybridKnowledgeService, options: ZeroLabelRunOptions = {}): Promise<ZeroLabelRun> {
  const { snapshot } = service.calibrationView();
  const status = service.status();
  const embedQueries = queryEmbedder(service, options);
  const examples = await zeroLabelExamples(snapshot, {
    outOfScope: options.bank ?? readOutOfScopeBank(),
    embedQueries,
    maxAnswerable: 1500,
    maxLeftOut: 400,
    onProgress: options.log,
    ...(options.pause ? { pause: options.pause } : {}),
  });
  const targets = { ...DEFAULT_TARGETS, answerPrecision: options.targetPrecision ?? DEFAULT_TARGET_PRECISION };
  const models: ZeroLabelRun['models'] = {};
  const results: ZeroLabelRun['results'] = {};
  const perMode: [RetrievalMode, typeof examples.lexical | undefined][] = [
    ['hybrid', examples.hybrid],
    ['lexical-only', examples.lexical],
  ];
  for (const [mode, list] of perMode) {
    if (!list || list.length === 0) continue;
    await options.pause?.();
    options.log?.(`fitting the ${mode} models on ${list.length} examples`);
    const result = fitOnKnowledge(service, list, {
      mode,
      targets,
      repeats: options.repeats,
      command: 'helpdesk calibrate (zero-label)',
      provenance: { examples: { ...examples.counts, total: list.length, outOfScope: list.filter((e) => e.expectedFamilies.size === 0).length } },
    });
    models[mode] = result.model;
    results[mode] = result;
  }
  return { models, results, counts: examples.counts };
}

/**
 * One mode's gate fitted on examples drawn from the knowledge base itself (zero-label, plus the
 * desk's judgements when there are some), with the provenance every such model carries.
 */
export function fitOnKnowledge(
  service: HybridKnowledgeService,
  examples: Parameters<typeof calibrate>[0],
  options: { mode: RetrievalMode; targets: typeof DEFAULT_TARGETS; repeats?: number; command: string; provenance: Record<string, unknown> },
): CalibrationResult {
  const status = service.status();
  return calibrate(examples, {
    mode: options.mode,
    embedder: options.mode === 'hybrid' && status.embedder ? status.embedder : null,
    targets: options.targets,
    repeats: options.repeats ?? 3,
    provenance: {
      createdAt: new Date().toISOString(),
      command: options.command,
      zeroLabel: true,
      knowledgeHash: status.knowledgeHash,
      articles: status.articles,
      ...options.provenance,
    },
  });
}

export function writeModels(dir: string, models: Partial<Record<RetrievalMode, GateModel>>, provider?: string): string[] {
  mkdirSync(dir, { recursive: true });
  return (Object.entries(models) as [RetrievalMode, GateModel][]).map(([mode, model]) => {
    const file = gateModelFile(dir, mode, provider);
    writeFileSync(file, `${JSON.stringify(model, null, 2)}\n`);
    return file;
  });
}

const same = (a: string, b: string) => {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
};

export interface EnsureCalibrationOptions extends ZeroLabelRunOptions {
  kbDir: string;
  dataDir: string;
  /** GATE_MODEL_DIR was set: those models are the operator's choice, never replaced. */
  explicitModelDir: boolean;
  provider?: string;
  /**
   * The models loaded at start (committed or GATE_MODEL_DIR), put back when the knowledge becomes
   * one they fit again after a zero-label calibration replaced them.
   */
  models?: Partial<Record<RetrievalMode, GateModel>>;
  /** The desk's refits shared by the replicas: one made on another replica is copied into this DATA_DIR first. */
  desk?: DeskCalibrationStore;
}

/**
 * Share of articles without `questions:` above which the knowledge differs materially from what
 * the committed models were fitted on (articles written for this bot, with questions): e.g. the
 * shipped articles plus an import of someone else's help pages.
 */
export const MATERIAL_SHARE = 0.1;

/** What ensureCalibration did: kept the committed models, reused the cache, or fitted new models. */
export type CalibrationOutcome = 'committed' | 'cached' | 'fitted' | 'stale';

/**
 * Gives a knowledge base with no calibration of its own a zero-label one: from the cache when
 * this knowledge version was calibrated before, else computed now and cached. A knowledge base
 * whose articles nearly all have `questions:` (the shipped one, an edited copy of it) or whose hash
 * the committed models name keeps the committed models; once imported articles without questions
 * are more than MATERIAL_SHARE of it, it is calibrated on its own articles. The knowledge hash the
 * models were fitted on is in their provenance and names the cache folder. While fitting, the
 * current models keep serving (status().calibration.pending says so); they are swapped only if
 * the knowledge is still the one fitted on ('stale' otherwise: the caller runs it again).
 */
export async function ensureCalibration(service: HybridKnowledgeService, options: EnsureCalibrationOptions): Promise<CalibrationOutcome> {
  const status = service.status();
  // A refit on the desk's judgements (console or `helpdesk calibrate`) for this knowledge version wins over
  // the committed and zero-label models: a technician chose it, operating point included.
  if (!options.explicitModelDir) {
    if (options.desk) {
      try {
        if (await pullDeskCalibration(options.desk, zeroLabelDir(options.dataDir, status.knowledgeHash), status.knowledgeHash, options.provider)) {
          options.log?.('a refit on the desk\'s judgements saved by another replica was copied into this DATA_DIR');
        }
      } catch (err) {
        options.log?.(`could not read the desk's shared refit (${err instanceof Error ? err.message : String(err)}): using what this replica has`);
      }
    }
    const desk = loadGateModels(zeroLabelDir(options.dataDir, status.knowledgeHash), options.provider);
    const model = desk.models[status.mode];
    if (model && desk.problems.length === 0 && typeof model.provenance?.labelled === 'number') {
      const note = `calibrated with ${model.provenance.labelled} labelled examples from the desk (answer threshold ${model.thresholds.answer.toFixed(2)}), from ${zeroLabelDir(options.dataDir, status.knowledgeHash)}`;
      options.log?.(note);
      service.useModels(desk.models, { source: 'desk', knowledgeHash: status.knowledgeHash, note });
      return 'cached';
    }
  }
  const committed = loadGateModels(DEFAULT_GATE_MODEL_DIR, options.provider).models;
  const named = Object.values(committed).some((m) => m?.provenance?.knowledgeHash === status.knowledgeHash);
  // Articles written for this bot (with `questions:`, like the shipped ones) have the features the committed
  // models were fitted on; imported help pages have none of them.
  const { snapshot } = service.calibrationView();
  const total = snapshot.kb.articles.length;
  const withQuestions = snapshot.kb.articles.filter((a) => a.questions.length > 0).length;
  const authored = total - withQuestions <= MATERIAL_SHARE * Math.max(1, total);
  const keep = (note: string): CalibrationOutcome => {
    if (options.models) service.useModels(options.models, { source: 'committed', note });
    else service.describeCalibration({ source: 'committed', note });
    return 'committed';
  };
  if (options.explicitModelDir) return keep('models from GATE_MODEL_DIR');
  if (named || (authored && same(options.kbDir, SHIPPED_KB))) return keep('committed calibration of the shipped knowledge base (calibration/)');
  if (authored) return keep(`committed calibration (calibration/): ${withQuestions} of ${total} articles have questions:, as the shipped ones`);
  if (status.articles < MIN_ARTICLES) {
    const note = `only ${status.articles} articles: too few for zero-label calibration, using the committed models`;
    options.log?.(note);
    return keep(note);
  }
  const dir = zeroLabelDir(options.dataDir, status.knowledgeHash);
  const cached = loadGateModels(dir, options.provider);
  const wanted: RetrievalMode[] = status.mode === 'hybrid' ? ['hybrid', 'lexical-only'] : ['lexical-only'];
  if (wanted.every((m) => cached.models[m]) && cached.problems.length === 0) {
    const note = `zero-label calibration of this knowledge base, from the cache (${dir})`;
    options.log?.(note);
    service.useModels(cached.models, { source: 'zero-label', knowledgeHash: status.knowledgeHash, note });
    return 'cached';
  }
  const started = Date.now();
  const why =
    withQuestions > 0
      ? `${total - withQuestions} of its ${total} articles have no questions: (imported)`
      : 'this knowledge base has no calibration of its own';
  options.log?.(`${why}: zero-label calibration from its ${status.articles} articles (once; cached under ${dir})`);
  const previous = service.status().calibration;
  service.describeCalibration({
    ...(previous ?? { source: 'default', note: 'no calibration yet' }),
    pending: `zero-label calibration of knowledge ${status.knowledgeHash.slice(0, 16)} running since ${new Date(started).toISOString()}; the current gate serves until it is ready`,
  });
  let run: ZeroLabelRun;
  try {
    run = await runZeroLabel(service, options);
  } catch (err) {
    if (previous) service.describeCalibration(previous);
    throw err;
  }
  writeModels(dir, run.models, options.provider);
  if (service.status().knowledgeHash !== status.knowledgeHash) {
    // The knowledge was reloaded meanwhile: these models are cached for the version they fit, not served.
    options.log?.(`the knowledge changed during the zero-label calibration; its models are cached in ${dir} and the current gate keeps serving`);
    if (previous) service.describeCalibration(previous);
    return 'stale';
  }
  const answer = run.models[status.mode]?.thresholds.answer;
  const note = `zero-label calibration of this knowledge base (${run.counts.answerable} pseudo-questions, ${run.counts.leftOut + run.counts.bank} must-escalate; answer threshold ${answer?.toFixed(2)}), computed in ${Math.round((Date.now() - started) / 1000)} s and cached in ${dir}`;
  options.log?.(note);
  service.useModels(run.models, { source: 'zero-label', knowledgeHash: status.knowledgeHash, note });
  return 'fitted';
}
