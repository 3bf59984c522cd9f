import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { familyKeyOf } from '../engine/eval/run.js';
import { chooseThresholds, DEFAULT_TARGETS, riskCoverage, type CalibrationExample, type CalibrationResult, type RiskCoverageRow, type Scored } from '../engine/gate/calibrate.js';
import { gateFeatures } from '../engine/gate/features.js';
import { predict } from '../engine/gate/logistic.js';
import type { GateModel, RetrievalMode } from '../engine/gate/model.js';
import type { LabelledExample } from '../engine/ports/labelled-examples.js';
import { rerank } from '../engine/retrieval/retrieve.js';
import type { HybridKnowledgeService } from '../engine/retrieval/service.js';
import type { DeskLearning } from '../engine/retrieval/snapshot.js';
import { zeroLabelExamples, type ZeroLabelExamples } from '../engine/retrieval/zero-label.js';
import { DEFAULT_TARGET_PRECISION, fitOnKnowledge, queryEmbedder, readOutOfScopeBank, writeModels } from './zero-label.js';

/**
 * Learning from the desk: refits the ranker, the gate and the clarify shortlist on the
 * zero-label examples (pseudo-questions, must-escalate) plus the desk's labelled examples
 * (technicians' and employees' judgements), the latter weighted above the former. Reports the
 * risk–coverage curve on the labelled examples before (the models in use) and after (out-of-fold),
 * and lets a technician move the operating point (a target precision → thresholds) afterwards.
 */

/** One technician's judgement counts as this many pseudo-questions. */
export const LABEL_WEIGHT = 5;

/** Learned questions kept per article (the newest): enough phrasings, and a bound on what one article adds to the index. */
export const MAX_LEARNED_PER_ARTICLE = 50;

/** Learned escalations kept (the newest): a bound on the trigram index the gate scans for every message. */
export const MAX_LEARNED_ESCALATIONS = 5000;

/** Folds of the desk's labels: each is asked with the judgements of the others learned, never its own. */
export const LABEL_FOLDS = 5;

/**
 * The questions the desk tied to articles ("this article answers it"), per article, newest kept:
 * matched as the articles' own questions (Article.learned). Labels are oldest first.
 */
export function learnedQuestions(labels: readonly LabelledExample[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const label of labels) {
    if (label.verdict !== 'article' || !label.articleId) continue;
    const list = out.get(label.articleId) ?? [];
    if (!list.includes(label.question)) list.push(label.question);
    out.set(label.articleId, list.slice(-MAX_LEARNED_PER_ARTICLE));
  }
  return out;
}

/**
 * What the desk's judgements teach the retrieval and the gate: the questions tied to articles, and
 * those it said must go to a technician ("should escalate", newest kept; a near-copy is escalated).
 */
export function deskLearning(labels: readonly LabelledExample[]): DeskLearning {
  const escalations = [...new Set(labels.filter((l) => l.verdict === 'escalate').map((l) => l.question))];
  return { questions: learnedQuestions(labels), escalations: escalations.slice(-MAX_LEARNED_ESCALATIONS) };
}

export interface DeskExamples {
  /** Per mode, the labelled examples as calibration examples (weighted). */
  byMode: Partial<Record<RetrievalMode, CalibrationExample[]>>;
  used: number;
  /** Not usable: "wrong article" with no right one named, or an article no longer in the knowledge base. */
  skipped: { notArticle: number; unknownArticle: number };
}

