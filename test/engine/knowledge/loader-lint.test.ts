import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFamilies, translationsBehind } from '../../../src/engine/knowledge/families.js';
import { lintKnowledgeBase } from '../../../src/engine/knowledge/lint.js';
import { loadKnowledgeBase } from '../../../src/engine/knowledge/loader.js';
import { formatLintIssue } from '../../../src/engine/lint-issue.js';

const fixtures = new URL('../../fixtures/', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('loadKnowledgeBase', () => {
  it('serves the valid articles of a broken folder and reports every broken file', () => {
    const kb = loadKnowledgeBase(join(fixtures, 'kb-broken'));
    expect(kb.articles.map((a) => a.id).sort()).toEqual(['bad-date', 'good', 'same-id', 'unknown-key']);
    expect(kb.byId.get('same-id')?.title).toBe('First with this id');
    expect(kb.brokenFiles.sort()).toEqual([
      'articles/bad-yaml.md',
      'articles/dup-b.md',
      'articles/no-front-matter.md',
      'articles/no-title.md',
    ]);
  });

  it('reads a flat folder of Markdown when there is no articles/ sub-folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-flat-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'a.md'), '---\nid: a\ntitle: A\n---\nText');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const kb = loadKnowledgeBase(dir);
    expect(kb.articles.map((a) => a.file)).toEqual(['nested/a.md']);
  });

  it('changes its hash when an article changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-hash-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'a.md'), '---\nid: a\ntitle: A\n---\nText');
    const before = loadKnowledgeBase(dir).hash;
    expect(loadKnowledgeBase(dir).hash).toBe(before);
    writeFileSync(join(dir, 'a.md'), '---\nid: a\ntitle: A\n---\nOther text');
    expect(loadKnowledgeBase(dir).hash).not.toBe(before);
  });
});

describe('lintKnowledgeBase', () => {
  it('reports each problem with file and line', () => {
    const kb = loadKnowledgeBase(join(fixtures, 'kb-broken'));
    const lines = lintKnowledgeBase(kb, { flowIds: new Set(['password-reset']), today: '2026-11-22' }).map(formatLintIssue);
    expect(lines).toEqual([
      'articles/bad-date.md: warning: no numbered resolution steps found (answers will show the summary only)',
      'articles/bad-date.md:4: error: invalid "updated": expected a date YYYY-MM-DD, got "2026-13-45"',
      'articles/bad-date.md:5: error: invalid "review_by": expected a date YYYY-MM-DD, got "soon"',
      expect.stringMatching(/^articles\/bad-yaml\.md:4: error: invalid YAML front matter: Missing closing/),
      'articles/dup-a.md: warning: no numbered resolution steps found (answers will show the summary only)',
      'articles/dup-b.md:2: error: duplicate id "same-id" (already used by articles/dup-a.md); this file is not served',
      'articles/good.md:4: error: translation_of "does-not-exist" is not the id of any article',
      'articles/good.md:5: error: flow "no-such-flow" does not exist (known flows: password-reset)',
      'articles/no-front-matter.md:1: error: no front matter: an article needs at least "id" and "title" between --- lines',
      'articles/no-title.md:2: error: missing required "title"',
      'articles/unknown-key.md: warning: no numbered resolution steps found (answers will show the summary only)',
      'articles/unknown-key.md:4: warning: unknown front-matter key "team_channel" (kept as metadata)',
    ]);
  });

  it('warns about past review dates and same-language translations, and skips the flow check without flows', () => {
    const kb = loadKnowledgeBase(join(fixtures, 'kb-basic'));
    const issues = lintKnowledgeBase(kb, { today: '2026-11-22' });
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(issues.map(formatLintIssue)).toEqual([
      'articles/en/vpn-cannot-connect.md:12: warning: past its review date (review_by 2026-09-30)',
      'articles/fr/vpn-cannot-connect-fr.md:11: warning: past its review date (review_by 2026-09-30)',
    ]);
  });
});

describe('buildFamilies', () => {
  it('groups an article with its translations, keyed by the original', () => {
    const kb = loadKnowledgeBase(join(fixtures, 'kb-basic'));
    const families = buildFamilies(kb.articles);
    expect(families.familyOf.get('password-reset-fr')).toBe('password-reset');
    expect(families.members.get('password-reset')).toEqual(['password-reset', 'password-reset-fr']);
    expect(families.members.get('printer-jam')).toEqual(['printer-jam']);
  });
});

describe('translationsBehind', () => {
  it('flags the translation whose other language was updated later, and lint warns on it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-behind-'));
    dirs.push(dir);
    cpSync(join(fixtures, 'kb-basic'), dir, { recursive: true });
    const en = join(dir, 'articles', 'en', 'vpn-cannot-connect.md');
    const before = readFileSync(en, 'utf8');
    expect(translationsBehind(loadKnowledgeBase(dir).articles).size).toBe(0);
    writeFileSync(en, before.replace(/^updated: .*$/m, 'updated: 2026-11-20'));
    const kb = loadKnowledgeBase(dir);
    const behind = translationsBehind(kb.articles);
    expect([...behind].map(([id, newer]) => [id, newer.id])).toEqual([['vpn-cannot-connect-fr', 'vpn-cannot-connect']]);
    expect(lintKnowledgeBase(kb, { today: '2026-11-22' }).map(formatLintIssue)).toContainEqual(
      expect.stringMatching(/^articles\/fr\/vpn-cannot-connect-fr\.md:\d+: warning: translation behind: vpn-cannot-connect \(en\) was updated 2026-11-20/),
    );
  });
});
