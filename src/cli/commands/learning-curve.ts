import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { deskLearning, LABEL_WEIGHT, runDeskCalibration, zeroLabelOf } from '../../app/desk-calibration.js';
import { DEFAULT_TARGET_PRECISION } from '../../app/zero-label.js';
import { readQueryFiles, selectSplit, type LabelledQuery } from '../../engine/eval/dev-set.js';
import { evaluateQueries } from '../../engine/eval/run.js';
import { summarize, sweep, type Metrics, type SweepRow } from '../../engine/eval/metrics.js';
import { openMemoryLabelledExampleStore } from '../../storage/sqlite/labelled-examples-store.js';
import { openKnowledge, stderrLog, type KnowledgeCliOptions } from '../knowledge.js';

/**
 * `helpdesk learning-curve`: what labels from the desk buy. Zero-label calibration plus N labelled
 * examples drawn from the CALIBRATION split (fed through the labelled-examples store, as the
 * console's judgements are), measured on the REPORT split, which nothing is fitted on.
 */

interface LearningCurveOptions extends KnowledgeCliOptions {
  queries: string;
  points: string;
  targetPrecision: string;
  labelWeight: string;
  json?: boolean;
}

export interface LearningCurvePoint {
  labels: number;
  answerThreshold: number;
  all: Metrics;
  en?: Metrics;
  fr?: Metrics;
  /**
   * Diagnostic only (never how the bot runs): the most coverage any answer threshold would give on the
   * report split at answered precision ≥ 0.85, i.e. whether the confidences separate right from wrong.
   */
  bestAt85?: Pick<SweepRow, 'threshold' | 'answered' | 'answered_precision' | 'coverage'>;
}

/** The report-split sweep's best coverage at precision ≥ 0.85 (at least 5 answers, so one lucky answer does not count). */
export function bestCoverageAt(rows: readonly SweepRow[], precision = 0.85): LearningCurvePoint['bestAt85'] {
  const ok = rows.filter((r) => r.answered >= 5 && r.answered_precision >= precision).sort((a, b) => b.coverage - a.coverage || a.threshold - b.threshold);
  const best = ok[0];
  return best && { threshold: best.threshold, answered: best.answered, answered_precision: best.answered_precision, coverage: best.coverage };
}

/** A fixed order of the calibration split (by a hash of each id), so 25 ⊂ 50 ⊂ 100. */
export function drawOrder(queries: readonly LabelledQuery[]): LabelledQuery[] {
  const key = (q: LabelledQuery) => createHash('sha256').update(q.id).digest('hex');
  return [...queries].sort((a, b) => key(a).localeCompare(key(b)));
}

export function formatCurve(points: readonly LearningCurvePoint[]): string {
  const f = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(3));
  return [
    '| labels | answer threshold | recall@1 | answered (right) | answered precision | coverage | out-of-scope escalated | decision accuracy | coverage EN / FR | diagnostic: best coverage at precision ≥ 0.85 (threshold) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...points.map(
      (p) =>
        `| ${p.labels} | ${p.answerThreshold.toFixed(2)} | ${f(p.all.recall_at_1)} | ${p.all.answered} (${p.all.answered_correct}) | ${f(p.all.answered_precision)} | ${f(p.all.coverage)} | ${f(p.all.oos_escalated_rate)} | ${f(p.all.decision_accuracy)} | ${f(p.en?.coverage)} / ${f(p.fr?.coverage)} | ${p.bestAt85 ? `${f(p.bestAt85.coverage)} (${p.bestAt85.threshold.toFixed(2)}, ${p.bestAt85.answered} answers)` : 'none'} |`,
    ),
  ].join('\n');
}

export function registerLearningCurve(program: Command): void {
  program
    .command('learning-curve')
    .description('Zero-label calibration plus 0, 25, 50, 100 labels from the calibration split, measured on the report split')
    .requiredOption('--queries <path>', 'labelled queries with calibration and report splits (e.g. eval/third-party/questions)')
    .option('--points <list>', 'numbers of labels', '0,25,50,100')
    .option('--target-precision <p>', 'answer precision to aim for', String(DEFAULT_TARGET_PRECISION))
    .option('--kb <dir>', 'knowledge folder')
    .option('--data <dir>', 'data folder (embedding cache)')
    .option('--label-weight <w>', 'how many pseudo-questions one label counts as', String(LABEL_WEIGHT))
    .option('--json', 'print the points as JSON')
    .action(async (options: LearningCurveOptions) => {
      const points = options.points.split(',').map((s) => Number(s.trim()));
      if (points.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`--points must be whole numbers, got "${options.points}"`);
      const target = Number(options.targetPrecision);
      if (!(target > 0 && target < 1)) throw new Error(`--target-precision must be between 0 and 1, got "${options.targetPrecision}"`);
      const weight = Number(options.labelWeight);
      if (!(weight > 0)) throw new Error(`--label-weight must be a positive number, got "${options.labelWeight}"`);
      const all = readQueryFiles([options.queries]);
      const pool = drawOrder(selectSplit(all, 'calibration'));
      const report = selectSplit(all, 'report');
      if (Math.max(...points) > pool.length) throw new Error(`only ${pool.length} calibration questions: cannot draw ${Math.max(...points)}`);
      const runtime = await openKnowledge(options, { autoCalibrate: false });
      const store = openMemoryLabelledExampleStore();
      try {
        const service = runtime.service;
        const mode = service.status().mode;
        stderrLog.info('zero-label examples (computed once for every point)');
        const zero = await zeroLabelOf(service, stderrLog.info);
        const out: LearningCurvePoint[] = [];
        let recorded = 0;
        for (const n of [...points].sort((a, b) => a - b)) {
          // The same path as the desk's judgements: recorded in the store, read back, retrieved, weighted.
          for (const q of pool.slice(recorded, n)) {
            const [articleId] = q.expected;
            await store.record({
              question: q.query,
              lang: q.lang ?? service.detectLang(q.query, 'en'),
              verdict: articleId ? 'article' : 'escalate',
              ...(articleId ? { articleId } : {}),
              source: 'imported',
              by: 'learning-curve',
              ref: q.id,
            });
          }
          recorded = Math.max(recorded, n);
          const labels = await store.list();
          stderrLog.info(`${labels.length} labels: calibrating`);
          const run = await runDeskCalibration(service, labels, { zeroLabel: zero, modes: [mode], targetPrecision: target, weight, log: stderrLog.info });
          service.useModels(run.models, { source: 'desk', knowledgeHash: service.status().knowledgeHash, note: `learning curve: ${labels.length} labels` });
          // As the app does after a refit: what the judgements teach is used from the reload on.
          service.setLearned(deskLearning(labels));
          await service.reload();
          const { rows, familyOf } = await evaluateQueries(service, report);
          const summary = summarize(rows, familyOf);
          const bestAt85 = bestCoverageAt(sweep(rows, familyOf, 0.01));
          out.push({ labels: labels.length, answerThreshold: run.models[mode]!.thresholds.answer, all: summary, en: summary.by_lang.en, fr: summary.by_lang.fr, ...(bestAt85 ? { bestAt85 } : {}) });
          stderrLog.info(formatCurve(out.slice(-1)));
        }
        if (options.json) console.log(JSON.stringify(out, null, 2));
        else {
          console.log(`report split (${report.length} questions), ${mode}, target answer precision ${target}, label weight ${weight}; labels drawn from the calibration split (${pool.length})`);
          console.log(formatCurve(out));
        }
      } finally {
        store.close();
        await runtime.close();
      }
    });
}
