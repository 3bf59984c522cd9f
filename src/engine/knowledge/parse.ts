import { createHash } from 'node:crypto';
import { LineCounter, parse as parseYaml, parseDocument, isMap, isScalar, YAMLParseError } from 'yaml';
import type { LintIssue } from '../lint-issue.js';
import { isLang, type Lang } from '../lang.js';
import { isYamlLanguage, splitFrontMatter } from './front-matter.js';
import { chunkArticle, DEFAULT_CHUNK_TOKENS } from './chunker.js';
import { splitSections } from './markdown.js';
import { frontMatterFields, isKnownKey, REQUIRED_KEYS, type FrontMatterKey } from './schema.js';
import { extractSteps } from './steps.js';
import type { Article } from './types.js';

/**
 * Parses one Markdown article. Never throws: a file that cannot be served (invalid YAML, no
 * id or title) yields issues and no article; a bad optional value is reported and dropped.
 */

export interface ParseOptions {
  maxChunkTokens?: number;
}

export interface ParsedFile {
  article?: Article;
  issues: LintIssue[];
}

// The `yaml` package (YAML 1.2) keeps dates as strings and its errors carry line numbers.
const parseYamlBlock = (s: string): unknown => (s.replace(/^\s*#[^\n]*/gm, '').trim() === '' ? {} : (parseYaml(s) ?? {}));

function keyLinesOf(frontMatter: string): Record<string, number> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(frontMatter, { lineCounter });
  const lines: Record<string, number> = {};
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      if (isScalar(pair.key) && pair.key.range) lines[String(pair.key.value)] = lineCounter.linePos(pair.key.range[0]).line;
    }
  }
  return lines;
}

function zodMessage(error: { issues: { message: string }[] }): string {
  return error.issues.map((i) => i.message).join('; ');
}

export function parseArticle(raw: string, file: string, options: ParseOptions = {}): ParsedFile {
  const content = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const issues: LintIssue[] = [];
  const error = (message: string, line?: number) => issues.push({ severity: 'error', file, line, message });
  const warning = (message: string, line?: number) => issues.push({ severity: 'warning', file, line, message });

  const block = splitFrontMatter(content);
  if (!block) {
    error('no front matter: an article needs at least "id" and "title" between --- lines', 1);
    return { issues };
  }
  if (!isYamlLanguage(block.language)) {
    // Knowledge files are data: a `---js` block is never evaluated, and the file is not served.
    error(`front matter in "${block.language}" is not allowed: only YAML front matter is read (this file is skipped)`, 1);
    return { issues };
  }
  let data: unknown;
  try {
    data = parseYamlBlock(block.matter);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      error(`invalid YAML front matter: ${err.message.split('\n')[0]}`, err.linePos?.[0].line);
    } else {
      error(`cannot read front matter: ${err instanceof Error ? err.message : String(err)}`, 1);
    }
    return { issues };
  }
  const parsed = { matter: block.matter, content: block.content };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    error('front matter must be a mapping of keys to values', 2);
    return { issues };
  }
  if (!parsed.matter.trim() && Object.keys(data).length === 0) {
    error('no front matter: an article needs at least "id" and "title" between --- lines', 1);
    return { issues };
  }

  const keyLines = keyLinesOf(parsed.matter);
  const values: Partial<Record<FrontMatterKey, unknown>> = {};
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!isKnownKey(key)) {
      metadata[key] = value;
      warning(`unknown front-matter key "${key}" (kept as metadata)`, keyLines[key]);
      continue;
    }
    if (value === null || value === undefined) {
      if (REQUIRED_KEYS.includes(key)) error(`"${key}" is empty`, keyLines[key]);
      continue;
    }
    const result = frontMatterFields[key].safeParse(value);
    if (result.success) values[key] = result.data;
    else error(`invalid "${key}": ${zodMessage(result.error)}`, keyLines[key]);
  }
  for (const key of REQUIRED_KEYS) {
    if (values[key] === undefined && !issues.some((i) => i.severity === 'error' && i.message.includes(`"${key}"`))) {
      error(`missing required "${key}"`, 2);
    }
  }
  if (values.id === undefined || values.title === undefined) return { issues };

  const id = values.id as string;
  const title = values.title as string;
  const lang: Lang = isLang(values.lang) ? values.lang : 'en';
  const sections = splitSections(parsed.content);
  const { steps, variants } = extractSteps(sections);
  const article: Article = {
    id,
    lang,
    title,
    summary: values.summary as string | undefined,
    category: values.category as string | undefined,
    tags: (values.tags as string[] | undefined) ?? [],
    questions: (values.questions as string[] | undefined) ?? [],
    owner: values.owner as string | undefined,
    updated: values.updated as string | undefined,
    reviewBy: values.review_by as string | undefined,
    flow: values.flow as string | undefined,
    audience: values.audience as string | undefined,
    url: values.url as string | undefined,
    translationOf: values.translation_of as string | undefined,
    source: values.source as Article['source'],
    metadata,
    body: parsed.content.trim(),
    steps,
    variants,
    chunks: chunkArticle(id, title, sections, options.maxChunkTokens ?? DEFAULT_CHUNK_TOKENS),
    file,
    keyLines,
    hash: createHash('sha256').update(content).digest('hex'),
  };
  return { article, issues };
}