/** The labelled examples retrieved as the bot would retrieve them now (same features), in each mode. */
export async function deskExamples(
  service: HybridKnowledgeService,
  labels: readonly LabelledExample[],
  options: { modes: readonly RetrievalMode[]; weight?: number },
): Promise<DeskExamples> {
  const weight = options.weight ?? LABEL_WEIGHT;
  const familyOf = familyKeyOf(service);
  const byMode: DeskExamples['byMode'] = {};
  const skipped = { notArticle: 0, unknownArticle: 0 };
  let used = 0;
  const usable: LabelledExample[] = [];
  for (const label of labels) {
    if (label.verdict === 'not_article') {
      skipped.notArticle += 1;
      continue;
    }
    if (label.verdict === 'article' && (!label.articleId || service.family(label.articleId).length === 0)) {
      skipped.unknownArticle += 1;
      continue;
    }
    used += 1;
    usable.push(label);
  }
  // A labelled question is learned by its article, so asked against the live index it would find
  // itself: each fold is asked with only the other folds' judgements learned.
  const foldOf = (label: LabelledExample) => label.id % LABEL_FOLDS;
  const anyLearned = usable.some((l) => l.verdict === 'article');
  for (let fold = 0; fold < LABEL_FOLDS; fold++) {
    const asked = usable.filter((l) => foldOf(l) === fold);
    if (asked.length === 0) continue;
    const view = anyLearned ? await service.withLearnedQuestions(learnedQuestions(labels.filter((l) => foldOf(l) !== fold))) : service;
    for (const label of asked) {
      const expected = new Set(label.verdict === 'article' ? [familyOf(label.articleId!)] : []);
      for (const mode of options.modes) {
        const run = await view.retrieve(label.question, {}, mode === 'lexical-only');
        (byMode[mode] ??= []).push({ id: `label:${label.id}`, lang: label.lang, retrieval: run.retrieval, expectedFamilies: expected, weight });
      }
    }
  }
  return { byMode, used, skipped };
}

/** What a model gives on examples it was not fitted on (the "before" curve): answer confidence only. */
export function scoreWith(model: GateModel, examples: readonly CalibrationExample[]): Scored[] {
  return examples.map((ex) => {
    const ranked = rerank(ex.retrieval, model.ranker);
    const empty = ranked.stats.words === 0 || ranked.candidates.length === 0;
    const top = ranked.candidates[0];
    return {
      confidence: empty ? 0 : predict(model.gate, { ...gateFeatures(ranked) }),
      inShortlist: 0,
      options: 0,
      correct: top !== undefined && ex.expectedFamilies.has(top.family),
      hit: false,
      outOfScope: ex.expectedFamilies.size === 0,
      ...(ex.lang ? { lang: ex.lang } : {}),
    };
  });
}

export interface DeskCalibrationRun {
  models: Partial<Record<RetrievalMode, GateModel>>;
  results: Partial<Record<RetrievalMode, CalibrationResult>>;
  /** Risk–coverage on the labelled examples: the models in use, and the refit (out-of-fold). */
  curves: Partial<Record<RetrievalMode, { before: RiskCoverageRow[]; after: RiskCoverageRow[]; beforeThreshold: number; afterThreshold: number }>>;
  counts: ZeroLabelExamples['counts'] & { labels: number; labelsUsed: number; skipped: DeskExamples['skipped'] };
}

export interface DeskCalibrationOptions {
  targetPrecision?: number;
  weight?: number;
  /** Zero-label examples already computed for this knowledge version (the learning curve reuses them). */
  zeroLabel?: ZeroLabelExamples;
  modes?: readonly RetrievalMode[];
  repeats?: number;
  log?: (message: string) => void;
}

/** The zero-label examples of the service's knowledge (pseudo-questions, must-escalate), computed once. */
export async function zeroLabelOf(service: HybridKnowledgeService, log?: (m: string) => void): Promise<ZeroLabelExamples> {
  const { snapshot } = service.calibrationView();
  const embedQueries = queryEmbedder(service);
  return zeroLabelExamples(snapshot, {
    outOfScope: readOutOfScopeBank(),
    ...(embedQueries ? { embedQueries } : {}),
    maxAnswerable: 1500,
    maxLeftOut: 400,
    ...(log ? { onProgress: log } : {}),
  });
}

