import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintKnowledgeFolder } from '../../src/cli/commands/lint.js';
import { KnowledgeFiles } from '../../src/console/articles.js';
import { loadKnowledgeBase } from '../../src/engine/knowledge/loader.js';

/**
 * Issue 15, High 1: knowledge files are data. A front-matter block declared as JavaScript would, if
 * evaluated, write a marker file and set a global; neither may happen when the folder is read at
 * start, by the console or by `helpdesk lint`, and the file must be reported and skipped.
 */

const dir = mkdtempSync(join(tmpdir(), 'kb-js-'));
const marker = join(dir, 'PWNED');
const payload = (engine: string, id: string) =>
  `---${engine}\n{ id: (require('node:fs').writeFileSync(${JSON.stringify(marker)}, '${engine}'), globalThis.__kbPwned = '${engine}', '${id}'), title: 'Evil' }\n---\n\n## Resolution\n1. Nothing.\n`;
const files: Record<string, string> = {
  'js.md': payload('js', 'evil-js'),
  'javascript.md': payload('javascript', 'evil-javascript'),
  'coffee.md': '---coffee\nid: "evil-coffee"\ntitle: "Evil"\n---\nbody\n',
  'spaced.md': payload(' js ', 'evil-spaced'),
  'good.md': '---\nid: good\ntitle: Good article\n---\n\n## Resolution\n1. Restart.\n',
  'yaml.md': '---yaml\nid: good-yaml\ntitle: Declared YAML\n---\nbody\n',
};
mkdirSync(join(dir, 'articles', 'en'), { recursive: true });
for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, 'articles', 'en', name), content);

const pwned = () => existsSync(marker) || (globalThis as { __kbPwned?: unknown }).__kbPwned !== undefined;

describe('knowledge front matter is data, never code', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('at start: the loader evaluates nothing, skips the files and reports them', () => {
    const kb = loadKnowledgeBase(dir);
    expect(pwned()).toBe(false);
    expect(kb.articles.map((a) => a.id).sort()).toEqual(['good', 'good-yaml']);
    expect(kb.brokenFiles.sort()).toEqual(['articles/en/coffee.md', 'articles/en/javascript.md', 'articles/en/js.md', 'articles/en/spaced.md']);
    for (const file of kb.brokenFiles) {
      expect(kb.issues).toContainEqual(expect.objectContaining({ severity: 'error', file, message: expect.stringMatching(/only YAML front matter/) }));
    }
  });

  it('in `helpdesk lint`: each such file is an error', () => {
    const issues = lintKnowledgeFolder(dir);
    expect(pwned()).toBe(false);
    expect(issues.filter((i) => i.severity === 'error' && /only YAML front matter/.test(i.message))).toHaveLength(4);
  });

  it('on the console: the Knowledge page does not list it, and validating a save refuses it', () => {
    const knowledge = new KnowledgeFiles(dir);
    expect(knowledge.load().byId.has('evil-js')).toBe(false);
    const issues = knowledge.validate('articles/en/js.md', files['js.md']!);
    expect(pwned()).toBe(false);
    expect(issues).toContainEqual(expect.objectContaining({ severity: 'error', message: expect.stringMatching(/"js" is not allowed/) }));
  });
});
