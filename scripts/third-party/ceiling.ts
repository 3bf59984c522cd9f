/**
 * How far better weights could take the bot on someone else's knowledge: the ranker and the gate
 * refitted by cross-validation on the REAL questions of the third-party calibration split (labels
 * a new desk does not have), with the bot's own features, next to the bot's zero-label models on
 * the same questions. If even these fits stay far below issue 14's bars, the bars need better
 * signals, not better weights.
 *
 *   npx tsx scripts/third-party/ceiling.ts [--data DIR]
 *
 * Default embedder, no language model; the zero-label calibration is computed (or read from the
 * cache in DATA_DIR) as `helpdesk eval` does. The report split is never read.
 */
import { createHash } from 'node:crypto';
import { readQueryFiles, selectSplit } from '../../src/engine/eval/dev-set.js';
import { gateFeatures, GATE_FEATURES } from '../../src/engine/gate/features.js';
import { fitLogistic, predict } from '../../src/engine/gate/logistic.js';
import { CANDIDATE_FEATURES, rerank, type Retrieval } from '../../src/engine/retrieval/retrieve.js';
import { openKnowledge } from '../../src/cli/knowledge.js';

const FOLDS = 5;
const dataFlag = process.argv.indexOf('--data');
const data = dataFlag > 0 ? process.argv[dataFlag + 1] : undefined;

const runtime = await openKnowledge({ kb: 'eval/third-party/knowledge', ...(data ? { data } : {}) }, { autoCalibrate: true });
const service = runtime.service;
const familyOf = (id: string) => service.family(id)[0] ?? id;
const queries = selectSplit(readQueryFiles(['eval/third-party/questions']), 'calibration');
const fold = (id: string) => parseInt(createHash('sha256').update(id).digest('hex').slice(0, 8), 16) % FOLDS;

interface Asked {
  id: string;
  fold: number;
  expected: Set<string>;
  retrieval: Retrieval;
  served: { confidence: number; top?: string };
}
const asked: Asked[] = [];
for (const q of queries) {
  const run = await service.retrieve(q.query);
  const decision = service.decideOn(run);
  asked.push({ id: q.id, fold: fold(q.id), expected: new Set(q.expected.map(familyOf)), retrieval: run.retrieval, served: { confidence: decision.confidence, top: decision.candidates[0] && familyOf(decision.candidates[0].articleId) } });
}
const answerable = asked.filter((a) => a.expected.size > 0);
const share = (n: number, of: number) => (of ? n / of : 0).toFixed(3);

// Ranking: the zero-label ranker as served, and a ranker fitted on the other folds' real questions.
const rankOf = (r: Retrieval, a: Asked) => r.candidates.findIndex((c) => a.expected.has(c.family));
const cvRanked = new Map<string, Retrieval>();
for (let f = 0; f < FOLDS; f++) {
  const train = answerable.filter((a) => a.fold !== f);
  const rows = train.flatMap((a) => a.retrieval.candidates.map((c) => ({ ...c.features })));
  const labels = train.flatMap((a) => a.retrieval.candidates.map((c) => (a.expected.has(c.family) ? 1 : 0)));
  const ranker = fitLogistic(CANDIDATE_FEATURES, rows, labels);
  for (const a of asked.filter((x) => x.fold === f)) cvRanked.set(a.id, rerank(a.retrieval, ranker));
}
const at = (k: number, ranks: number[]) => ranks.filter((r) => r >= 0 && r < k).length;
const servedRanks = answerable.map((a) => rankOf(a.retrieval, a));
const cvRanks = answerable.map((a) => rankOf(cvRanked.get(a.id)!, a));
const anywhere = answerable.filter((a) => rankOf(a.retrieval, a) >= 0).length;

// Gate: the bot's confidence, and a gate fitted on the other folds' real questions (is the CV ranker's top right?).
function bestCoverage(scored: { confidence: number; correct: boolean }[], precision = 0.85): string {
  const sorted = [...scored].sort((x, y) => y.confidence - x.confidence);
  let best = 0;
  let right = 0;
  sorted.forEach((s, i) => {
    if (s.correct) right++;
    if (i + 1 >= 5 && right / (i + 1) >= precision) best = Math.max(best, right / answerable.length);
  });
  return best.toFixed(3);
}
const servedGate = asked.map((a) => ({ confidence: a.served.confidence, correct: a.served.top !== undefined && a.expected.has(a.served.top) }));
const cvGate: { confidence: number; correct: boolean }[] = [];
const topRight = (a: Asked) => {
  const top = cvRanked.get(a.id)!.candidates[0];
  return top !== undefined && a.expected.has(top.family);
};
for (let f = 0; f < FOLDS; f++) {
  const train = asked.filter((a) => a.fold !== f && cvRanked.get(a.id)!.candidates.length > 0);
  const gate = fitLogistic(GATE_FEATURES, train.map((a) => ({ ...gateFeatures(cvRanked.get(a.id)!) })), train.map((a) => (topRight(a) ? 1 : 0)));
  for (const a of asked.filter((x) => x.fold === f)) {
    const r = cvRanked.get(a.id)!;
    cvGate.push({ confidence: r.candidates.length ? predict(gate, { ...gateFeatures(r) }) : 0, correct: topRight(a) });
  }
}

console.log(`third-party calibration split: ${asked.length} questions, ${answerable.length} answerable; ${FOLDS}-fold cross-validation by question`);
console.log('| | recall@1 | recall@5 | recall@10 | right article among the candidates | best coverage at precision ≥ 0.85 (≥ 5 answers) |');
console.log('|---|---:|---:|---:|---:|---:|');
console.log(`| the bot's zero-label ranker and gate | ${share(at(1, servedRanks), answerable.length)} | ${share(at(5, servedRanks), answerable.length)} | ${share(at(10, servedRanks), answerable.length)} | ${share(anywhere, answerable.length)} | ${bestCoverage(servedGate)} |`);
console.log(`| ranker and gate fitted on the real questions (out-of-fold) | ${share(at(1, cvRanks), answerable.length)} | ${share(at(5, cvRanks), answerable.length)} | ${share(at(10, cvRanks), answerable.length)} | ${share(anywhere, answerable.length)} | ${bestCoverage(cvGate)} |`);
await runtime.close();
