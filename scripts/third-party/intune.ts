/**
 * Rebuilds eval/third-party/knowledge/intune/ from local copies of Microsoft's Intune end-user help
 * (CC BY 4.0), pinned in eval/third-party/sources/intune.md:
 *
 *   npx tsx scripts/third-party/intune.ts --en <IntuneDocs checkout> --fr <IntuneDocs.fr-fr checkout> [--out DIR]
 *
 * Each checkout is the repository root at the pinned commit (a `git archive` is enough). The source is
 * already DocFX-flavoured Markdown, so conversion only resolves what a plain Markdown reader cannot:
 * include directives are inlined, DocFX alerts become block quotes, videos become links, relative links
 * and images become absolute URLs, HTML comments and heading anchors are removed. Front matter is only
 * what an import produces: id, title, lang, url, updated, plus translation_of for a localized copy of an
 * English page (same source path in the localized repository).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import { parseArgs } from 'node:util';
import { readYamlFrontMatter as matter } from '../../src/engine/knowledge/front-matter.js';
import { stringify } from 'yaml';


export const SOURCE = 'intune';
const FOLDER = 'intune-user-help';
const EN_COMMIT = '58f4af24e9b4136ada3356e24c5a22c63ca25164';
const FR_COMMIT = '1c854a80fb208a4b63377b2a5d0fd0aa9ba9bb41';
const SITE: Record<'en' | 'fr', string> = {
  en: 'https://docs.microsoft.com/en-us/intune-user-help/',
  fr: 'https://docs.microsoft.com/fr-fr/intune-user-help/',
};
const MEDIA: Record<'en' | 'fr', string> = {
  en: `https://raw.githubusercontent.com/MicrosoftDocs/IntuneDocs/${EN_COMMIT}/`,
  fr: `https://raw.githubusercontent.com/e-aldo/IntuneDocs.fr-fr/${FR_COMMIT}/`,
};

/** Source file name (without .md) → article id: lowercase, [a-z0-9-], prefixed by the source. */
export function articleId(name: string, lang: 'en' | 'fr'): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `${SOURCE}-${slug}${lang === 'fr' ? '-fr' : ''}`;
}

/**
 * Topics kept in English only, on purpose (a real desk's knowledge base is partly translated): every
 * third topic, in name order, among those that have a French copy. Fixed rule, no judgement.
 */
export function englishOnly(common: readonly string[]): Set<string> {
  return new Set([...common].sort().filter((_, i) => i % 3 === 2));
}

/** `ms.date` is MM/DD/YYYY in this source. */
function isoDate(v: unknown): string | undefined {
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v ?? '').trim();
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (m) return `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : undefined;
}

const ALERT_LABEL: Record<'en' | 'fr', Record<string, string>> = {
  en: { NOTE: 'Note', TIP: 'Tip', IMPORTANT: 'Important', WARNING: 'Warning', CAUTION: 'Caution' },
  fr: { NOTE: 'Remarque', TIP: 'Conseil', IMPORTANT: 'Important', WARNING: 'Avertissement', CAUTION: 'Attention' },
};

function absolutize(target: string, lang: 'en' | 'fr', image: boolean): string {
  const t = target.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(t) || t.startsWith('#')) return t;
  if (image) return MEDIA[lang] + t.replace(/^\//, '').replace(/^(?!intune-user-help\/)/, `${FOLDER}/`);
  if (t.startsWith('/')) return `https://docs.microsoft.com/${lang === 'en' ? 'en-us' : 'fr-fr'}${t.replace(/\.md(?=#|$)/, '')}`;
  // Relative link to a sibling page (possibly ../intune/... for admin docs).
  const up = /^\.\.\/([^/]+)\/(.*)$/.exec(t);
  const page = (up ? `${up[1]}/${up[2]}` : `${FOLDER}/${t.replace(/^\.\//, '')}`).replace(/\.md(?=#|$)/, '');
  return `https://docs.microsoft.com/${lang === 'en' ? 'en-us' : 'fr-fr'}/${page}`;
}

/** DocFX Markdown → plain CommonMark/GFM. */
export function convertBody(body: string, lang: 'en' | 'fr', includeDir: string): string {
  let out = body.replace(/\r\n/g, '\n');
  // Include directives: inline the included file's body (one level; includes here have no includes).
  out = out.replace(/\[!INCLUDE\s*\[[^\]]*\]\(([^)]+)\)\s*\]/g, (_, p: string) => {
    const file = join(includeDir, basename(p));
    return existsSync(file) ? matter(readFileSync(file, 'utf8')).content.trim() : '';
  });
  out = out.replace(/<!--[\s\S]*?-->/g, '');
  out = out.replace(/<a name="[^"]*"><\/a>/g, '');
  out = out.replace(/<\/?br\s*\/?>/g, '<br>');
  // Alerts: "> [!NOTE]" → "> **Note**"
  out = out.replace(/^(\s*>\s*)\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$/gm, (_, q: string, k: string) => `${q}**${ALERT_LABEL[lang][k]}**`);
  out = out.replace(/>\s*\[!div[^\]]*\]\s*\n/g, '');
  out = out.replace(/\[!VIDEO\s+([^\]\s]+)\s*\]/g, (_, u: string) => `[${lang === 'fr' ? 'Vidéo' : 'Video'}](${u})`);
  // Lightbox wrapper "[ ![alt](img) ](big#lightbox)" → the image itself.
  out = out.replace(/\[\s*(!\[[^\]]*\]\([^)]*\))\s*\]\([^)]*#lightbox\)/g, '$1');
  out = out.replace(/(!?)\[([^\]]*)\]\(([^)\s]+)(\s+"[^"]*")?\)/g, (_, bang: string, text: string, target: string, title?: string) =>
    `${bang}[${text}](${absolutize(target, lang, bang === '!')}${title ?? ''})`,
  );
  out = out.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n');
  return out.trim() + '\n';
}

