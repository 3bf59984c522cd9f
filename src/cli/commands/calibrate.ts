import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_GATE_MODEL_DIR, gateModelFile } from '../../app/gate-models.js';
import { readDevSet, selectSplit } from '../../engine/eval/dev-set.js';
import { familyKeyOf } from '../../engine/eval/run.js';
import { calibrate, type CalibrationExample } from '../../engine/gate/calibrate.js';
import type { RetrievalMode } from '../../engine/gate/model.js';
import { openKnowledge, type KnowledgeCliOptions } from '../knowledge.js';

/**
 * `helpdesk calibrate`: fits the ranker, the gate and the clarify shortlist model of each
 * retrieval mode on the calibration split (never the report split) and writes
 * calibration/gate-*.json with provenance.
 */

interface CalibrateOptions extends KnowledgeCliOptions {
  queries: string;
  out?: string;
  split: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description('Fit the confidence model and thresholds on the calibration split of the dev set')
    .option('--queries <file>', 'labelled queries', 'eval/dev.jsonl')
    .option('--kb <dir>', 'knowledge folder (default KB_DIR or ./knowledge)')
    .option('--data <dir>', 'data folder for the cache and index (default DATA_DIR or ./data)')
    .option('--out <dir>', 'where to write the models (default: the repository calibration/ folder)')
    .option('--split <split>', 'calibration, or all for a file without splits (never report)', 'calibration')
    .action(async (options: CalibrateOptions) => {
      if (options.split !== 'calibration' && options.split !== 'all') {
        throw new Error('--split must be calibration or all: the report split is for measuring only');
      }
      const all = readDevSet(options.queries);
      const queries = selectSplit(all, options.split);
      if (queries.length < 20) throw new Error(`only ${queries.length} queries in split "${options.split}": need at least 20 to calibrate`);
      const runtime = await openKnowledge(options);
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
          const { model, outOfFold } = calibrate(examples, {
            mode,
            embedder: mode === 'hybrid' ? status.embedder ?? null : null,
            provenance: {
              createdAt: new Date().toISOString(),
              command: `helpdesk calibrate --split ${options.split}`,
              knowledgeHash: status.knowledgeHash,
              articles: status.articles,
              devSet: {
                file: relative(process.cwd(), resolve(options.queries)),
                sha256: createHash('sha256').update(readFileSync(options.queries)).digest('hex'),
                split: options.split,
                queries: queries.length,
                answerable: queries.filter((q) => q.expected.length > 0).length,
                outOfScope: queries.filter((q) => q.expected.length === 0).length,
              },
            },
          });
          const file = gateModelFile(outDir, mode, status.embedder?.provider);
          writeFileSync(file, `${JSON.stringify(model, null, 2)}\n`);
          console.log(
            `${mode}: answer ≥ ${model.thresholds.answer.toFixed(2)}, clarify ≥ ${model.thresholds.clarify.toFixed(2)}; ` +
              `out-of-fold precision ${pct(outOfFold.precision)}, coverage ${pct(outOfFold.coverage)}, ` +
              `out-of-scope answered ${pct(outOfFold.oosAnswered)}, not escalated ${pct(outOfFold.oosNotEscalated)}; ` +
              `clarify (options scoring ≥ ${pct(outOfFold.closeness)} of the best) on ${pct(outOfFold.clarified)} of answerable, ` +
              `right article offered in ${pct(outOfFold.clarifyHit)}, on ${pct(outOfFold.oosClarified)} of out-of-scope ` +
              `(${outOfFold.repeats} repeats of 5-fold cross-validation) → ${relative(process.cwd(), file)}`,
          );
          if (!outOfFold.met) console.error(`warning: ${mode}: the targets cannot all be met on this split; the strictest thresholds were written`);
        }
      } finally {
        await runtime.close();
      }
    });
}
