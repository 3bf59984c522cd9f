import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { LANGS } from '../lang.js';
import { ROUTES } from '../dialogue/routes.js';

/**
 * Labelled queries for `helpdesk eval` / `helpdesk calibrate`, one JSON object per line:
 * {"id","query","lang"?,"expected":[ids],"split"?}. `expected: []` means no article answers it
 * (it must escalate); an expected id also matches any translation of it. `route` (with
 * `expected: []`) marks a request that is not an IT problem and that the dialogue sends to a
 * portal instead (purchase, hr, facilities, off_topic): measured by the routing summary.
 */
export const SPLITS = ['calibration', 'report'] as const;
export type Split = (typeof SPLITS)[number];

export const labelledQuerySchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    query: z.string().min(1),
    lang: z.enum(LANGS).optional(),
    expected: z.array(z.string()),
    split: z.enum(SPLITS).optional(),
    route: z.enum(ROUTES).optional(),
    /** Where the question comes from (third-party sets), for the per-source breakdown. */
    source: z.string().min(1).optional(),
  })
  .passthrough()
  .refine((q) => q.route === undefined || q.expected.length === 0, { message: 'a query with a route expects no article (expected: [])', path: ['route'] });

export type LabelledQuery = z.infer<typeof labelledQuerySchema>;

export function parseDevSet(text: string, file = 'queries'): LabelledQuery[] {
  const out: LabelledQuery[] = [];
  const ids = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    const parsed = labelledQuerySchema.safeParse(json);
    if (!parsed.success) {
      throw new Error(`${file}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'line'}: ${x.message}`).join('; ')}`);
    }
    if (ids.has(parsed.data.id)) throw new Error(`${file}:${i + 1}: duplicate id "${parsed.data.id}"`);
    ids.add(parsed.data.id);
    out.push(parsed.data);
  });
  return out;
}

export function readDevSet(path: string): LabelledQuery[] {
  return parseDevSet(readFileSync(path, 'utf8'), path);
}

/** Queries of one split; 'all' keeps everything (files without splits are all one split). */
export function selectSplit(queries: readonly LabelledQuery[], split: Split | 'all'): LabelledQuery[] {
  return split === 'all' ? [...queries] : queries.filter((q) => q.split === split);
}

/** JSONL files under a folder, recursively, in name order. */
function jsonlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.name.startsWith('.') ? [] : e.isDirectory() ? jsonlFiles(join(dir, e.name)) : e.name.endsWith('.jsonl') ? [join(dir, e.name)] : []));
}

/**
 * Queries from several files or folders (every *.jsonl under a folder): each query without a
 * `source` gets its file's name as source, and ids must be unique across all of them.
 */
export function readQueryFiles(paths: readonly string[]): LabelledQuery[] {
  const files = paths.flatMap((p) => (statSync(p).isDirectory() ? jsonlFiles(p) : [p]));
  if (files.length === 0) throw new Error(`no .jsonl files in ${paths.join(', ')}`);
  const out: LabelledQuery[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    for (const q of readDevSet(file)) {
      const other = seen.get(q.id);
      if (other) throw new Error(`${file}: duplicate id "${q.id}" (also in ${other})`);
      seen.set(q.id, file);
      out.push({ ...q, source: q.source ?? basename(file, '.jsonl') });
    }
  }
  return out;
}
