import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { stringify } from 'yaml';
import { readYamlFrontMatter } from '../../src/engine/knowledge/front-matter.js';

/**
 * A copy of a knowledge folder with the front matter cut down to what an import of someone
 * else's help pages produces (id, title, lang, url, updated; translation_of kept so an expected
 * id still matches its translations): no `questions:`, summary, tags or category. It stands in
 * for "a third-party knowledge base" when developing zero-label calibration.
 */
const KEEP = ['id', 'title', 'lang', 'url', 'updated', 'translation_of'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.md') ? [path] : [];
  });
}

export function writeStrippedKb(source: string, dest: string): number {
  const articles = join(source, 'articles');
  let n = 0;
  for (const file of files(articles)) {
    const parsed = readYamlFrontMatter(readFileSync(file, 'utf8'));
    const data = Object.fromEntries(KEEP.filter((k) => parsed.data[k] !== undefined).map((k) => [k, parsed.data[k] instanceof Date ? (parsed.data[k] as Date).toISOString().slice(0, 10) : parsed.data[k]]));
    const out = join(dest, relative(articles, file));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `---\n${stringify(data)}---\n${parsed.content}`);
    n++;
  }
  return n;
}

// `npx tsx test/helpers/stripped-kb.ts knowledge /tmp/stripped`
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!) && process.argv[2] && process.argv[3]) {
  console.log(`${writeStrippedKb(process.argv[2], process.argv[3])} articles written to ${process.argv[3]}`);
}
