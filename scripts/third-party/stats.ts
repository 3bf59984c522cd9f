/**
 * Prints the counts of a third-party question file as Markdown tables (for the README):
 *
 *   npx tsx scripts/third-party/stats.ts eval/third-party/questions/<source>.jsonl [knowledge dir]
 *
 * With a knowledge folder it also checks that every expected id is an article there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Question {
  id: string;
  lang: string;
  expected: string[];
  split: string;
  label_by: string;
  translated: boolean;
  kind: string;
}

const [, , file, kbDir] = process.argv;
if (!file) {
  console.error('usage: npx tsx scripts/third-party/stats.ts <questions.jsonl> [knowledge dir]');
  process.exit(2);
}
const questions = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Question);

function count(pred: (q: Question) => boolean): number {
  return questions.filter(pred).length;
}

console.log('| | lang | label_by | calibration | report | total |');
console.log('|---|---|---|---:|---:|---:|');
for (const kind of ['answerable', 'escalate'] as const) {
  for (const lang of ['en', 'fr']) {
    for (const label of ['third-party', 'team']) {
      const match = (q: Question) => (q.expected.length > 0) === (kind === 'answerable') && q.lang === lang && q.label_by === label;
      const total = count(match);
      if (total === 0) continue;
      console.log(`| ${kind} | ${lang} | ${label} | ${count((q) => match(q) && q.split === 'calibration')} | ${count((q) => match(q) && q.split === 'report')} | ${total} |`);
    }
  }
}
console.log(`| **all** | | | ${count((q) => q.split === 'calibration')} | ${count((q) => q.split === 'report')} | ${questions.length} |`);
console.log('');
const kinds = ['short', 'long', 'vague'].map((k) => `${k} ${count((q) => q.kind === k)}`).join(', ');
console.log(`kind: ${kinds}; translated: ${count((q) => q.translated)}; French answerable with only an English article: ${count((q) => q.lang === 'fr' && q.expected.length > 0)}`);

if (kbDir) {
  const ids = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.md')) ids.add(e.name.replace(/\.md$/, ''));
    }
  };
  walk(kbDir);
  const missing = questions.flatMap((q) => q.expected.filter((id) => !ids.has(id)).map((id) => `${q.id}: ${id}`));
  if (missing.length > 0) {
    console.error(`expected ids without an article:\n${missing.join('\n')}`);
    process.exit(1);
  }
  console.log(`all expected ids are articles of ${kbDir}`);
}