function firstHeading(body: string): string | undefined {
  const m = /^#\s+(.+)$/m.exec(body);
  return m ? m[1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim() : undefined;
}

interface Converted {
  id: string;
  file: string;
  text: string;
}

export function convertFile(root: string, name: string, lang: 'en' | 'fr', englishId?: string): Converted {
  const dir = join(root, FOLDER);
  const src = matter(readFileSync(join(dir, `${name}.md`), 'utf8'));
  const body = convertBody(src.content, lang, join(dir, 'includes'));
  const metaTitle = String(src.data.title ?? '').replace(/\s*\|\s*Microsoft (Docs|Intune)\s*$/i, '').trim();
  const title = firstHeading(body) ?? metaTitle;
  const id = articleId(name, lang);
  const fm: Record<string, string> = { id, title, lang };
  if (englishId) fm.translation_of = englishId;
  fm.url = SITE[lang] + name.toLowerCase();
  const updated = isoDate(src.data['ms.date']);
  if (updated) fm.updated = updated;
  const text = `---\n${stringify(fm, { lineWidth: 0 })}---\n\n${body}`;
  return { id, file: join(lang, `${id}.md`), text };
}

function pages(root: string): string[] {
  return readdirSync(join(root, FOLDER))
    .filter((f) => f.endsWith('.md') && f !== 'TOC.md')
    .map((f) => f.slice(0, -3))
    .sort();
}

function main(): void {
  const { values } = parseArgs({
    options: { en: { type: 'string' }, fr: { type: 'string' }, out: { type: 'string', default: `eval/third-party/knowledge/${SOURCE}` } },
  });
  if (!values.en || !values.fr) {
    console.error('usage: npx tsx scripts/third-party/intune.ts --en <IntuneDocs root> --fr <IntuneDocs.fr-fr root> [--out DIR]');
    process.exit(2);
  }
  const out = values.out!;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'en'), { recursive: true });
  mkdirSync(join(out, 'fr'), { recursive: true });
  const en = pages(values.en);
  const frAll = new Set(pages(values.fr));
  const common = en.filter((n) => frAll.has(n));
  const skip = englishOnly(common);
  let nEn = 0;
  let nFr = 0;
  for (const name of en) {
    const a = convertFile(values.en, name, 'en');
    writeFileSync(join(out, a.file), a.text);
    nEn++;
    if (frAll.has(name) && !skip.has(name)) {
      const f = convertFile(values.fr, name, 'fr', a.id);
      writeFileSync(join(out, f.file), f.text);
      nFr++;
    }
  }
  console.log(`${out}: ${nEn} English, ${nFr} French (${skip.size} topics kept English-only on purpose)`);
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) main();
