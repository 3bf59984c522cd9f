import type { Command } from 'commander';
import { readDevSet, selectSplit, SPLITS, type Split } from '../../engine/eval/dev-set.js';
import { handledRight, summarizeClarify, sweep, type ClarifyMetrics, type ClarifySummary, type Metrics, type Summary } from '../../engine/eval/metrics.js';
import { evaluateQueries, report } from '../../engine/eval/run.js';
import { openKnowledge, type KnowledgeCliOptions } from '../knowledge.js';

/** `helpdesk eval`: labelled queries through the bot's decision code; metrics by language. */

interface EvalOptions extends KnowledgeCliOptions {
  queries: string;
  json?: boolean;
  sweep?: boolean;
  split: string;
  errors?: boolean;
}

const COUNTS = new Set<keyof Metrics>(['queries', 'answerable', 'out_of_scope', 'answered', 'answered_correct', 'clarified']);
const METRIC_ROWS: (keyof Metrics)[] = [
  'queries', 'answerable', 'out_of_scope', 'recall_at_1', 'recall_at_5', 'mrr_at_10', 'answered', 'answered_correct',
  'answered_precision', 'coverage', 'clarified', 'oos_escalated_rate', 'decision_accuracy',
];

const CLARIFY_ROWS: (keyof ClarifyMetrics)[] = ['clarified_answerable', 'clarify_rate_answerable', 'clarify_hit_rate', 'clarified_oos', 'clarify_rate_oos'];

function clarifyCell(m: ClarifyMetrics, key: keyof ClarifyMetrics): string {
  if (key === 'clarified_answerable' || key === 'clarified_oos') return String(m[key]);
  // A hit rate over no clarifies is undefined, not 0.
  return key === 'clarify_hit_rate' && m.clarified_answerable === 0 ? '–' : m[key].toFixed(3);
}

/** The metrics table (all, en, fr), then the clarify breakdown, which is not part of the `--json` summary. */
export function formatSummary(summary: Summary, clarify: ClarifySummary): string {
  const table = <T extends object>(all: T, byLang: Record<'en' | 'fr', T>, rows: (keyof T)[], cell: (m: T, key: keyof T) => string) => {
    const cols: [string, T][] = [['all', all], ['en', byLang.en], ['fr', byLang.fr]];
    return rows.map((key) => `| ${String(key)} | ${cols.map(([, m]) => cell(m, key)).join(' | ')} |`);
  };
  return [
    '| metric | all | en | fr |',
    '|---|---:|---:|---:|',
    ...table(summary, summary.by_lang, METRIC_ROWS, (m, key) => (COUNTS.has(key) ? String(m[key]) : m[key].toFixed(3))),
    ...table(clarify, clarify.by_lang, CLARIFY_ROWS, clarifyCell),
  ].join('\n');
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('Evaluate retrieval and the gate on labelled queries (JSONL: id, query, lang?, expected[], split?)')
    .requiredOption('--queries <file>', 'labelled queries, one JSON object per line')
    .option('--kb <dir>', 'knowledge folder (default KB_DIR or ./knowledge)')
    .option('--data <dir>', 'data folder for the cache and index (default DATA_DIR or ./data)')
    .option('--split <split>', `which queries: ${SPLITS.join(', ')} or all`, 'all')
    .option('--json', 'print {summary, results} as JSON')
    .option('--sweep', 'print the risk-coverage table over answer thresholds')
    .option('--errors', 'list the queries handled wrongly')
    .action(async (options: EvalOptions) => {
      if (options.split !== 'all' && !(SPLITS as readonly string[]).includes(options.split)) {
        throw new Error(`--split must be ${SPLITS.join(', ')} or all, got "${options.split}"`);
      }
      const queries = selectSplit(readDevSet(options.queries), options.split as Split | 'all');
      if (queries.length === 0) throw new Error(`no queries in split "${options.split}" of ${options.queries}`);
      const runtime = await openKnowledge(options);
      try {
        const { rows, familyOf } = await evaluateQueries(runtime.service, queries);
        const result = report(rows, familyOf);
        if (options.json) {
          console.log(JSON.stringify(result));
        } else {
          const status = runtime.service.status();
          console.log(`${queries.length} queries (split ${options.split}), ${status.articles} articles, ${status.mode}\n`);
          console.log(formatSummary(result.summary, summarizeClarify(rows, familyOf)));
          const r = result.routing;
          console.log(
            `\nNot-IT requests (labelled "route"): ${r.routed_right}/${r.labelled} routed right (${r.routed_rate.toFixed(3)}); ${r.wrongly_routed} other queries routed, ${r.answerable_routed} of them answerable`,
          );
        }
        // With --json, stdout carries exactly the JSON document; tables go to stderr.
        const print = options.json ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => console.log(line);
        if (options.sweep) {
          print('\n| answer threshold | answered | precision | risk | coverage | oos escalated |\n|---:|---:|---:|---:|---:|---:|');
          for (const r of sweep(rows, familyOf)) {
            print(`| ${r.threshold.toFixed(2)} | ${r.answered} | ${r.answered_precision.toFixed(3)} | ${r.risk.toFixed(3)} | ${r.coverage.toFixed(3)} | ${r.oos_escalated_rate.toFixed(3)} |`);
          }
        }
        if (options.errors) {
          for (const row of rows) {
            if (handledRight(row, familyOf)) continue;
            const { query, decision } = row;
            const top = decision.candidates[0];
            print(
              `${query.id} [${query.lang ?? decision.queryLang}] ${decision.kind} ${decision.confidence.toFixed(2)} expected=${query.expected.join(',') || '-'} top=${top ? `${top.articleId}:${top.score.toFixed(2)}` : '-'} :: ${query.query}`,
            );
          }
        }
      } finally {
        await runtime.close();
      }
    });
}
