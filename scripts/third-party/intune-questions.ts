/**
 * Generates eval/third-party/questions/intune.jsonl from the collected record
 * eval/third-party/sources/intune-questions.yaml (append-only, in collection order):
 *
 *   npx tsx scripts/third-party/intune-questions.ts [--check]
 *
 * Ids follow the record's order (intune-q0001, …). Splits are fixed by a rule that only looks at earlier
 * entries, so appending questions never moves an existing one: questions are grouped into strata by
 * (first expected article, or "escalate", × language); strata get a start side by their order of first
 * appearance (1st stratum starts with calibration, 2nd with report, …); inside a stratum, questions
 * alternate from that start. `--check` also verifies that every expected id exists in the articles.
 */
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const SOURCE = 'intune';
const RECORD = 'eval/third-party/sources/intune-questions.yaml';
const OUT = `eval/third-party/questions/${SOURCE}.jsonl`;
const KB = `eval/third-party/knowledge/${SOURCE}`;

const entrySchema = z
  .object({
    query: z.string().min(1),
    lang: z.enum(['en', 'fr']),
    expected: z.array(z.string().regex(/^[a-z0-9-]+$/)),
    source_url: z.string().url(),
    label_by: z.enum(['third-party', 'team']),
    label_reason: z.string().min(1),
    kind: z.enum(['short', 'long', 'vague']),
    translated: z.boolean().default(false),
  })
  .strict();

export type Split = 'calibration' | 'report';

/** Split of each entry, in order; depends only on entries before it. */
export function assignSplits(entries: readonly { expected: readonly string[]; lang: string }[]): Split[] {
  const seen = new Map<string, { start: number; count: number }>();
  return entries.map((e) => {
    const key = `${e.expected[0] ?? 'escalate'}|${e.lang}`;
    let s = seen.get(key);
    if (!s) {
      s = { start: seen.size % 2, count: 0 };
      seen.set(key, s);
    }
    const side = (s.start + s.count) % 2;
    s.count++;
    return side === 0 ? 'calibration' : 'report';
  });
}

function main(): void {
  const raw = parse(readFileSync(RECORD, 'utf8')) as unknown;
  const entries = z.array(entrySchema).parse(raw);
  const splits = assignSplits(entries);
  const lines = entries.map((e, i) =>
    JSON.stringify({
      id: `${SOURCE}-q${String(i + 1).padStart(4, '0')}`,
      query: e.query,
      lang: e.lang,
      expected: e.expected,
      split: splits[i],
      source: SOURCE,
      source_url: e.source_url,
      label_by: e.label_by,
      label_reason: e.label_reason,
      translated: e.translated,
      kind: e.kind,
    }),
  );
  if (process.argv.includes('--check')) {
    const ids = new Set(
      ['en', 'fr'].flatMap((l) => readdirSync(join(KB, l)).map((f) => f.replace(/\.md$/, ''))),
    );
    const missing = entries.flatMap((e, i) => e.expected.filter((x) => !ids.has(x)).map((x) => `#${i + 1}: ${x}`));
    if (missing.length > 0) {
      console.error(`unknown article ids:\n${missing.join('\n')}`);
      process.exit(1);
    }
    const seen = new Set<string>();
    entries.forEach((e, i) => {
      const k = `${e.lang}|${e.query}`;
      if (seen.has(k)) console.error(`warning: #${i + 1} repeats an earlier question`);
      seen.add(k);
    });
  }
  writeFileSync(OUT, lines.join('\n') + '\n');
  const count = (f: (e: (typeof entries)[number], s: Split) => boolean): number => entries.filter((e, i) => f(e, splits[i]!)).length;
  console.log(`${OUT}: ${entries.length} questions`);
  for (const ans of [true, false])
    for (const lang of ['en', 'fr'])
      for (const split of ['calibration', 'report'] as const)
        for (const by of ['third-party', 'team'])
          console.log(
            `  ${ans ? 'answerable' : 'escalate  '} ${lang} ${split.padEnd(11)} ${by.padEnd(11)} ${count((e, s) => (e.expected.length > 0) === ans && e.lang === lang && s === split && e.label_by === by)}`,
          );
}

main();
