import type { BuildMeasure } from './knowledge-phase.js';
import type { BenchResults, KnowledgeBaseResult } from './run.js';
import type { VectorSetResult } from './vectors-phase.js';

/** The benchmark results as Markdown tables (printed by `helpdesk bench`, pasted in the README). */

const table = (head: string[], rows: (string | number)[][], align: ('l' | 'r')[]) =>
  [
    `| ${head.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const f3 = (x: number) => x.toFixed(3);

export function latencyTable(r: BenchResults): string {
  return table(
    ['knowledge base', 'texts indexed', 'decide p50', 'p95', 'p99', 'embedding floor p50', 'p95', 'p99', 'floor CPU p50', 'p95 engine / floor', 'load average', 'RSS build (peak)', 'RSS serving', 'RSS serving after a restart', 'index load'],
    r.knowledge_bases.map((kb) => {
      const l = kb.latency;
      return [
        `${kb.build.articles} articles${kb.stand_in_vectors ? ' (STAND-IN article vectors, real questions)' : ''}${when(kb.measured_at)}`,
        kb.build.texts,
        ...(l
          ? [ms(l.engine.p50), ms(l.engine.p95), ms(l.engine.p99), ms(l.floor.p50), ms(l.floor.p95), ms(l.floor.p99), l.floor_cpu_ms_p50 !== undefined ? ms(l.floor_cpu_ms_p50) : '–', `${l.p95_ratio}×`, l.load_average ? l.load_average.join('–') : '–']
          : ['–', '–', '–', '–', '–', '–', '–', '–', '–']),
        `${Math.round(kb.build_peak_rss_mb ?? kb.peak_rss_mb)} MB`,
        kb.serving_rss_mb !== undefined ? `${kb.serving_rss_mb} MB` : '–',
        kb.restart_serving_rss_mb !== undefined ? `${kb.restart_serving_rss_mb} MB` : '–',
        kb.index_load_s !== undefined ? `${kb.index_load_s} s` : '–',
      ];
    }),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

function vectorRows(s: VectorSetResult, label: string): (string | number)[][] {
  return [
    [label, 'exact scan (Float32Array)', ms(s.exact.latency.p50), ms(s.exact.latency.p95), '1.000', '–'],
    [label, 'HNSW k=10 (ef 64)', ms(s.hnsw_k10.latency.p50), ms(s.hnsw_k10.latency.p95), f3(s.hnsw_k10.recall_at_10), `${s.hnsw_build_s} s`],
    [label, 'HNSW k=240 (ef 240, as retrieval calls it)', ms(s.hnsw_k240.latency.p50), ms(s.hnsw_k240.latency.p95), f3(s.hnsw_k240.recall_at_10), ''],
  ];
}

export function vectorsTable(r: BenchResults): string {
  const v = r.vectors;
  if (!v) return 'not measured (--skip vectors, and no earlier result)';
  return table(
    ['vectors', 'search', 'p50 ms', 'p95 ms', 'recall@10', 'index build'],
    [
      ...vectorRows(v.full, `${v.full.vectors.toLocaleString('en')} (${v.full.real.toLocaleString('en')} real)`),
      ...vectorRows(v.real_only, `${v.real_only.vectors.toLocaleString('en')} (all real)`),
    ],
    ['l', 'l', 'r', 'r', 'r', 'r'],
  );
}

export function qualityTable(r: BenchResults): string {
  if (!r.quality) return 'not measured (--skip quality, and no earlier result)';
  const rows: (string | number)[][] = [];
  const q = r.quality;
  for (const split of Object.keys(q.queries)) {
    for (const s of q.systems) {
      const k = s.ranking[split]!;
      const g = s.gate?.[split];
      rows.push([
        s.name,
        `${split} (${q.queries[split]!.total})`,
        f3(k.recall_at_1),
        f3(k.recall_at_5),
        f3(k.mrr_at_10),
        g ? f3(g.answered_precision) : 'no gate',
        g ? f3(g.coverage) : 'no gate',
        g ? f3(g.oos_escalated_rate) : 'no gate',
        ms(s.latency.p50),
        ms(s.latency.p95),
      ]);
    }
  }
  return table(
    ['system', 'split (queries)', 'recall@1', 'recall@5', 'MRR@10', 'answered precision', 'coverage', 'out-of-scope escalated', 'p50 ms', 'p95 ms'],
    rows,
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

export function buildsTable(r: BenchResults): string {
  const row = (label: string, b: BuildMeasure) =>
    b.stand_in !== undefined
      ? [label, b.articles, b.texts, `0 (${b.stand_in} stand-ins)`, b.seconds, b.articles_per_s, '–']
      : [label, b.articles, b.texts, b.embedded, b.seconds, b.articles_per_s, b.embedded > 0 ? b.embedded_per_s : '–'];
  const q = r.quality?.builds;
  return table(
    ['build', 'articles', 'texts', 'embedded', 'seconds', 'articles/s', 'embedded texts/s'],
    [
      ...(q
        ? [row('shipped KB, cold (empty cache)', q.cold), row('shipped KB, warm (cache hit, index rebuilt)', q.warm), row('shipped KB, restart (index loaded)', q.restart)]
        : []),
      ...r.knowledge_bases.map((kb) =>
        row(
          `generated ${kb.build.articles}, ${kb.stand_in_vectors ? 'STAND-IN vectors (index built, nothing embedded)' : kb.build.embedded === 0 ? 'warm (cache hit, index rebuilt)' : 'filling the cache'}${when(kb.measured_at)}`,
          kb.build,
        ),
      ),
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

/** " (measured 2026-11-22)" for a result carried over from an earlier run. */
const when = (at: string | undefined) => (at ? ` (measured ${at.slice(0, 10)})` : '');
const size = (k: KnowledgeBaseResult) => `${k.build.articles.toLocaleString('en')}${k.stand_in_vectors ? ' (stand-in vectors)' : ''}`;

/** Issue 20's table: each measure next to its target. */
export function targetsTable(r: BenchResults): string {
  const kbs = (n: number) => r.knowledge_bases.filter((k) => k.build.articles === n);
  const withLatency = r.knowledge_bases.filter((k) => k.latency);
  const ratioRows = [1000, 10000, 50000].map((n) => {
    const found = kbs(n).filter((k) => k.latency);
    return [
      `engine p95 / floor at ${n.toLocaleString('en')} articles`,
      found.length
        ? found.map((k) => `${k.latency!.p95_ratio}× (${ms(k.latency!.engine.p95)} ms vs ${ms(k.latency!.floor.p95)} ms; decide p50 ${ms(k.latency!.engine.p50)} ms; load ${k.latency!.load_average?.join('–') ?? 'not recorded'})${k.stand_in_vectors ? ' STAND-IN article vectors, real query embedding' : ''}${when(k.measured_at)}`).join('; ')
        : 'not measured',
      '≤ 1.5×',
    ];
  });
  // Issue 20's sizes; a run on other sizes (a small try) shows its largest base instead.
  const rssBases = [1000, 10000, 50000].flatMap((n) => kbs(n));
  const largest = r.knowledge_bases[r.knowledge_bases.length - 1];
  const rssRows = (rssBases.length > 0 ? rssBases : largest ? [largest] : []).map((k) => {
    const n = k.build.articles;
    return [
      `RSS at ${size(k)} articles, build (peak) / serving / serving after a restart; index load (restart)`,
      `${Math.round(k.build_peak_rss_mb ?? k.peak_rss_mb)} MB / ${k.serving_rss_mb !== undefined ? `${k.serving_rss_mb} MB` : 'not recorded'} / ${k.restart_serving_rss_mb !== undefined ? `${k.restart_serving_rss_mb} MB` : 'not recorded'}; ${k.index_load_s !== undefined ? `${k.index_load_s} s` : '–'}${k.build.embedded > 0 && !k.stand_in_vectors ? ' (build embedded texts: workers alive)' : ''}${when(k.measured_at)}`,
      n === 10000 ? 'build ≤ 1,000 MB, serving ≤ 600 MB' : '–',
    ];
  });
  const quality = r.quality;
  const filling = [
    ...(quality && quality.builds.cold.embedded > 0 ? [{ label: `shipped KB cold${when(quality.measured_at)}`, b: quality.builds.cold }] : []),
    ...r.knowledge_bases.filter((k) => !k.stand_in_vectors && k.build.embedded > 0).map((k) => ({ label: `${size(k)} articles${when(k.measured_at)}`, b: k.build })),
  ];
  const load = r.load;
  const loadCell = load
    ? `web p50 / p95 / p99 ${[load.web?.latency.p50, load.web?.latency.p95, load.web?.latency.p99].map((x) => (x === undefined ? '–' : (x / 1000).toFixed(1))).join(' / ')} s (${load.web?.failed ?? '–'} of ${load.web?.sent ?? '–'} failed); Bot Framework ${[load.teams?.latency.p50, load.teams?.latency.p95, load.teams?.latency.p99].map((x) => (x === undefined ? '–' : (x / 1000).toFixed(1))).join(' / ')} s (${load.teams?.failed ?? '–'} of ${load.teams?.sent ?? '–'} failed): **${load.p99_ratio ?? '–'}×**; load ${load.web?.load_average_at_start ?? '–'}/${load.teams?.load_average_at_start ?? '–'} at start; \`${load.command}\` (${load.source === 'run' ? 'run by this bench' : 'read from its file'}, ${load.measured_at.slice(0, 16)})`
    : 'not measured (`npm run load -- --saturate --out bench/load-saturate.json`, then `npm run bench -- --load file`)';
  return table(
    ['measure', 'this run', 'target'],
    [
      [
        'query embedding (the floor), p50',
        withLatency.length ? withLatency.map((k) => `${ms(k.latency!.floor.p50)} ms wall, ${k.latency!.floor_cpu_ms_p50 !== undefined ? `${ms(k.latency!.floor_cpu_ms_p50)} ms CPU` : 'CPU not recorded'} (${size(k)}, load ${k.latency!.load_average?.join('–') ?? '–'}${when(k.measured_at)})`).join('; ') : '–',
        '≤ 8 ms',
      ],
      ...ratioRows,
      ...rssRows,
      ['cold indexing, embedded texts per second', filling.map(({ label, b }) => `${b.embedded_per_s} (${b.embedded} texts, ${label})`).join(', ') || 'everything came from the cache', '≥ 150'],
      ['Bot Framework p99 vs web chat p99, saturating load (100 users, no think time, each channel alone)', loadCell, '≤ 2× the web chat'],
    ],
    ['l', 'r', 'r'],
  );
}

