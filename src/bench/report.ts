import type { BuildMeasure } from './knowledge-phase.js';
import type { BenchResults } from './run.js';
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
    ['knowledge base', 'texts indexed', 'decide p50', 'p95', 'p99', 'embedding floor p50', 'p95', 'p99', 'floor CPU p50', 'p95 engine / floor', 'load average', 'RSS build (peak)', 'RSS serving', 'index load'],
    r.knowledge_bases.map((kb) => {
      const l = kb.latency;
      return [
        `${kb.build.articles} articles`,
        kb.build.texts,
        ...(l
          ? [ms(l.engine.p50), ms(l.engine.p95), ms(l.engine.p99), ms(l.floor.p50), ms(l.floor.p95), ms(l.floor.p99), l.floor_cpu_ms_p50 !== undefined ? ms(l.floor_cpu_ms_p50) : '–', `${l.p95_ratio}×`, l.load_average ? l.load_average.join('–') : '–']
          : ['–', '–', '–', '–', '–', '–', '–', '–', '–']),
        `${Math.round(kb.build_peak_rss_mb ?? kb.peak_rss_mb)} MB`,
        kb.serving_rss_mb !== undefined ? `${kb.serving_rss_mb} MB` : '–',
        kb.index_load_s !== undefined ? `${kb.index_load_s} s` : '–',
      ];
    }),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
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
  const rows: (string | number)[][] = [];
  for (const split of Object.keys(r.quality.queries)) {
    for (const s of r.quality.systems) {
      const k = s.ranking[split]!;
      const g = s.gate?.[split];
      rows.push([
        s.name,
        `${split} (${r.quality.queries[split]!.total})`,
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
  const row = (label: string, b: BuildMeasure) => [label, b.articles, b.texts, b.embedded, b.seconds, b.articles_per_s, b.embedded > 0 ? b.embedded_per_s : '–'];
  const q = r.quality.builds;
  return table(
    ['build', 'articles', 'texts', 'embedded', 'seconds', 'articles/s', 'embedded texts/s'],
    [
      row('shipped KB, cold (empty cache)', q.cold),
      row('shipped KB, warm (cache hit, index rebuilt)', q.warm),
      row('shipped KB, restart (index loaded)', q.restart),
      ...r.knowledge_bases.map((kb) => row(`generated ${kb.build.articles}, ${kb.build.embedded === 0 ? 'warm (cache hit, index rebuilt)' : 'filling the cache'}`, kb.build)),
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

/** Issue 20's table: each measure next to its target. */
export function targetsTable(r: BenchResults): string {
  const kb = (n: number) => r.knowledge_bases.find((k) => k.build.articles === n);
  const ten = kb(10000) ?? r.knowledge_bases[r.knowledge_bases.length - 1];
  const floors = r.knowledge_bases.flatMap((k) => (k.latency ? [k.latency.floor.p50] : []));
  const cpuFloors = r.knowledge_bases.flatMap((k) => (k.latency?.floor_cpu_ms_p50 !== undefined ? [k.latency.floor_cpu_ms_p50] : []));
  const ratioRow = (n: number) => {
    const k = kb(n);
    return [`engine p95 / floor at ${n.toLocaleString('en')} articles`, k?.latency ? `${k.latency.p95_ratio}× (${ms(k.latency.engine.p95)} ms vs ${ms(k.latency.floor.p95)} ms)` : 'not measured in this run', '≤ 1.5×'];
  };
  const filling = [r.quality.builds.cold, ...r.knowledge_bases.map((k) => k.build)].filter((b) => b.embedded > 0);
  return table(
    ['measure', 'this run', 'target'],
    [
      ['query embedding (the floor), p50', floors.length ? `${floors.map(ms).join(' / ')} ms wall, ${cpuFloors.map(ms).join(' / ')} ms CPU` : '–', '≤ 8 ms'],
      ratioRow(1000),
      ratioRow(10000),
      ratioRow(50000),
      [
        `RSS at ${ten ? ten.build.articles.toLocaleString('en') : '?'} articles, build (peak) / serving`,
        ten ? `${Math.round(ten.build_peak_rss_mb ?? ten.peak_rss_mb)} MB / ${ten.serving_rss_mb ?? '–'} MB` : '–',
        'build ≤ 1,000 MB, serving ≤ 600 MB',
      ],
      ['cold indexing, embedded texts per second', filling.map((b) => `${b.embedded_per_s} (${b.embedded} texts)`).join(', ') || 'everything came from the cache', '≥ 150'],
      ['Bot Framework p99 vs web chat p99, saturating load', '`npm run load -- --saturate` (its own run)', '≤ 2× the web chat'],
    ],
    ['l', 'r', 'r'],
  );
}

export function headline(r: BenchResults): string[] {
  const largest = r.knowledge_bases[r.knowledge_bases.length - 1];
  const product = r.quality.systems[0]!;
  const split = Object.keys(r.quality.queries).find((s) => s !== 'all') ?? 'all';
  const peers = r.quality.systems.slice(1).map((s) => `${s.name} ${f3(s.ranking[split]!.recall_at_1)}`).join(', ');
  return [
    ...(largest?.latency
      ? [`engine p95 / embedding floor at ${largest.build.articles} articles: ${largest.latency.p95_ratio}× (${ms(largest.latency.engine.p95)} ms vs ${ms(largest.latency.floor.p95)} ms)`]
      : []),
    `HNSW vs exact scan at ${r.vectors.full.vectors.toLocaleString('en')} vectors: ${r.vectors.full.speedup_p50}× faster (p50), recall@10 ${f3(r.vectors.full.hnsw_k10.recall_at_10)}`,
    `recall@1 on the ${split} split: helpdesk-bot ${f3(product.ranking[split]!.recall_at_1)} vs ${peers}`,
  ];
}

export function formatResults(r: BenchResults): string {
  const m = r.machine;
  return [
    `Machine: ${m.cpus} × ${m.cpu_model}, ${m.memory_gb} GB, Node ${m.node}, ${m.os}; run took ${r.duration_s} s; load average at the end ${m.load_average_at_end?.join(' ') ?? '–'}`,
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
