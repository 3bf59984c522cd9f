/**
 * Assigns the `split` of every question of a third-party question file, deterministically, and
 * rewrites the file in place:
 *
 *   npx tsx scripts/third-party/assign-splits.ts eval/third-party/questions/<source>.jsonl
 *
 * Procedure (documented in eval/third-party/README.md): questions are grouped by (first expected
 * article id, or "escalate" when `expected` is empty; language). Within a group, in id order, they
 * alternate between `calibration` and `report`. The first item of a group goes to whichever split
 * has fewer items so far of the same kind (answerable / escalate) and language, ties to
 * `calibration`; so every odd group leans the other way from the previous one. Running it again
 * gives the same result; adding questions only moves questions of the groups that grew.
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

const counts = new Map<string, { calibration: number; report: number }>();
for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
  const kind = `${key.startsWith('escalate\u0000') ? 'escalate' : 'answerable'}/${group[0]!.lang}`;
  const c = counts.get(kind) ?? { calibration: 0, report: 0 };
  let next: 'calibration' | 'report' = c.report < c.calibration ? 'report' : 'calibration';
  for (const q of group) {
    q.split = next;
    c[next]++;
    next = next === 'calibration' ? 'report' : 'calibration';
  }
  counts.set(kind, c);
}

writeFileSync(file, questions.map((q) => JSON.stringify(q)).join('\n') + '\n');
for (const [kind, c] of [...counts].sort()) console.log(`${kind}: calibration ${c.calibration}, report ${c.report}`);