export function headline(r: BenchResults): string[] {
  const largest = [...r.knowledge_bases].reverse().find((k) => k.latency);
  const out: string[] = [];
  if (largest?.latency) {
    out.push(`engine p95 / embedding floor at ${size(largest)} articles: ${largest.latency.p95_ratio}× (${ms(largest.latency.engine.p95)} ms vs ${ms(largest.latency.floor.p95)} ms)${when(largest.measured_at)}`);
  }
  if (r.vectors) {
    out.push(`HNSW vs exact scan at ${r.vectors.full.vectors.toLocaleString('en')} vectors: ${r.vectors.full.speedup_p50}× faster (p50), recall@10 ${f3(r.vectors.full.hnsw_k10.recall_at_10)}${when(r.vectors.measured_at)}`);
  }
  if (r.quality) {
    const product = r.quality.systems[0]!;
    const split = Object.keys(r.quality.queries).find((s) => s !== 'all') ?? 'all';
    const peers = r.quality.systems.slice(1).map((s) => `${s.name} ${f3(s.ranking[split]!.recall_at_1)}`).join(', ');
    out.push(`recall@1 on the ${split} split: helpdesk-bot ${f3(product.ranking[split]!.recall_at_1)} vs ${peers}${when(r.quality.measured_at)}`);
  }
  return out;
}

export function formatResults(r: BenchResults): string {
  const m = r.machine;
  return [
    `Machine: ${m.cpus} × ${m.cpu_model}, ${m.memory_gb} GB, Node ${m.node}, ${m.os}; run took ${r.duration_s} s; load average at the end ${m.load_average_at_end?.join(' ') ?? '–'}`,
    `Phases run now: ${r.phases_run?.join(', ') || 'none'}; anything else is carried over from the previous results file, with the date it was measured.`,
    ...(r.knowledge_bases.some((k) => k.stand_in_vectors)
      ? ['STAND-IN: the bases marked "stand-in vectors" have article vectors made of real USE vectors mixed by word (not embedded: hours here); the questions are embedded by the real model. Their latency, RSS and index load are representative, their quality is not.']
      : []),
    '',
    '## Targets (issue 20)',
    targetsTable(r),
    '',
    '## Decision latency (ms, no LLM)',
    latencyTable(r),
    '',
    '## Vector search',
    vectorsTable(r),
    '',
    '## Quality on the dev set',
    qualityTable(r),
    '',
    '## Index builds',
    buildsTable(r),
    '',
    ...headline(r).map((h) => `- ${h}`),
  ].join('\n');
}
