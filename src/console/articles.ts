import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Document, isMap, parseDocument } from 'yaml';
import { flowIds } from '../engine/flows/load.js';
import { lintKnowledgeBase } from '../engine/knowledge/lint.js';
import { articlesRoot, loadKnowledgeBase } from '../engine/knowledge/loader.js';
import { parseArticle } from '../engine/knowledge/parse.js';
import { articleIdProblem } from '../engine/knowledge/schema.js';
import type { Article, KnowledgeBase } from '../engine/knowledge/types.js';
import { isLang } from '../engine/lang.js';
import type { LintIssue } from '../engine/lint-issue.js';

/**
 * Knowledge as code, edited from the console: an article is its Markdown file under the knowledge
 * folder. Saving rewrites only the front-matter keys the form owns (unknown keys, comments and
 * untouched values stay exactly as written), lints the result as `helpdesk lint` would, refuses it
 * on any error without touching the disk, and otherwise replaces the file atomically.
 */

/** Front-matter keys the console form edits, in the order new files get them. */
export const FORM_KEYS = [
  'id', 'title', 'lang', 'translation_of', 'summary', 'category', 'tags', 'questions',
  'owner', 'updated', 'review_by', 'flow', 'audience', 'url',
] as const;
export type FormKey = (typeof FORM_KEYS)[number];

export type ArticleForm = Record<FormKey, string> & { body: string };

/** Article ids become file names: letters, digits, dot, dash, underscore; no path of any kind. */
export const ARTICLE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/;

export function isArticleId(id: string): boolean {
  return ARTICLE_ID.test(id) && !id.includes('..') && articleIdProblem(id) === undefined;
}

export const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

export function emptyForm(): ArticleForm {
  return { ...(Object.fromEntries(FORM_KEYS.map((k) => [k, ''])) as Record<FormKey, string>), lang: 'en', body: '' };
}

export function formFromArticle(a: Article): ArticleForm {
  return {
    id: a.id,
    title: a.title,
    lang: a.lang,
    translation_of: a.translationOf ?? '',
    summary: a.summary ?? '',
    category: a.category ?? '',
    tags: a.tags.join(', '),
    questions: a.questions.join('\n'),
    owner: a.owner ?? '',
    updated: a.updated ?? '',
    review_by: a.reviewBy ?? '',
    flow: a.flow ?? '',
    audience: a.audience ?? '',
    url: a.url ?? '',
    body: a.body,
  };
}

/** The value the form gives a key: undefined (remove the key), a string, or a list. */
function formValue(form: ArticleForm, key: FormKey): string | string[] | undefined {
  const v = (form[key] ?? '').replace(/\r\n?/g, '\n');
  if (key === 'tags') {
    const list = v.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
    return list.length ? list : undefined;
  }
  if (key === 'questions') {
    const list = v.split('\n').map((s) => s.trim()).filter(Boolean);
    return list.length ? list : undefined;
  }
  const s = v.trim().replace(/\s*\n\s*/g, ' ');
  return s === '' ? undefined : s;
}

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n?---[ \t]*(?:\n|$)/;

