import type { Command } from 'commander';
import { miniSearchPeer, runBaseline, type BaselineMetrics } from '../../engine/eval/baseline.js';
import { readQueryFiles, selectSplit, SPLITS, type Split } from '../../engine/eval/dev-set.js';
import {
  alwaysEscalateAccuracy,
  handledRight,
  summarizeBy,
  summarizeClarify,
  sweep,
  type ClarifyMetrics,
  type ClarifySummary,
  type EvaluatedQuery,
  type FamilyOf,
  type Metrics,
  type Summary,
} from '../../engine/eval/metrics.js';
import { evaluateQueries, report } from '../../engine/eval/run.js';
import { loadKnowledgeBase } from '../../engine/knowledge/loader.js';
import type { KnowledgeBase } from '../../engine/knowledge/types.js';
import { knowledgeConfig, openKnowledge, type KnowledgeCliOptions } from '../knowledge.js';

/** `helpdesk eval`: labelled queries through the bot's decision code; metrics by language. */

interface EvalOptions extends KnowledgeCliOptions {
  queries: string[];
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

const BREAKDOWN_ROWS: (keyof Metrics)[] = ['queries', 'answerable', 'recall_at_1', 'recall_at_5', 'answered_precision', 'coverage', 'oos_escalated_rate', 'decision_accuracy'];

/** One row per group (source, kind…), the main measures as columns. */
export function formatBreakdown(title: string, groups: Record<string, Metrics>): string {
  const cell = (m: Metrics, key: keyof Metrics) => (COUNTS.has(key) ? String(m[key]) : m[key].toFixed(3));
  return [
    `| ${title} | ${BREAKDOWN_ROWS.join(' | ')} |`,
    `|---|${BREAKDOWN_ROWS.map(() => '---:').join('|')}|`,
    ...Object.entries(groups).map(([name, m]) => `| ${name} | ${BREAKDOWN_ROWS.map((k) => cell(m, k)).join(' | ')} |`),
  ].join('\n');
}

export interface Baselines {
  minisearch: BaselineMetrics;
  /** Decision accuracy of escalating everything (the share of out-of-scope queries), all / en / fr. */
  always_escalate: { decision_accuracy: number; by_lang: Record<'en' | 'fr', number> };
}

/** The bot's recall and decision accuracy beside MiniSearch's recall and "always escalate". */
export function formatBaselines(summary: Summary, baselines: Baselines): string {
  const cols = (f: (m: Metrics) => number, g: (lang?: 'en' | 'fr') => number) =>
    [undefined, 'en', 'fr'].map((l) => `${f(l ? summary.by_lang[l as 'en' | 'fr'] : summary).toFixed(3)} vs ${g(l as 'en' | 'fr' | undefined).toFixed(3)}`);
  const ms = baselines.minisearch;
  const rows: [string, string[]][] = [
    ['recall_at_1 (bot vs MiniSearch)', cols((m) => m.recall_at_1, (l) => (l ? ms.by_lang[l] : ms).recall_at_1)],
    ['recall_at_5 (bot vs MiniSearch)', cols((m) => m.recall_at_5, (l) => (l ? ms.by_lang[l] : ms).recall_at_5)],
    ['decision_accuracy (bot vs always escalate)', cols((m) => m.decision_accuracy, (l) => (l ? baselines.always_escalate.by_lang[l] : baselines.always_escalate.decision_accuracy))],
  ];
  return ['| baseline | all | en | fr |', '|---|---:|---:|---:|', ...rows.map(([name, c]) => `| ${name} | ${c.join(' | ')} |`)].join('\n');
}

/**
 * French questions whose expected articles exist only in English (no French member in their
 * families): what cross-lingual matching must find.
 */
export function frenchWithOnlyEnglish(rows: readonly EvaluatedQuery[], kb: KnowledgeBase, familyOf: FamilyOf): EvaluatedQuery[] {
  const frenchFamilies = new Set(kb.articles.filter((a) => a.lang === 'fr').map((a) => familyOf(a.id)));
  return rows.filter((r) => r.lang === 'fr' && r.query.expected.length > 0 && r.query.expected.every((id) => !frenchFamilies.has(familyOf(id))));
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('Evaluate retrieval and the gate on labelled queries (JSONL: id, query, lang?, expected[], split?)')
    .requiredOption('--queries <paths...>', 'labelled queries (JSONL files, or folders of them), one JSON object per line')
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
      const queries = selectSplit(readQueryFiles(options.queries), options.split as Split | 'all');
      if (queries.length === 0) throw new Error(`no queries in split "${options.split}" of ${options.queries.join(', ')}`);
      const runtime = await openKnowledge(options);
      try {
        const { rows, familyOf } = await evaluateQueries(runtime.service, queries);
        const result = report(rows, familyOf);
        const kb = loadKnowledgeBase(knowledgeConfig(options).kbDir);
        const langOf = new Map(rows.map((r) => [r.query.id, r.lang]));
        const minisearch = await runBaseline(miniSearchPeer(kb.articles), queries, familyOf, (q) => langOf.get(q.id) ?? 'en');
        const byLangRows = (lang: 'en' | 'fr') => rows.filter((r) => r.lang === lang);
        const baselines: Baselines = {
          minisearch,
          always_escalate: {
            decision_accuracy: alwaysEscalateAccuracy(rows),
            by_lang: { en: alwaysEscalateAccuracy(byLangRows('en')), fr: alwaysEscalateAccuracy(byLangRows('fr')) },
          },
        };
        const bySource = summarizeBy(rows, familyOf, (r) => r.query.source);
        const byKind = summarizeBy(rows, familyOf, (r) => (typeof r.query.kind === 'string' ? `${r.lang} ${r.query.kind}` : undefined));
        const onlyEnglish = frenchWithOnlyEnglish(rows, kb, familyOf);
        const frOnlyEn = summarizeBy(onlyEnglish, familyOf, () => 'fr, only an English article');
        const summary = { ...result.summary, by_source: bySource, by_kind: byKind, fr_only_en: frOnlyEn['fr, only an English article'], baseline: baselines };
        if (options.json) {
          console.log(JSON.stringify({ ...result, summary }));
        } else {
          const status = runtime.service.status();
          console.log(`${queries.length} queries (split ${options.split}), ${status.articles} articles, ${status.mode}\n`);
          console.log(formatSummary(result.summary, summarizeClarify(rows, familyOf)));
          const r = result.routing;
          console.log(
            `\nNot-IT requests (labelled "route"): ${r.routed_right}/${r.labelled} routed right (${r.routed_rate.toFixed(3)}); ${r.wrongly_routed} other queries routed, ${r.answerable_routed} of them answerable`,
          );
          console.log(`\n${formatBaselines(result.summary, baselines)}`);
          const bySourceAndLang = summarizeBy(rows, familyOf, (r) => (r.query.source ? `${r.query.source} ${r.lang}` : undefined));
          if (Object.keys(bySource).length > 1) console.log(`\n${formatBreakdown('source', bySource)}`);
          if (Object.keys(bySourceAndLang).length > 0) console.log(`\n${formatBreakdown('source, language', bySourceAndLang)}`);
          if (Object.keys(byKind).length > 0) console.log(`\n${formatBreakdown('language, kind', byKind)}`);
          if (onlyEnglish.length > 0) console.log(`\n${formatBreakdown('subset', frOnlyEn)}`);
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
