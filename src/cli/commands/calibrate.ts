import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_GATE_MODEL_DIR, gateModelFile } from '../../app/gate-models.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runDeskCalibration, saveDeskCalibration } from '../../app/desk-calibration.js';
import { shareDeskCalibration } from '../../app/desk-sharing.js';
import { DEFAULT_TARGET_PRECISION, runZeroLabel, writeModels, zeroLabelDir } from '../../app/zero-label.js';
import type { RiskCoverageRow } from '../../engine/gate/calibrate.js';
import type { LabelledExample } from '../../engine/ports/labelled-examples.js';
import type { StorageBundle } from '../../storage/bundle.js';
import { openStorage } from '../../storage/factory.js';
import { readQueryFiles, selectSplit } from '../../engine/eval/dev-set.js';
import { familyKeyOf } from '../../engine/eval/run.js';
import { calibrate, riskCoverage, type CalibrationExample, type CalibrationResult } from '../../engine/gate/calibrate.js';
import type { RetrievalMode } from '../../engine/gate/model.js';
import { knowledgeConfig, openKnowledge, stderrLog, type KnowledgeCliOptions } from '../knowledge.js';

/**
 * `helpdesk calibrate`: fits the ranker, the gate and the clarify shortlist model of each
 * retrieval mode on the calibration split (never the report split) and writes
 * calibration/gate-*.json with provenance.
 */