function splitFile(content: string): { frontMatter: string; body: string } | undefined {
  const m = FRONT_MATTER.exec(content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
  return m ? { frontMatter: m[1] ?? '', body: content.slice(m[0].length) } : undefined;
}

/**
 * The file content for a form. With `original` (an existing file), only the keys whose value the
 * form changed are rewritten; everything else in the front matter stays byte for byte.
 */
export function composeArticle(form: ArticleForm, original?: { content: string; article: Article }): string {
  const split = original ? splitFile(original.content) : undefined;
  const doc = split ? parseDocument(split.frontMatter) : new Document({});
  if (!isMap(doc.contents)) doc.contents = doc.createNode({});
  const before = original ? formFromArticle(original.article) : undefined;
  for (const key of FORM_KEYS) {
    const value = formValue(form, key);
    if (before && JSON.stringify(formValue(before, key)) === JSON.stringify(value)) continue;
    // A file without `lang` is English: do not add the default just because the form shows it.
    if (key === 'lang' && value === 'en' && !doc.has('lang')) continue;
    if (value === undefined) doc.delete(key);
    else doc.set(key, Array.isArray(value) ? doc.createNode(value, { flow: key === 'tags' }) : value);
  }
  const yaml = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  const body = form.body.replace(/\r\n?/g, '\n').trim();
  return `---\n${yaml}---\n\n${body}\n`;
}

export type SaveResult =
  | { ok: true; id: string; file: string; created: boolean; warnings: LintIssue[] }
  | { ok: false; status: 400 | 404 | 409 | 422; issues: LintIssue[] };

export interface SaveRequest {
  form: ArticleForm;
  /** Id of the article being edited; absent for a new article. */
  existingId?: string;
  /** sha256 of the file when the editor opened it: a file changed since (git pull, another editor) is not overwritten. */
  baseHash?: string;
  today?: string;
}

export class KnowledgeFiles {
  readonly kbDir: string;

  constructor(kbDir: string) {
    this.kbDir = resolve(kbDir);
  }

  load(): KnowledgeBase {
    return loadKnowledgeBase(this.kbDir);
  }

  /** Ids of the flows that load, or undefined without a flows/ folder (like `helpdesk lint`). */
  flowIds(): Set<string> | undefined {
    return existsSync(join(this.kbDir, 'flows')) ? new Set(flowIds(this.kbDir)) : undefined;
  }

  read(id: string): { article: Article; content: string; hash: string } | undefined {
    if (!isArticleId(id)) return undefined;
    const article = this.load().byId.get(id);
    if (!article) return undefined;
    const path = this.inside(article.file);
    if (!path) return undefined;
    const content = readFileSync(path, 'utf8');
    return { article, content, hash: sha256(content) };
  }

  /** Every problem the file would have, as `helpdesk lint` reports it (this file's issues only). */
  validate(file: string, content: string, kb: KnowledgeBase = this.load(), today?: string): LintIssue[] {
    const parsed = parseArticle(content, file);
    const issues = [...parsed.issues];
    const candidate = parsed.article;
    if (!candidate) return issues;
    const others = kb.articles.filter((a) => a.file !== file);
    const clash = others.find((a) => a.id === candidate.id);
    if (clash) {
      issues.push({ severity: 'error', file, line: candidate.keyLines.id, message: `duplicate id "${candidate.id}" (already used by ${clash.file})` });
    }
    const articles = [...others.filter((a) => a.id !== candidate.id), candidate];
    const cross = lintKnowledgeBase(
      { articles, byId: new Map(articles.map((a) => [a.id, a])), issues: [], brokenFiles: [], hash: '' },
      { flowIds: this.flowIds(), ...(today ? { today } : {}) },
    );
    issues.push(...cross.filter((i) => i.file === file));
    return issues;
  }

  save(request: SaveRequest): SaveResult {
    const { form } = request;
    const kb = this.load();
    const fail = (status: 400 | 404 | 409 | 422, message: string, file = ''): SaveResult => ({
      ok: false,
      status,
      issues: [{ severity: 'error', file, message }],
    });

    let file: string;
    let original: { content: string; article: Article } | undefined;
    if (request.existingId !== undefined) {
      if (!isArticleId(request.existingId)) return fail(400, 'invalid article id');
      const article = kb.byId.get(request.existingId);
      if (!article) return fail(404, `no article "${request.existingId}"`);
      const path = this.inside(article.file);
      if (!path) return fail(400, 'the article file is outside the knowledge folder', article.file);
      const content = readFileSync(path, 'utf8');
      if (request.baseHash && request.baseHash !== sha256(content)) {
        return fail(409, 'the file changed on disk since the editor was opened: reload it and apply your changes again', article.file);
      }
      // The id names the file and is what translations and statistics refer to: it is not edited here.
      form.id = article.id;
      file = article.file;
      original = { content, article };
    } else {
      const id = form.id.trim();
      if (!isArticleId(id)) return fail(400, 'the id must be letters, digits, ".", "-" or "_" (it becomes the file name)');
      const lang = isLang(form.lang.trim()) ? form.lang.trim() : 'en';
      const root = articlesRoot(this.kbDir);
      file = relative(this.kbDir, join(root, lang, `${id}.md`)).split(sep).join('/');
      if (!this.inside(file)) return fail(400, 'invalid article path');
      if (existsSync(join(this.kbDir, file))) return fail(409, `a file already exists at ${file}`, file);
      form.id = id;
    }

    let content = composeArticle(form, original);
    // An edit changes what employees read: `updated` moves to today unless the technician set it
    // themselves, so lint and the console can tell when the other language falls behind.
    if (original && content !== original.content && formValue(form, 'updated') === formValue(formFromArticle(original.article), 'updated')) {
      form.updated = request.today ?? new Date().toISOString().slice(0, 10);
      content = composeArticle(form, original);
    }
    const issues = this.validate(file, content, kb, request.today);
    if (issues.some((i) => i.severity === 'error')) return { ok: false, status: 422, issues };
    const path = this.inside(file)!;
    atomicWrite(path, content);
    return { ok: true, id: form.id, file, created: !original, warnings: issues };
  }

  /** Absolute path of a knowledge-relative file, only if it stays inside the knowledge folder. */
  private inside(file: string): string | undefined {
    const path = resolve(this.kbDir, file);
    return path.startsWith(this.kbDir + sep) ? path : undefined;
  }
}

/** Write to a hidden temp file in the same folder, fsync, rename over the target, fsync the folder. */
export function atomicWrite(path: string, content: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  // Dot-prefixed: the knowledge loader skips it even if the process dies before the rename.
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
