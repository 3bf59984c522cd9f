import { z } from 'zod';
import { LANGS } from '../lang.js';

/**
 * Front matter of a knowledge article. Only `id` and `title` are required, so any folder of
 * third-party Markdown can be served; every other key is optional. Keys are validated one by one
 * so that a bad optional value is reported (with its line) and dropped while the article is still
 * served; unknown keys are kept as metadata.
 */

const text = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'must not be empty'));

const isoDate = z
  .union([z.string(), z.date()])
  .transform((v, ctx) => {
    // The `yaml` engine keeps dates as strings; a Date only appears if another YAML schema is used.
    const s = v instanceof Date ? v.toISOString().slice(0, 10) : v.trim();
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
    if (!m || !d || d.toISOString().slice(0, 10) !== s) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a date YYYY-MM-DD, got "${String(v)}"` });
      return z.NEVER;
    }
    return s;
  });

/** A list of strings; a single string is accepted (comma-separated for tags). */
const stringList = (splitCommas: boolean) =>
  z
    .union([z.string(), z.array(z.union([z.string(), z.number()]))])
    .transform((v) => (typeof v === 'string' ? (splitCommas ? v.split(',') : [v]) : v.map(String)))
    .transform((list) => list.map((s) => s.trim()).filter((s) => s.length > 0));

const url = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'expected an http(s) URL');

const WINDOWS_RESERVED = /^(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])(?:\..*)?$/i;

/**
 * Article ids become file names in the console and links elsewhere: no Windows device name
 * (CON, NUL, COM1…), no trailing dot or space (Windows drops them), no file extension ("x.md"
 * would be saved as x.md.md). Undefined when the id is fine.
 */
export function articleIdProblem(id: string): string | undefined {
  if (WINDOWS_RESERVED.test(id)) return `"${id}" is a reserved device name on Windows`;
  if (/[.\s]$/.test(id)) return 'must not end with a dot or a space';
  if (/\.(?:md|markdown|mdx|txt|html?|ya?ml|json)$/i.test(id)) return 'must not end with a file extension';
  return undefined;
}

export const frontMatterFields = {
  id: text.pipe(z.string().regex(/^[^\s#]+$/, 'must not contain spaces or "#"').superRefine((id, ctx) => {
    const problem = articleIdProblem(id);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })),
  title: text,
  lang: z.enum(LANGS),
  translation_of: text,
  summary: text,
  category: text,
  tags: stringList(true),
  questions: stringList(false),
  owner: text,
  updated: isoDate,
  review_by: isoDate,
  flow: text,
  audience: text,
  url,
  /** Where an imported article comes from (`helpdesk import`): the system and the article's id there. */
  source: z.object({ system: text, id: text }),
} as const;

export type FrontMatterKey = keyof typeof frontMatterFields;
export const REQUIRED_KEYS: readonly FrontMatterKey[] = ['id', 'title'];

/** The whole front matter as one schema (documentation and JSON Schema generation). */
export const frontMatterSchema = z
  .object({
    ...frontMatterFields,
    lang: frontMatterFields.lang.default('en'),
    translation_of: frontMatterFields.translation_of.optional(),
    summary: frontMatterFields.summary.optional(),
    category: frontMatterFields.category.optional(),
    tags: frontMatterFields.tags.optional(),
    questions: frontMatterFields.questions.optional(),
    owner: frontMatterFields.owner.optional(),
    updated: frontMatterFields.updated.optional(),
    review_by: frontMatterFields.review_by.optional(),
    flow: frontMatterFields.flow.optional(),
    audience: frontMatterFields.audience.optional(),
    url: frontMatterFields.url.optional(),
    source: frontMatterFields.source.optional(),
  })
  .passthrough();

export type FrontMatter = z.output<typeof frontMatterSchema>;

export function isKnownKey(key: string): key is FrontMatterKey {
  return Object.prototype.hasOwnProperty.call(frontMatterFields, key);
}
