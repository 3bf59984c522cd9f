import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { LintIssue } from '../lint-issue.js';
import { parseArticle, type ParseOptions, type ParsedFile } from './parse.js';
import type { Article, KnowledgeBase } from './types.js';

/**
 * Reads every Markdown article under `<kbDir>/articles` (or `kbDir` itself when it has no
 * `articles/` folder, e.g. a third-party export). A broken file is skipped and reported; the rest
 * is served. Paths in issues are relative to `kbDir`.
 */

const MARKDOWN = /\.(md|markdown)$/i;

export function articlesRoot(kbDir: string): string {
  const nested = join(kbDir, 'articles');
  return existsSync(nested) && statSync(nested).isDirectory() ? nested : kbDir;
}

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(path));
    else if (entry.isFile() && MARKDOWN.test(entry.name)) out.push(path);
  }
  return out;
}

/**
 * Parsed files by path, with the digest of the text they were parsed from. A reload given the
 * previous load's cache re-parses only the files whose text changed (parsing and chunking is most of
 * a reload: about 9 s for 10,000 articles), so a console edit is served in seconds at any size.
 * Owned by one caller with fixed parse options; entries of files gone are dropped.
 */
export type ParseCache = Map<string, { digest: string; parsed: ParsedFile }>;

export function loadKnowledgeBase(kbDir: string, options: ParseOptions & { reuse?: ParseCache } = {}): KnowledgeBase {
  const { reuse, ...parseOptions } = options;
  const seen = new Set<string>();
  const issues: LintIssue[] = [];
  const brokenFiles: string[] = [];
  const articles: Article[] = [];
  const byId = new Map<string, Article>();
  if (!existsSync(kbDir)) {
    issues.push({ severity: 'error', file: kbDir, message: 'knowledge folder not found' });
    return { articles, byId, issues, brokenFiles, hash: hashOf([]) };
  }
  for (const path of markdownFiles(articlesRoot(kbDir))) {
    const file = relative(kbDir, path).split(sep).join('/');
    let raw: string;
    try {
      raw = readFileSync(path, 'utf8');
    } catch (err) {
      issues.push({ severity: 'error', file, message: `cannot read file: ${err instanceof Error ? err.message : String(err)}` });
      brokenFiles.push(file);
      continue;
    }
    let parsed: ParsedFile;
    if (reuse) {
      const digest = createHash('sha1').update(raw).digest('base64');
      const cached = reuse.get(path);
      parsed = cached?.digest === digest ? cached.parsed : parseArticle(raw, file, parseOptions);
      reuse.set(path, { digest, parsed });
      seen.add(path);
    } else {
      parsed = parseArticle(raw, file, parseOptions);
    }
    issues.push(...parsed.issues);
    const article = parsed.article;
    if (!article) {
      brokenFiles.push(file);
      continue;
    }
    const first = byId.get(article.id);
    if (first) {
      issues.push({
        severity: 'error',
        file,
        line: article.keyLines.id,
        message: `duplicate id "${article.id}" (already used by ${first.file}); this file is not served`,
      });
      brokenFiles.push(file);
      continue;
    }
    byId.set(article.id, article);
    articles.push(article);
  }
  if (reuse) for (const path of reuse.keys()) if (!seen.has(path)) reuse.delete(path);
  return { articles, byId, issues, brokenFiles, hash: hashOf(articles) };
}

function hashOf(articles: Article[]): string {
  const h = createHash('sha256');
  for (const a of articles) h.update(`${a.file}\0${a.hash}\n`);
  return h.digest('hex');
}
