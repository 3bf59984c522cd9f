import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { isLang, type Lang } from '../engine/lang.js';
import { createLanguageDetector } from '../engine/retrieval/lang-detect.js';
import { htmlToMarkdown } from './convert.js';
import { readState, writeAtomic, writeState, type SyncState } from './state.js';
import type { KnowledgeSource, SourceArticle } from './types.js';

/**
 * One sync of a source into an output folder of Markdown articles. Incremental and idempotent:
 * a file is written only when its rendered content differs from what is there, so a second run
 * writes nothing and the knowledge reload re-embeds nothing (the embedding cache is keyed by
 * text). An article the source no longer serves (unpublished, retired, archived, deleted) has
 * its file removed. A failed fetch changes nothing: no file is written or removed and the cursor
 * stays where it was, so what is served stays served.
 */

export interface SyncReport {
  source: string;
  out: string;
  ok: boolean;
  /** Why the run failed (the source could not be read); nothing was changed. */
  error?: string;
  created: string[];
  updated: string[];
  retired: { id: string; reason: string }[];
  skipped: { sourceId: string; reason: string }[];
  failed: { sourceId: string; reason: string }[];
  unchanged: number;
}

export interface SyncOptions {
  out: string;
  now?: () => Date;
  log?: (message: string) => void;
}

const detectLang = createLanguageDetector();

/**
 * Article id in the knowledge base: the system and the source id, so two sources never collide.
 * Dots become dashes too: a file name such as "vpn.en.html" would otherwise give an id ending in a
 * file extension, which the knowledge schema refuses (articleIdProblem).
 */
export function articleId(system: string, sourceId: string): string {
  const slug = sourceId
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${system}-${slug || createHash('sha256').update(sourceId).digest('hex').slice(0, 12)}`;
}

function bodyMarkdown(article: SourceArticle): string {
  return 'html' in article.body ? htmlToMarkdown(article.body.html, article.url, article.body.attachments) : article.body.markdown.trim();
}

/** The file for one article: front matter in a fixed order, then the body. Deterministic, so unchanged input gives identical bytes. */
export function renderArticle(system: string, article: SourceArticle, body: string, lang: Lang): string {
  const front: Record<string, unknown> = {
    id: articleId(system, article.sourceId),
    title: article.title.replace(/\s+/g, ' ').trim(),
    lang,
  };
  if (article.translationOf) front.translation_of = articleId(system, article.translationOf);
  front.source = { system, id: article.sourceId };
  if (article.url) front.url = article.url;
  if (article.updated && /^\d{4}-\d{2}-\d{2}/.test(article.updated)) front.updated = article.updated.slice(0, 10);
  if (article.category) front.category = article.category;
  if (article.tags?.length) front.tags = [...article.tags];
  if (article.audience?.length) front.audience = [...new Set(article.audience)].sort().join(', ');
  return `---\n${stringify(front, { lineWidth: 0 })}---\n\n${body}\n`;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function syncSource(source: KnowledgeSource, options: SyncOptions): Promise<SyncReport> {
  const now = options.now ?? (() => new Date());
  const out = options.out;
  const system = source.system;
  const report: SyncReport = { source: system, out, ok: true, created: [], updated: [], retired: [], skipped: [], failed: [], unchanged: 0 };
  const state: SyncState = readState(out, system);

  let fetched;
  try {
    fetched = await source.fetch({ cursor: state.cursor, known: new Set(Object.keys(state.articles)), log: options.log });
  } catch (err) {
    report.ok = false;
    report.error = describe(err);
    // The cursor and files stay as they were; only the run is recorded, so the console can show it.
    if (existsSync(out)) {
      state.lastRun = { at: now().toISOString(), ok: false, created: 0, updated: 0, retired: 0, skipped: 0, failed: 0, error: report.error };
      writeState(out, state);
    }
    return report;
  }
  mkdirSync(out, { recursive: true });
  report.skipped.push(...fetched.skipped);
  report.failed.push(...fetched.failed);
  const at = now().toISOString();

  const retire = (sourceId: string, reason: string) => {
    const entry = state.articles[sourceId];
    if (!entry) return false;
    rmSync(join(out, entry.file), { force: true });
    delete state.articles[sourceId];
    report.retired.push({ id: entry.id, reason });
    return true;
  };

  const seen = new Set<string>();
  for (const article of fetched.articles) {
    seen.add(article.sourceId);
    if (article.retired) {
      if (!retire(article.sourceId, article.retired)) report.skipped.push({ sourceId: article.sourceId, reason: article.retired });
      continue;
    }
    let body: string;
    try {
      body = bodyMarkdown(article);
    } catch (err) {
      report.failed.push({ sourceId: article.sourceId, reason: `cannot convert: ${describe(err)}` });
      continue;
    }
    if (!article.title.trim() || !body) {
      if (!retire(article.sourceId, 'empty in the source')) report.skipped.push({ sourceId: article.sourceId, reason: !body ? 'empty body' : 'no title' });
      continue;
    }
    const lang: Lang = article.lang && isLang(article.lang) ? article.lang : detectLang(`${article.title}\n${body}`, 'en');
    const content = renderArticle(system, article, body, lang);
    const id = articleId(system, article.sourceId);
    const file = `${id}.md`;
    const path = join(out, file);
    const hash = hashOf(content);
    const previous = state.articles[article.sourceId];
    const onDisk = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (onDisk === content) {
      report.unchanged++;
      state.articles[article.sourceId] = previous && previous.hash === hash ? previous : { id, file, hash, url: article.url, syncedAt: at };
      continue;
    }
    try {
      writeAtomic(path, content);
    } catch (err) {
      report.failed.push({ sourceId: article.sourceId, reason: `cannot write ${file}: ${describe(err)}` });
      continue;
    }
    if (previous && previous.file !== file) rmSync(join(out, previous.file), { force: true });
    (previous || onDisk !== undefined ? report.updated : report.created).push(id);
    state.articles[article.sourceId] = { id, file, hash, url: article.url, syncedAt: at };
  }

  if (fetched.liveIds) {
    const known = Object.keys(state.articles);
    const gone = known.filter((sid) => !fetched.liveIds!.has(sid) && !seen.has(sid));
    // A source that suddenly lists nothing is more likely a permission change than an empty knowledge base.
    if (fetched.liveIds.size === 0 && known.length > 0) {
      report.failed.push({ sourceId: '*', reason: `the source listed no articles at all; the ${known.length} imported ones are kept` });
    } else {
      for (const sid of gone) retire(sid, 'deleted or no longer published in the source');
    }
  }

  state.cursor = fetched.cursor ?? state.cursor;
  state.lastRun = {
    at,
    ok: true,
    created: report.created.length,
    updated: report.updated.length,
    retired: report.retired.length,
    skipped: report.skipped.length,
    failed: report.failed.length,
  };
  writeState(out, state);
  return report;
}

/** True when the run changed what is served (the caller then reloads the knowledge). */
export function changedAnything(report: SyncReport): boolean {
  return report.created.length + report.updated.length + report.retired.length > 0;
}
