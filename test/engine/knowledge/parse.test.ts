import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../../src/engine/knowledge/parse.js';

const article = (frontMatter: string, body = '## Resolution\n1. Step one.\n2. Step two.\n') => `---\n${frontMatter}\n---\n\n${body}`;

describe('parseArticle', () => {
  it('reads every known front-matter key', () => {
    const { article: a, issues } = parseArticle(
      article(
        [
          'id: vpn',
          'title: The VPN will not connect',
          'lang: fr',
          'translation_of: vpn-en',
          'summary: "Fix it: quickly"',
          'category: network',
          'tags: vpn, remote',
          'questions:',
          '  - vpn error 809',
          '  - 809',
          'owner: network-team',
          'updated: 2026-06-01',
          'review_by: 2026-12-01',
          'flow: vpn-connect',
          'audience: all-staff',
          'url: https://example.org/vpn',
        ].join('\n'),
      ),
      'articles/fr/vpn.md',
    );
    expect(issues).toEqual([]);
    expect(a).toMatchObject({
      id: 'vpn',
      lang: 'fr',
      translationOf: 'vpn-en',
      summary: 'Fix it: quickly',
      tags: ['vpn', 'remote'],
      questions: ['vpn error 809', '809'],
      updated: '2026-06-01',
      reviewBy: '2026-12-01',
      flow: 'vpn-connect',
      url: 'https://example.org/vpn',
      steps: ['Step one.', 'Step two.'],
      file: 'articles/fr/vpn.md',
    });
  });

  it('serves a third-party article with only id and title, defaulting to English', () => {
    const { article: a, issues } = parseArticle(article('id: 42\ntitle: Plain', 'Just text.'), 'x.md');
    expect(issues).toEqual([]);
    expect(a).toMatchObject({ id: '42', title: 'Plain', lang: 'en', tags: [], questions: [], steps: [] });
    expect(a?.chunks.map((c) => c.text)).toEqual(['Plain\nJust text.']);
  });

  it('reports invalid YAML with its line and serves nothing', () => {
    const { article: a, issues } = parseArticle('---\nid: x\ntitle: "open\nfoo: [1,\n---\nbody', 'bad.md');
    expect(a).toBeUndefined();
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: 'error', file: 'bad.md', line: 4 });
    expect(issues[0]?.message).toMatch(/invalid YAML/);
  });

  it('requires id and title', () => {
    const noTitle = parseArticle(article('id: a'), 'a.md');
    expect(noTitle.article).toBeUndefined();
    expect(noTitle.issues.map((i) => i.message)).toEqual(['missing required "title"']);
    const emptyId = parseArticle(article('id:\ntitle: T'), 'b.md');
    expect(emptyId.article).toBeUndefined();
    expect(emptyId.issues[0]).toMatchObject({ line: 2, message: '"id" is empty' });
  });

  it('reports a bad optional value on its line and drops only that value', () => {
    const { article: a, issues } = parseArticle(article('id: a\ntitle: T\nupdated: 2026-02-30\nlang: de'), 'a.md');
    expect(a?.updated).toBeUndefined();
    expect(a?.lang).toBe('en');
    expect(issues.map((i) => [i.line, i.severity])).toEqual([
      [4, 'error'],
      [5, 'error'],
    ]);
    expect(issues[0]?.message).toContain('expected a date YYYY-MM-DD');
  });

  it('keeps unknown keys as metadata and warns', () => {
    const { article: a, issues } = parseArticle(article('id: a\ntitle: T\nteam: desk'), 'a.md');
    expect(a?.metadata).toEqual({ team: 'desk' });
    expect(issues).toEqual([{ severity: 'warning', file: 'a.md', line: 4, message: 'unknown front-matter key "team" (kept as metadata)' }]);
  });

  it('rejects a file without front matter', () => {
    const { article: a, issues } = parseArticle('# Title\n\ntext', 'n.md');
    expect(a).toBeUndefined();
    expect(issues[0]?.message).toMatch(/no front matter/);
  });

  it('handles CRLF line endings and a byte-order mark', () => {
    const { article: a, issues } = parseArticle('\uFEFF---\r\nid: a\r\ntitle: T\r\n---\r\n\r\n## Resolution\r\n1. One\r\n', 'a.md');
    expect(issues).toEqual([]);
    expect(a?.steps).toEqual(['One']);
  });
});
