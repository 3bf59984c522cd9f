import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import mammoth from 'mammoth';
import { extractText, getDocumentProxy, getMeta } from 'unpdf';
import { z } from 'zod';
import { readYamlFrontMatter } from '../engine/knowledge/front-matter.js';
import { langFromLocale, type Lang } from '../engine/lang.js';
import { htmlToMarkdown } from './convert.js';
import type { FetchResult, KnowledgeSource, KnowledgeSourceDescriptor, SourceArticle } from './types.js';

/**
 * A folder (a share, an export) of HTML, Markdown, Word (.docx) and PDF documents. Every file is
 * read on each run (a local scan is cheap); the sync writes only what changed. HTML goes through
 * the sanitiser and turndown, .docx through mammoth (to HTML, then the same path), PDF through
 * unpdf (pdf.js) as plain paragraphs. `name.fr.docx` next to `name.en.docx` (or `name.docx`) is
 * its French translation.
 */

export const folderConfig = z.object({
  path: z.string().min(1, 'a folder path is required'),
});
export type FolderConfig = z.infer<typeof folderConfig>;

const KINDS: Record<string, 'markdown' | 'html' | 'docx' | 'pdf'> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.docx': 'docx',
  '.pdf': 'pdf',
};


function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name.startsWith('~$')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** "guide.fr.docx" → { stem: "guide", lang: "fr" }. */
function splitName(file: string): { stem: string; lang?: Lang } {
  const name = basename(file, extname(file));
  const m = /^(.*)\.([a-z]{2}(?:[-_][A-Za-z]{2})?)$/.exec(name);
  const lang = m ? langFromLocale(m[2]) : undefined;
  return lang && m ? { stem: m[1]!, lang } : { stem: name };
}

function firstHeading(markdown: string): string | undefined {
  return /^#{1,2}\s+(.+)$/m.exec(markdown)?.[1]?.replace(/[*_`]/g, '').trim();
}

/** PDF text as paragraphs: pdf.js gives lines, a blank line or a short line ends a paragraph. */
function pdfMarkdown(pages: string[]): string {
  return pages
    .map((page) =>
      page
        .split(/\n\s*\n/)
        .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
        .filter(Boolean)
        .join('\n\n'),
    )
    .filter(Boolean)
    .join('\n\n');
}

interface Document {
  title?: string;
  markdown: string;
  lang?: Lang;
  category?: string;
  audience?: string[];
}

async function readDocument(path: string, kind: 'markdown' | 'html' | 'docx' | 'pdf'): Promise<Document> {
  if (kind === 'markdown') {
    const parsed = readYamlFrontMatter(readFileSync(path, 'utf8'));
    const data = parsed.data as Record<string, unknown>;
    const markdown = parsed.content.trim();
    return {
      title: typeof data.title === 'string' ? data.title : firstHeading(markdown),
      markdown,
      lang: typeof data.lang === 'string' ? langFromLocale(data.lang) : undefined,
      category: typeof data.category === 'string' ? data.category : undefined,
      audience: typeof data.audience === 'string' ? data.audience.split(',').map((a) => a.trim()).filter(Boolean) : undefined,
    };
  }
  if (kind === 'html') {
    const markdown = htmlToMarkdown(readFileSync(path, 'utf8'));
    return { title: firstHeading(markdown), markdown };
  }
  if (kind === 'docx') {
    const { value } = await mammoth.convertToHtml({ buffer: readFileSync(path) });
    const markdown = htmlToMarkdown(value);
    return { title: firstHeading(markdown), markdown };
  }
  const pdf = await getDocumentProxy(new Uint8Array(readFileSync(path)));
  const { text } = await extractText(pdf, { mergePages: false });
  let title: string | undefined;
  try {
    const meta = await getMeta(pdf);
    const t = (meta.info as Record<string, unknown> | undefined)?.Title;
    title = typeof t === 'string' && t.trim() ? t.trim() : undefined;
  } catch {
    title = undefined;
  }
  const markdown = pdfMarkdown(Array.isArray(text) ? text : [text]);
  return { title: title ?? markdown.split('\n')[0]?.slice(0, 120), markdown };
}

export class FolderSource implements KnowledgeSource {
  readonly system = 'folder';

  constructor(private readonly config: FolderConfig) {}

  async fetch(): Promise<FetchResult> {
    const root = resolve(this.config.path);
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`folder not found: ${root}`);
    const result: FetchResult = { articles: [], skipped: [], failed: [], liveIds: new Set() };
    const files = walk(root);
    const rel = (p: string) => relative(root, p).split(sep).join('/');
    // Which stems exist in which language, to link translations by file name.
    const byStem = new Map<string, { sourceId: string; lang?: Lang }[]>();
    for (const path of files) {
      if (!KINDS[extname(path).toLowerCase()]) continue;
      const { stem, lang } = splitName(path);
      const key = join(resolve(path, '..'), stem);
      byStem.set(key, [...(byStem.get(key) ?? []), { sourceId: rel(path), lang }]);
    }
    for (const path of files) {
      const sourceId = rel(path);
      const kind = KINDS[extname(path).toLowerCase()];
      if (!kind) {
        result.skipped.push({ sourceId, reason: `unsupported file type ${extname(path) || '(none)'}` });
        continue;
      }
      result.liveIds!.add(sourceId);
      try {
        const doc = await readDocument(path, kind);
        const { stem, lang: nameLang } = splitName(path);
        const lang = nameLang ?? doc.lang;
        const siblings = byStem.get(join(resolve(path, '..'), stem)) ?? [];
        // The French file translates its English (or unsuffixed) sibling.
        const original = lang === 'fr' ? siblings.find((s) => s.sourceId !== sourceId && s.lang !== 'fr') : undefined;
        const article: SourceArticle = {
          sourceId,
          title: doc.title?.trim() || stem,
          lang,
          body: { markdown: doc.markdown },
          updated: statSync(path).mtime.toISOString(),
          category: doc.category,
          audience: doc.audience,
          translationOf: original?.sourceId,
        };
        result.articles.push(article);
      } catch (err) {
        result.failed.push({ sourceId, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    return result;
  }
}

export const folderSource: KnowledgeSourceDescriptor<FolderConfig> = {
  name: 'folder',
  description: 'a folder of HTML, Markdown, Word (.docx) and PDF documents',
  configSchema: folderConfig,
  create: (config) => new FolderSource(config),
};
