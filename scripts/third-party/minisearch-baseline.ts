/**
 * The MiniSearch (BM25) baseline on a third-party question file, set up exactly as the benchmark's
 * peer (src/engine/eval/baseline.ts: one document per article, title/body boosts, prefix + fuzzy 0.2) and
 * scored with the benchmark's ranking metrics, per split and language:
 *
 *   npx tsx scripts/third-party/minisearch-baseline.ts eval/third-party/knowledge eval/third-party/questions/<source>.jsonl
 *
 * MiniSearch only ranks (it never escalates), so only recall@1, recall@5 and MRR@10 on the
 * answerable questions are reported. No embeddings, no network; runs in a few seconds.
 */
import { miniSearchPeer } from '../../src/engine/eval/baseline.js';
import { rankingMetrics } from '../../src/engine/eval/ranking.js';
import { readDevSet } from '../../src/engine/eval/dev-set.js';
import { loadKnowledgeBase } from '../../src/engine/knowledge/loader.js';

const [, , kbDir, ...files] = process.argv;
if (!kbDir || files.length === 0) {
  console.error('usage: npx tsx scripts/third-party/minisearch-baseline.ts <knowledge dir> <questions.jsonl>...');
  process.exit(2);
}

const kb = loadKnowledgeBase(kbDir);
const peer = miniSearchPeer(kb.articles);
// A translation counts as its original, as in `helpdesk eval`.
const familyOf = (id: string): string => kb.byId.get(id)?.translationOf ?? id;

const questions = files.flatMap((f) => readDevSet(f));
const ranked = new Map<string, string[]>();
for (const q of questions) ranked.set(q.id, await peer.search(q.query));

console.log(`MiniSearch baseline: ${kb.articles.length} articles, ${questions.length} questions`);
console.log('| split | lang | answerable | recall_at_1 | recall_at_5 | mrr_at_10 |');
console.log('|---|---|---:|---:|---:|---:|');
for (const split of ['calibration', 'report', 'all']) {
  for (const lang of ['en', 'fr', 'all']) {
    const qs = questions.filter((q) => (split === 'all' || q.split === split) && (lang === 'all' || q.lang === lang));
    const m = rankingMetrics(qs.map((q) => ({ expected: q.expected, ranked: ranked.get(q.id) ?? [] })), familyOf);
    if (m.answerable === 0) continue;
    console.log(`| ${split} | ${lang} | ${m.answerable} | ${m.recall_at_1.toFixed(3)} | ${m.recall_at_5.toFixed(3)} | ${m.mrr_at_10.toFixed(3)} |`);
  }
}
