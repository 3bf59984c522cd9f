import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDevSet, selectSplit, type LabelledQuery } from '../engine/eval/dev-set.js';
import type { Metrics } from '../engine/eval/metrics.js';
import { evaluateQueries, familyKeyOf, report } from '../engine/eval/run.js';
import { loadKnowledgeBase } from '../engine/knowledge/loader.js';
import { articleEntries } from '../engine/retrieval/entries.js';
import { SqliteEmbeddingCache } from '../storage/sqlite/embedding-cache.js';
import { openEmbeddingCache } from '../storage/factory.js';
import { openTimed, type BuildMeasure, type Progress } from './knowledge-phase.js';
import { miniSearchPeer, oramaPeer, type Peer } from './peers.js';
import { rankingMetrics, type RankingMetrics } from '../engine/eval/ranking.js';
import { peakRssMb, summarizeLatency, timed, type LatencySummary } from './stats.js';

/**
 * The shipped knowledge base: its index built cold (empty cache), warm (cache hit, index
 * rebuilt) and on restart (index loaded), then the dev set run through the product's decision
 * code (`helpdesk eval`'s evaluateQueries) and through MiniSearch and Orama on the same articles.
 */

export type GateMetrics = Pick<Metrics, 'answered' | 'answered_precision' | 'coverage' | 'clarified' | 'oos_escalated_rate' | 'decision_accuracy'>;

export interface SystemQuality {
  name: string;
  description: string;
  /** Split name → ranking metrics on its answerable queries. */
  ranking: Record<string, RankingMetrics>;
  /** Only the product decides; the peers have no gate. */
  gate?: Record<string, GateMetrics>;
  latency: LatencySummary;
}

export interface QualityPhaseResult {
  queries: Record<string, { total: number; answerable: number; out_of_scope: number }>;
  systems: SystemQuality[];
  builds: { cold: BuildMeasure; warm: BuildMeasure; restart: BuildMeasure };
  peak_rss_mb: number;
}

export interface QualityPhaseInput {
  kbDir: string;
  queriesFile: string;
  /** Splits reported besides "all". */
  splits: string[];
  /**
   * The benchmark's shared embedding cache: the shipped articles' vectors are copied there once
   * measured cold, so the generated bases (which contain the shipped articles) do not embed them again.
   */
  shareCacheFile?: string;
}

const WARMUP = 20;

const pickGate = (m: Metrics): GateMetrics => ({
  answered: m.answered,
  answered_precision: m.answered_precision,
  coverage: m.coverage,
  clarified: m.clarified,
  oos_escalated_rate: m.oos_escalated_rate,
  decision_accuracy: m.decision_accuracy,
});

async function runPeer(peer: Peer, splits: Record<string, LabelledQuery[]>, all: LabelledQuery[], familyOf: (id: string) => string): Promise<SystemQuality> {
  const ranked = new Map<string, string[]>();
  const ms: number[] = [];
  for (const q of all.slice(0, WARMUP)) await peer.search(q.query);
  for (const q of all) {
    const { value, ms: t } = await timed(() => peer.search(q.query));
    ranked.set(q.id, value);
    ms.push(t);
  }
  const ranking = Object.fromEntries(
    Object.entries(splits).map(([name, qs]) => [name, rankingMetrics(qs.map((q) => ({ expected: q.expected, ranked: ranked.get(q.id) ?? [] })), familyOf)]),
  );
  return { name: peer.name, description: peer.description, ranking, latency: summarizeLatency(ms) };
}

export async function runQualityPhase(input: QualityPhaseInput, progress: Progress): Promise<QualityPhaseResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-bench-quality-'));
  try {
    const label = 'shipped knowledge';
    progress(`${label}: cold build (empty embedding cache)`);
    const cold = await openTimed({ label, kbDir: input.kbDir, dataDir, rebuildIndex: true }, progress);
    await cold.runtime.close();
    progress(`${label}: cold ${cold.build.seconds} s; warm build (cache hit, index rebuilt)`);
    const warm = await openTimed({ label, kbDir: input.kbDir, dataDir, rebuildIndex: true }, progress);
    await warm.runtime.close();
    const { runtime, build: restart } = await openTimed({ label, kbDir: input.kbDir, dataDir, rebuildIndex: false }, progress);
    progress(`${label}: warm ${warm.build.seconds} s, restart ${restart.seconds} s`);
    try {
      const embedder = runtime.embedder;
      if (!embedder) throw new Error('the quality phase needs the embedder');
      const all = readDevSet(input.queriesFile);
      const splits: Record<string, LabelledQuery[]> = { all };
      for (const s of input.splits) splits[s] = selectSplit(all, s as never);

      progress(`dev set: ${all.length} queries through the product's decision code`);
      const service = runtime.service;
      // Not timed: the first calls pay for JIT compilation and lazy initialisation.
      for (const q of all.slice(0, WARMUP)) await service.decide(q.query);
      const decideMs: number[] = [];
      const { rows } = await evaluateQueries(
        {
          decide: async (q) => {
            const { value, ms } = await timed(() => service.decide(q));
            decideMs.push(ms);
            return value;
          },
          family: (id) => service.family(id),
        },
        all,
      );
      const familyOf = familyKeyOf(service);
      const inSplit = (qs: LabelledQuery[]) => {
        const ids = new Set(qs.map((q) => q.id));
        return rows.filter((r) => ids.has(r.query.id));
      };
      const productRanking: Record<string, RankingMetrics> = {};
      const productGate: Record<string, GateMetrics> = {};
      for (const [name, qs] of Object.entries(splits)) {
        const s = report(inSplit(qs), familyOf).summary;
        productRanking[name] = { answerable: s.answerable, recall_at_1: s.recall_at_1, recall_at_5: s.recall_at_5, mrr_at_10: s.mrr_at_10 };
        productGate[name] = pickGate(s);
      }
      const product: SystemQuality = {
        name: 'helpdesk-bot',
        description: 'this product: hybrid USE + BM25 retrieval per article family, calibrated ranker and gate (KnowledgeService.decide)',
        ranking: productRanking,
        gate: productGate,
        latency: summarizeLatency(decideMs),
      };

      const kb = loadKnowledgeBase(input.kbDir);
      const entries = kb.articles.flatMap(articleEntries);
      const cache = openEmbeddingCache(dataDir);
      const vectors = await cache.getMany(embedder.provider, embedder.model, [...new Set(entries.map((e) => e.hash))]);
      cache.close();
      if (input.shareCacheFile) {
        const shared = SqliteEmbeddingCache.open(input.shareCacheFile);
        try {
          await shared.putMany(embedder.provider, embedder.model, [...vectors].map(([hash, vector]) => ({ hash, vector })));
        } finally {
          shared.close();
        }
      }
      const peers = [miniSearchPeer(kb.articles), await oramaPeer({ entries, vectors, titles: new Map(kb.articles.map((a) => [a.id, a.title])), embedder })];
      const systems = [product];
      for (const peer of peers) {
        progress(`dev set: ${peer.name}`);
        systems.push(await runPeer(peer, splits, all, familyOf));
      }
      const queries = Object.fromEntries(
        Object.entries(splits).map(([name, qs]) => {
          const answerable = qs.filter((q) => q.expected.length > 0).length;
          return [name, { total: qs.length, answerable, out_of_scope: qs.length - answerable }];
        }),
      );
      return { queries, systems, builds: { cold: cold.build, warm: warm.build, restart }, peak_rss_mb: peakRssMb() };
    } finally {
      await runtime.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