interface CalibrateOptions extends KnowledgeCliOptions {
  queries?: string;
  out?: string;
  split: string;
  targetPrecision: string;
  /** commander's --no-labels */
  labels: boolean;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function summaryLine(mode: RetrievalMode, result: CalibrationResult, out: string): string {
  const { model, outOfFold } = result;
  return (
    `${mode}: answer ≥ ${model.thresholds.answer.toFixed(2)}, clarify ≥ ${model.thresholds.clarify.toFixed(2)}; ` +
    `out-of-fold precision ${pct(outOfFold.precision)}, coverage ${pct(outOfFold.coverage)}, ` +
    `out-of-scope answered ${pct(outOfFold.oosAnswered)}, not escalated ${pct(outOfFold.oosNotEscalated)}; ` +
    `clarify (options scoring ≥ ${pct(outOfFold.closeness)} of the best) on ${pct(outOfFold.clarified)} of answerable, ` +
    `right article offered in ${pct(outOfFold.clarifyHit)}, on ${pct(outOfFold.oosClarified)} of out-of-scope ` +
    `(${outOfFold.repeats} repeats of 5-fold cross-validation) → ${out}`
  );
}

/** The estimated risk–coverage table (out-of-fold answer confidences, clarify aside). */
export function formatRiskCoverage(result: CalibrationResult): string {
  return [
    '| answer threshold | answered | precision | risk | coverage | out-of-scope answered |',
    '|---:|---:|---:|---:|---:|---:|',
    ...riskCoverage(result.scored).map(
      (r) => `| ${r.threshold.toFixed(2)} | ${r.answered} | ${r.precision.toFixed(3)} | ${r.risk.toFixed(3)} | ${r.coverage.toFixed(3)} | ${r.oosAnswered.toFixed(3)} |`,
    ),
  ].join('\n');
}

function formatCurve(rows: readonly RiskCoverageRow[]): string[] {
  return rows.map((r) => `| ${r.threshold.toFixed(2)} | ${r.answered} | ${r.precision.toFixed(3)} | ${r.coverage.toFixed(3)} | ${r.oosAnswered.toFixed(3)} |`);
}

/** Runs `work` on the storage the bot keeps its data in: DATABASE_URL, else DATA_DIR/helpdesk.db. */
async function withBotStorage<T>(dataDir: string, work: (storage: StorageBundle) => Promise<T>): Promise<T> {
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
  const storage = await openStorage({ dataDir, ...(databaseUrl ? { databaseUrl: new URL(databaseUrl) } : {}) });
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}

/** The desk's judgements kept where the bot keeps its data (none when the bot never ran there). */
export async function deskLabels(dataDir: string): Promise<LabelledExample[]> {
  if (!process.env.DATABASE_URL?.trim() && !existsSync(join(dataDir, 'helpdesk.db'))) return [];
  return withBotStorage(dataDir, (storage) => storage.labels.list());
}

/** Zero-label examples plus the desk's judgements, weighted above them; curves before and after on the judged questions. */
async function withLabels(options: CalibrateOptions, target: number, labels: LabelledExample[]): Promise<void> {
  const runtime = await openKnowledge(options, { autoCalibrate: true });
  try {
    const service = runtime.service;
    const status = service.status();
    const outDir = resolve(options.out ?? zeroLabelDir(knowledgeConfig(options).dataDir, status.knowledgeHash));
    console.log(`calibration of ${status.articles} articles (${status.mode}) with ${labels.length} labelled examples from the desk, target answer precision ${pct(target)}`);
    const run = await runDeskCalibration(service, labels, { targetPrecision: target, log: stderrLog.info });
    const { skipped } = run.counts;
    console.log(
      `examples: ${run.counts.answerable} pseudo-questions, ${run.counts.leftOut + run.counts.bank} must-escalate, ${run.counts.labelsUsed} labelled ` +
        `(${skipped.notArticle} "wrong article" without a right one and ${skipped.unknownArticle} naming an unknown article left aside)`,
    );
    const files = saveDeskCalibration(outDir, run, status.embedder?.provider);
    // Where the bot reads it from (not a copy written elsewhere with --out).
    if (!options.out) {
      await withBotStorage(knowledgeConfig(options).dataDir, (storage) => shareDeskCalibration(storage.deskCalibrations, outDir, status.knowledgeHash, status.embedder?.provider));
    }
    for (const [mode, result] of Object.entries(run.results) as [RetrievalMode, CalibrationResult][]) {
      const curves = run.curves[mode]!;
      console.log(`\n${mode}: risk–coverage on the ${run.counts.labelsUsed ? 'labelled examples' : 'examples'}, before (models in use, answer ≥ ${curves.beforeThreshold.toFixed(2)}) and after (out-of-fold, answer ≥ ${curves.afterThreshold.toFixed(2)})`);
      console.log('| answer threshold | before: answered | precision | coverage | should-escalate answered | after: answered | precision | coverage | should-escalate answered |');
      console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
      const before = formatCurve(curves.before);
      formatCurve(curves.after).forEach((after, i) => console.log(`${before[i]!.replace(/ \|$/, '')} ${after.replace(/^\| [0-9.]+ /, '')}`));
      const file = files.find((f) => f === gateModelFile(outDir, mode, status.embedder?.provider))!;
      console.log(summaryLine(mode, result, relative(process.cwd(), file)));
      if (!result.outOfFold.met) console.error(`warning: ${mode}: the targets cannot all be met; the strictest thresholds were written`);
    }
    console.log(`\nThe next start uses these models for this knowledge version. Another operating point: run again with --target-precision, or choose it on the console's Calibration page.`);
  } finally {
    await runtime.close();
  }
}

/** No labelled queries: fit to the knowledge base from its articles alone, into the DATA_DIR cache (or --out). */
async function zeroLabel(options: CalibrateOptions, target: number): Promise<void> {
  const labels = options.labels ? await deskLabels(knowledgeConfig(options).dataDir) : [];
  if (labels.length > 0) return withLabels(options, target, labels);
  const runtime = await openKnowledge(options, { autoCalibrate: false });
  try {
    const service = runtime.service;
    const status = service.status();
    const outDir = resolve(options.out ?? zeroLabelDir(knowledgeConfig(options).dataDir, status.knowledgeHash));
    console.log(`zero-label calibration of ${status.articles} articles (${status.mode}), target answer precision ${pct(target)}`);
    const run = await runZeroLabel(service, { targetPrecision: target, embedder: runtime.embedder, log: stderrLog.info });
    console.log(
      `examples: ${run.counts.answerable} pseudo-questions (leave-one-out) from ${run.counts.pseudoQuestions} drawn, ` +
        `${run.counts.leftOut} from articles left out of the index and ${run.counts.bank} from the out-of-scope bank must escalate`,
    );
    const files = writeModels(outDir, run.models, status.embedder?.provider);
    for (const [mode, result] of Object.entries(run.results) as [RetrievalMode, CalibrationResult][]) {
      console.log(`\n${mode}: estimated risk–coverage (out-of-fold, on the pseudo-questions and must-escalate examples)\n${formatRiskCoverage(result)}`);
      const file = files.find((f) => f === gateModelFile(outDir, mode, status.embedder?.provider))!;
      console.log(summaryLine(mode, result, relative(process.cwd(), file)));
      if (!result.outOfFold.met) console.error(`warning: ${mode}: the targets cannot all be met; the strictest thresholds were written`);
    }
  } finally {
    await runtime.close();
  }
}

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description(
      'Fit the ranker, the confidence model and thresholds: on the calibration split of labelled queries (--queries), ' +
        'or, without --queries, on the knowledge base alone (zero-label, cached under DATA_DIR)',
    )
    .option('--queries <path>', 'labelled queries, a JSONL file or a folder of them (e.g. eval/dev.jsonl); without it, zero-label calibration')
    .option('--target-precision <p>', 'zero-label: answer precision to aim for', String(DEFAULT_TARGET_PRECISION))
    .option('--kb <dir>', 'knowledge folder (default KB_DIR or ./knowledge)')
    .option('--data <dir>', 'data folder for the cache and index (default DATA_DIR or ./data)')
    .option('--out <dir>', 'where to write the models (default: calibration/ with --queries, the DATA_DIR cache without)')
    .option('--split <split>', 'calibration, or all for a file without splits (never report)', 'calibration')
    .option('--no-labels', "without --queries: ignore the desk's labelled examples in DATA_DIR (pure zero-label)")
    .action(async (options: CalibrateOptions) => {
      if (options.split !== 'calibration' && options.split !== 'all') {
        throw new Error('--split must be calibration or all: the report split is for measuring only');
      }
      const target = Number(options.targetPrecision);
      if (!(target > 0 && target < 1)) throw new Error(`--target-precision must be between 0 and 1, got "${options.targetPrecision}"`);
      if (!options.queries) return zeroLabel(options, target);
      const queriesFile = options.queries;
      const all = readQueryFiles([queriesFile]);
      const queries = selectSplit(all, options.split);
      if (queries.length < 20) throw new Error(`only ${queries.length} queries in split "${options.split}": need at least 20 to calibrate`);
      const runtime = await openKnowledge(options, { autoCalibrate: false });
      try {
        const service = runtime.service;
        const status = service.status();
        const familyOf = familyKeyOf(service);
        const modes: RetrievalMode[] = status.mode === 'hybrid' ? ['hybrid', 'lexical-only'] : ['lexical-only'];
        const outDir = resolve(options.out ?? DEFAULT_GATE_MODEL_DIR);
        mkdirSync(outDir, { recursive: true });
        for (const mode of modes) {
          const examples: CalibrationExample[] = [];
          for (const q of queries) {
            const run = await service.retrieve(q.query, {}, mode === 'lexical-only');
            examples.push({ id: q.id, lang: q.lang, retrieval: run.retrieval, expectedFamilies: new Set(q.expected.map(familyOf)) });
          }
          const result = calibrate(examples, {
            mode,
            embedder: mode === 'hybrid' ? status.embedder ?? null : null,
            provenance: {
              createdAt: new Date().toISOString(),
              command: `helpdesk calibrate --split ${options.split}`,
              knowledgeHash: status.knowledgeHash,
              articles: status.articles,
              devSet: {
                file: relative(process.cwd(), resolve(queriesFile)),
                // A file: its bytes (as before); a folder: the queries read from it.
                sha256: createHash('sha256').update(statSync(queriesFile).isFile() ? readFileSync(queriesFile) : JSON.stringify(all)).digest('hex'),
                split: options.split,
                queries: queries.length,
                answerable: queries.filter((q) => q.expected.length > 0).length,
                outOfScope: queries.filter((q) => q.expected.length === 0).length,
              },
            },
          });
          const file = gateModelFile(outDir, mode, status.embedder?.provider);
          writeFileSync(file, `${JSON.stringify(result.model, null, 2)}\n`);
          console.log(summaryLine(mode, result, relative(process.cwd(), file)));
          if (!result.outOfFold.met) console.error(`warning: ${mode}: the targets cannot all be met on this split; the strictest thresholds were written`);
        }
      } finally {
        await runtime.close();
      }
    });
}
