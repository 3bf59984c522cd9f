import { describe, expect, it } from 'vitest';
import { computeMetrics, type EvaluatedQuery } from '../../src/engine/eval/metrics.js';
import type { GateDecision } from '../../src/engine/ports/knowledge.js';
import { BruteForceIndex } from '../../src/engine/retrieval/vector-index.js';
import { createRandom } from '../../src/bench/random.js';
import { rankingMetrics } from '../../src/engine/eval/ranking.js';
import { percentile, summarizeLatency } from '../../src/bench/stats.js';
import { ExactScan, synthesise } from '../../src/bench/vectors-phase.js';

const unit = (r: ReturnType<typeof createRandom>, d: number) => {
  const v = Float32Array.from({ length: d }, () => r.gaussian());
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

describe('benchmark measures', () => {
  it('ranks peers with the same recall and MRR definitions as helpdesk eval', () => {
    const familyOf = (id: string) => id.replace(/-fr$/, '');
    const cases: Array<{ expected: string[]; ranked: string[] }> = [
      { expected: ['vpn'], ranked: ['vpn', 'wifi'] },
      { expected: ['vpn'], ranked: ['wifi-fr', 'vpn-fr'] },
      { expected: ['mail'], ranked: ['a', 'b', 'c', 'd', 'e', 'mail'] },
      { expected: ['printer'], ranked: ['a', 'b'] },
      { expected: [], ranked: ['wifi'] },
    ];
    const rows: EvaluatedQuery[] = cases.map((c, i) => ({
      query: { id: String(i), query: 'q', expected: c.expected },
      lang: 'en',
      decision: {
        kind: 'escalate',
        confidence: 0,
        explanation: '',
        queryLang: 'en',
        features: {},
        candidates: c.ranked.map((articleId) => ({ articleId, lang: 'en', title: articleId, score: 0 })),
      } satisfies GateDecision,
    }));
    const product = computeMetrics(rows, familyOf);
    expect(rankingMetrics(cases, familyOf)).toEqual({
      answerable: product.answerable,
      recall_at_1: product.recall_at_1,
      recall_at_5: product.recall_at_5,
      mrr_at_10: product.mrr_at_10,
    });
    // A family listed twice (an article and its translation) counts once, at its best rank.
    expect(rankingMetrics([{ expected: ['mail'], ranked: ['vpn', 'vpn-fr', 'mail'] }], familyOf).mrr_at_10).toBe(0.5);
  });

  it('scans exactly: the same neighbours as the engine brute-force index', () => {
    const r = createRandom(3);
    const vectors = Array.from({ length: 500 }, () => unit(r, 32));
    const scan = new ExactScan(vectors, 32);
    const reference = new BruteForceIndex(vectors.map((vector, i) => ({ key: String(i), vector })));
    for (let q = 0; q < 20; q++) {
      const query = unit(r, 32);
      expect(scan.search(query, 10)).toEqual(reference.search(query, 10).map((h) => Number(h.key)));
    }
  });

  it('synthesises unit vectors close to the topic they come from, deterministically', () => {
    const r = createRandom(5);
    const centres = [unit(r, 64), unit(r, 64)];
    const real = Array.from({ length: 40 }, (_, i) => {
      const c = centres[i % 2]!;
      const v = c.map((x) => x + 0.1 * r.gaussian());
      const n = Math.hypot(...v);
      return { topic: `t${i % 2}`, vector: v.map((x) => x / n) };
    });
    const a = synthesise(real, 100, 9);
    expect(a).toHaveLength(100);
    expect(synthesise(real, 100, 9)).toEqual(a);
    for (const v of a) {
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
      const best = Math.max(...centres.map((c) => c.reduce((s, x, j) => s + x * v[j]!, 0)));
      // Random directions in 64 dimensions have |cos| around 0.12.
      expect(best).toBeGreaterThan(0.5);
    }
  });

  it('reports nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(samples, 50), percentile(samples, 95), percentile(samples, 99)]).toEqual([50, 95, 99]);
    expect(summarizeLatency([5, 1, 3])).toEqual({ n: 3, mean: 3, p50: 3, p95: 5, p99: 5, max: 5 });
    expect(summarizeLatency([])).toMatchObject({ n: 0, p50: 0 });
  });
});
