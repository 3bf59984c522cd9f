/**
 * Assigns the `split` of every question of a third-party question file, deterministically, and
 * rewrites the file in place:
 *
 *   npx tsx scripts/third-party/assign-splits.ts eval/third-party/questions/<source>.jsonl
 *
 * Procedure (documented in eval/third-party/README.md): questions are grouped by (first expected
 * article id, or "escalate" when `expected` is empty; language). Within a group, in id order, they
 * alternate between `calibration` and `report`. The first item of a group goes to `calibration`
 * when the FNV-1a 32-bit hash of the group key ("<article id or escalate>|<lang>") is even, to
 * `report` when it is odd, so groups of odd size lean either way. A question's split depends only
 * on its group and its rank in it: running it again gives the same result, and appending questions
 * (new, higher ids) never moves a question that already had a split.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface Question {
  id: string;
  lang: string;
  expected: string[];
  split: string;
  [key: string]: unknown;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: npx tsx scripts/third-party/assign-splits.ts <questions.jsonl>');
  process.exit(2);
}
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
const questions = lines.map((l) => JSON.parse(l) as Question);

const groups = new Map<string, Question[]>();
for (const q of [...questions].sort((a, b) => a.id.localeCompare(b.id))) {
  const key = `${q.expected[0] ?? 'escalate'}\u0000${q.lang}`;
  const group = groups.get(key) ?? [];
  group.push(q);
  groups.set(key, group);
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const counts = new Map<string, { calibration: number; report: number }>();
for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
  const kind = `${key.startsWith('escalate\u0000') ? 'escalate' : 'answerable'}/${group[0]!.lang}`;
  const c = counts.get(kind) ?? { calibration: 0, report: 0 };
  let next: 'calibration' | 'report' =
    fnv1a(key.replace('\u0000', '|')) % 2 === 0 ? 'calibration' : 'report';
  for (const q of group) {
    q.split = next;
    c[next]++;
    next = next === 'calibration' ? 'report' : 'calibration';
  }
  counts.set(kind, c);
}

writeFileSync(file, questions.map((q) => JSON.stringify(q)).join('\n') + '\n');
for (const [kind, c] of [...counts].sort()) console.log(`${kind}: calibration ${c.calibration}, report ${c.report}`);