export async function runDeskCalibration(
  service: HybridKnowledgeService,
  labels: readonly LabelledExample[],
  options: DeskCalibrationOptions = {},
): Promise<DeskCalibrationRun> {
  const status = service.status();
  const modes = options.modes ?? (status.mode === 'hybrid' ? (['hybrid', 'lexical-only'] as const) : (['lexical-only'] as const));
  const zero = options.zeroLabel ?? (await zeroLabelOf(service, options.log));
  const desk = await deskExamples(service, labels, { modes, ...(options.weight !== undefined ? { weight: options.weight } : {}) });
  const targets = { ...DEFAULT_TARGETS, answerPrecision: options.targetPrecision ?? DEFAULT_TARGET_PRECISION };
  const run: DeskCalibrationRun = {
    models: {},
    results: {},
    curves: {},
    counts: { ...zero.counts, labels: labels.length, labelsUsed: desk.used, skipped: desk.skipped },
  };
  for (const mode of modes) {
    const base = mode === 'hybrid' ? zero.hybrid : zero.lexical;
    if (!base?.length) continue;
    const labelled = desk.byMode[mode] ?? [];
    const examples = [...base, ...labelled];
    options.log?.(`fitting the ${mode} models on ${base.length} zero-label and ${labelled.length} labelled examples (weight ${labelled[0]?.weight ?? '-'})`);
    const current = service.modelInUse(mode);
    const result = fitOnKnowledge(service, examples, {
      mode,
      targets,
      repeats: options.repeats,
      command: 'helpdesk calibrate (zero-label + labelled examples from the desk)',
      provenance: {
        examples: { ...zero.counts, total: examples.length, labelled: labelled.length, labelWeight: labelled[0]?.weight ?? null },
        labelled: labelled.length,
        targetPrecision: targets.answerPrecision,
      },
    });
    run.models[mode] = result.model;
    run.results[mode] = result;
    // Measured on the desk's own questions when there are any (what a technician cares about), else on all examples.
    const judged = labelled.length ? labelled : examples;
    const after = labelled.length ? result.scored.slice(base.length) : result.scored;
    run.curves[mode] = {
      before: riskCoverage(scoreWith(current, judged)),
      after: riskCoverage(after),
      beforeThreshold: current.thresholds.answer,
      afterThreshold: result.model.thresholds.answer,
    };
  }
  return run;
}

/** The out-of-fold predictions a refit was chosen on, kept so the operating point can move later. */
const savedScored = z.array(
  z.object({
    confidence: z.number(),
    inShortlist: z.number(),
    options: z.number(),
    correct: z.boolean(),
    hit: z.boolean(),
    outOfScope: z.boolean(),
    lang: z.enum(['en', 'fr']).optional(),
    weight: z.number().optional(),
  }),
);

const scoredFile = (dir: string, mode: RetrievalMode) => join(dir, `scored-${mode}.json`);

export function saveDeskCalibration(dir: string, run: Pick<DeskCalibrationRun, 'models' | 'results'>, provider?: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files = writeModels(dir, run.models, provider);
  for (const [mode, result] of Object.entries(run.results) as [RetrievalMode, CalibrationResult][]) {
    writeFileSync(scoredFile(dir, mode), JSON.stringify(result.scored));
  }
  return files;
}

/**
 * Moves the operating point: the thresholds that give the most coverage at `targetPrecision`
 * on the predictions the last refit was chosen on. Undefined when no refit was saved for the mode.
 */
export function chooseOperatingPoint(dir: string, mode: RetrievalMode, model: GateModel, targetPrecision: number): GateModel | undefined {
  let scored: Scored[];
  try {
    scored = savedScored.parse(JSON.parse(readFileSync(scoredFile(dir, mode), 'utf8')));
  } catch {
    return undefined;
  }
  const targets = { ...DEFAULT_TARGETS, answerPrecision: targetPrecision };
  const choice = chooseThresholds(scored, targets);
  return {
    ...model,
    thresholds: { answer: choice.answer, clarify: choice.clarify },
    provenance: { ...model.provenance, operatingPoint: { targetPrecision, chosenAt: new Date().toISOString(), met: choice.met, precision: choice.precision, coverage: choice.coverage } },
  };
}


