/**
 * Rebuilds eval/third-party/knowledge/syncthing/ from a local git checkout of the Syncthing
 * documentation (https://github.com/syncthing/docs, CC BY 4.0) at the pinned commit recorded in
 * eval/third-party/sources/syncthing.md.
 *
 *   git clone https://github.com/syncthing/docs /tmp/stdocs
 *   git -C /tmp/stdocs checkout 766daa6e2b02f68dacc98eccbe49663b6168cbfd
 *   npx tsx scripts/third-party/syncthing.ts /tmp/stdocs [outDir]
 *
 * Needs `pandoc` (Debian package `pandoc`) for reStructuredText -> Markdown and `git` for the
 * per-page date. Only data is produced; nothing here runs in `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';

const SLUG = 'syncthing';
const SITE = 'https://docs.syncthing.net';
// End-user pages a desk would publish. `advanced/` (the option reference) is kept on purpose as
// realistic distractors; developer material (dev/, rest/, events/, specs/, draft/) is left out.
const INCLUDE_DIRS = ['intro', 'users', 'advanced'];
const EXCLUDE = new Set([
  'intro/index.rst',
  'users/index.rst',
  'users/releases.rst', // a generated table of release dates, not help
  'users/contrib.rst', // list of contributors
  'users/foldermaster.rst', // a "Page Moved" stub
]);

const [, , checkoutArg, outArg] = process.argv;
if (!checkoutArg) {
  console.error('usage: npx tsx scripts/third-party/syncthing.ts <syncthing-docs checkout> [outDir]');
  process.exit(2);
}
const checkout = resolve(checkoutArg);
const outDir = resolve(outArg ?? 'eval/third-party/knowledge/syncthing/en');

function rstFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(checkout, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) continue; // faq-parts/ are included by faq.rst, not pages of their own
    if (entry.name.endsWith('.rst') && !EXCLUDE.has(rel)) out.push(rel);
  }
  return out.sort();
}

const pages = INCLUDE_DIRS.flatMap(rstFiles);

// Sphinx cross-reference targets (`.. _label:`) -> published page + anchor, for :ref: links.
const labels = new Map<string, string>();
function indexLabels(file: string, page: string): void {
  const text = readFileSync(join(checkout, file), 'utf8');
  for (const m of text.matchAll(/^\.\. _([^:]+):\s*$/gm)) labels.set(m[1]!.toLowerCase(), `${SITE}/${page}.html#${m[1]!.toLowerCase()}`);
  for (const inc of text.matchAll(/^\.\. include::\s*(\S+)/gm)) {
    const target = join(dirname(file), inc[1]!);
    if (existsSync(join(checkout, target))) indexLabels(target, page);
  }
}
const allRst = execFileSync('git', ['-C', checkout, 'ls-files', '*.rst'], { encoding: 'utf8' }).split('\n').filter(Boolean);
for (const f of allRst) if (!f.includes('/faq-parts/') && !f.startsWith('includes/')) indexLabels(f, f.replace(/\.rst$/, ''));

function docUrl(target: string, fromFile: string): string {
  const clean = target.replace(/\.rst$/, '');
  const path = clean.startsWith('/') ? clean.slice(1) : join(dirname(fromFile), clean);
  return `${SITE}/${path}.html`;
}

/** Sphinx-only roles that pandoc does not know become links or literals before conversion. */
function resolveRoles(rst: string, file: string): string {
  return rst.replace(/:([a-z]+(?::[a-z]+)?):`([^`]+)`/g, (_all, role: string, body: string) => {
    const m = /^(.*?)\s*<([^>]+)>$/s.exec(body);
    const text = (m ? m[1]! : body).trim();
    const target = (m ? m[2]! : body).trim();
    if (role === 'ref') {
      const url = labels.get(target.toLowerCase());
      const label = m ? text : target;
      return url ? `\`${label} <${url}>\`__` : label;
    }
    if (role === 'doc') return `\`${m ? text : target.split('/').pop()} <${docUrl(target, file)}>\`__`;
    if (role === 'strike' || role === 'abbr') return text;
    return `\`\`${text}\`\``; // opt, stconf:opt, option, file, code, manpage, user…
  });
}

/** The RST of a page with its includes inlined (pandoc 2.17 resolves include paths against the cwd). */
function expand(file: string): string {
  const text = readFileSync(join(checkout, file), 'utf8');
  return text.replace(/^\.\. include::\s*(\S+)\s*$/gm, (_all, inc: string) => {
    const target = join(dirname(file), inc);
    return existsSync(join(checkout, target)) ? resolveRoles(expand(target), target) : '';
  });
}

function includedFiles(file: string): string[] {
  const text = readFileSync(join(checkout, file), 'utf8');
  const out = [file];
  for (const inc of text.matchAll(/^\.\. include::\s*(\S+)/gm)) {
    const target = join(dirname(file), inc[1]!);
    if (existsSync(join(checkout, target))) out.push(...includedFiles(target));
  }
  return out;
}

function lastChanged(files: string[]): string {
  const out = execFileSync('git', ['-C', checkout, 'log', '-1', '--format=%cs', '--', ...files], { encoding: 'utf8' }).trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(out)) throw new Error(`no commit date for ${files.join(', ')}`);
  return out;
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
let written = 0;
for (const file of pages) {
  const rst = resolveRoles(expand(file), file);
  let md = execFileSync('pandoc', ['-f', 'rst', '-t', 'gfm', '--wrap=none', '--lua-filter', join(import.meta.dirname, 'pandoc-admonitions.lua')], { input: rst, encoding: 'utf8', maxBuffer: 64 << 20 });
  // Images are not served with the article; keep their alt text only.
  md = md.replace(/!\[([^\]]*)\]\([^)]*\)/g, (_a, alt: string) => (alt ? `(image: ${alt})` : ''));
  md = md.replace(/\n{3,}/g, '\n\n').trim();
  const heading = /^#\s+(.+)$/m.exec(md);
  if (!heading) throw new Error(`${file}: no title heading`);
  const page = file.replace(/\.rst$/, '');
  const id = `${SLUG}-${page.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
  const front = { id, title: heading[1]!.replace(/\\(.)/g, '$1').trim(), lang: 'en', url: `${SITE}/${page}.html`, updated: lastChanged(includedFiles(file)) };
  writeFileSync(join(outDir, `${id}.md`), `---\n${stringify(front)}---\n\n${md}\n`);
  written++;
}
console.log(`${written} articles written to ${relative(process.cwd(), outDir) || outDir}`);
