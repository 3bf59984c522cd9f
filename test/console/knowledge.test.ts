import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderMarkdown } from '../../src/console/markdown.js';
import { bearer, form, postForm, signIn, startConsoleApp, type ConsoleTestApp, type Session } from './helpers.js';

/** Editing knowledge files from the console: lint on save, nothing written on refusal, atomic writes, live at once. */

const hashOf = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('knowledge editing', () => {
  let server: ConsoleTestApp;
  let session: Session;
  const file = () => join(server.kbDir, 'articles', 'en', 'password-forgotten.md');

  beforeAll(async () => {
    server = await startConsoleApp();
    session = await signIn(server.url);
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function editPage(id: string): Promise<{ html: string; baseHash: string }> {
    const html = await (await fetch(`${server.url}/admin/knowledge/edit/${id}`, { headers: { cookie: session.cookie } })).text();
    return { html, baseHash: /name="base_hash" value="([0-9a-f]{64})"/.exec(html)?.[1] ?? '' };
  }

  function fieldsOf(html: string): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const m of html.matchAll(/<input id="f-(\w+)" name="\w+" type="\w+" value="([^"]*)"/g)) fields[m[1]!] = m[2]!;
    for (const m of html.matchAll(/<textarea id="(?:f-)?(\w+)" name="\w+"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[m[1]!] = m[2]!;
    const decode = (s: string) => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
    return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, decode(v)]));
  }

  it('refuses invalid front matter with the lint message and leaves the file untouched', async () => {
    const before = hashOf(file());
    const { html, baseHash } = await editPage('password-forgotten');
    const fields = fieldsOf(html);
    expect(fields.title).toBe('Reset a forgotten password');
    const res = await postForm(server.url, session, '/admin/knowledge/save', form(session, {
      ...fields, existing_id: 'password-forgotten', base_hash: baseHash, lang: 'en', updated: '2026-13-45', title: 'Changed title',
    }));
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('invalid &#34;updated&#34;: expected a date YYYY-MM-DD, got &#34;2026-13-45&#34;');
    // The technician's input is kept in the form so nothing typed is lost.
    expect(page).toContain('value="Changed title"');
    expect(hashOf(file())).toBe(before);
    expect(tempFiles(join(server.kbDir, 'articles', 'en'))).toEqual([]);
    expect(server.app.knowledge.article('password-forgotten')?.title).toBe('Reset a forgotten password');
  });

  it('refuses a duplicate id, an unknown translation or flow, and a bad URL over the API too', async () => {
    const cases: Array<[Record<string, string | string[]>, RegExp]> = [
      [{ id: 'password-forgotten', title: 'Copy', lang: 'fr' }, /duplicate id "password-forgotten"/],
      [{ id: 'new-one', title: 'X', translation_of: 'no-such-article' }, /translation_of "no-such-article" is not the id of any article/],
      [{ id: 'new-two', title: 'X', flow: 'no-such-flow' }, /flow "no-such-flow" does not exist/],
      [{ id: 'new-three', title: 'X', url: 'javascript:alert(1)' }, /invalid "url": expected an http\(s\) URL/],
      [{ id: 'new-four', title: '' }, /missing required "title"/],
    ];
    const before = readdirSync(join(server.kbDir, 'articles', 'en')).sort();
    for (const [frontMatter, message] of cases) {
      const res = await fetch(`${server.url}/admin/api/articles`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ frontMatter, body: '## Resolution\n1. Step.' }),
      });
      expect(res.status).toBe(422);
      const json = (await res.json()) as { issues: Array<{ message: string }> };
      expect(json.issues.map((i) => i.message).join('\n')).toMatch(message);
    }
    expect(readdirSync(join(server.kbDir, 'articles', 'en')).sort()).toEqual(before);
  });

  it('makes path traversal impossible: ids are file names, nothing else', async () => {
    const listing = () => readdirSync(server.kbDir, { recursive: true }).map(String).sort();
    const before = listing();
    for (const id of ['../../evil', '..', 'a/b', 'a\\b', '.hidden', 'x.md/../y']) {
      const res = await fetch(`${server.url}/admin/api/articles`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ frontMatter: { id, title: 'Evil' }, body: 'x' }),
      });
      expect([400, 422]).toContain(res.status);
      const edit = await fetch(`${server.url}/admin/api/articles`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ existingId: id, frontMatter: { title: 'Evil' }, body: 'x' }),
      });
      expect(edit.status).toBe(400);
    }
    expect((await fetch(`${server.url}/admin/knowledge/edit/..%2F..%2Fpackage`, { headers: bearer })).status).toBe(404);
    expect(listing()).toEqual(before);
  });

  it('keeps unknown front-matter keys and comments, writes atomically and is live without a restart', async () => {
    const path = join(server.kbDir, 'articles', 'en', 'custom-keys.md');
    writeFileSync(path, [
      '---',
      '# Reviewed by the security team.',
      'id: custom-keys',
      'title: Badge printer for visitors',
      'x_reviewer: "Jo Dupont"',
      'questions:',
      '  - visitor badge printer',
      'tags: [badge, visitor]',
      'x_sla: { hours: 4 }',
      '---',
      '',
      '## Resolution',
      '1. Restart the badge printer.',
      '',
    ].join('\n'));
    await server.app.knowledge.reload();
    const { html, baseHash } = await editPage('custom-keys');
    expect(html).toContain('x_reviewer, x_sla');
    const fields = fieldsOf(html);
    const res = await postForm(server.url, session, '/admin/knowledge/save', form(session, {
      ...fields,
      existing_id: 'custom-keys',
      base_hash: baseHash,
      lang: 'en',
      title: 'Visitor badge printer prints nothing',
      questions: 'visitor badge printer\nthe badge printer at reception prints blank badges',
    }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/knowledge/edit/custom-keys?saved=1');
    const written = readFileSync(path, 'utf8');
    expect(written).toContain('# Reviewed by the security team.');
    expect(written).toContain('x_reviewer: "Jo Dupont"');
    expect(written).toContain('tags: [badge, visitor]');
    // Re-serialised by the YAML library, but kept with its value.
    expect(parseYaml(written.split('---')[1]!)).toMatchObject({ x_reviewer: 'Jo Dupont', x_sla: { hours: 4 } });
    expect(written).toContain('title: Visitor badge printer prints nothing');
    expect(written).toContain('  - the badge printer at reception prints blank badges');
    expect(written).not.toContain('lang:');
    expect(tempFiles(join(server.kbDir, 'articles', 'en'))).toEqual([]);
    // Live: the running service serves the new title and finds the new phrasing.
    expect(server.app.knowledge.article('custom-keys')?.title).toBe('Visitor badge printer prints nothing');
    const decision = await server.app.knowledge.decide('the badge printer at reception prints blank badges');
    expect(decision.candidates[0]?.articleId).toBe('custom-keys');

    const saved = await (await fetch(`${server.url}/admin/knowledge/edit/custom-keys?saved=1`, { headers: { cookie: session.cookie } })).text();
    expect(saved).toContain('articles/en/custom-keys.md');
  });

  it('does not overwrite a file that changed on disk since the editor opened it', async () => {
    const { html, baseHash } = await editPage('printer-add');
    const path = join(server.kbDir, 'articles', 'en', 'printer-add.md');
    writeFileSync(path, readFileSync(path, 'utf8').replace('## ', '## Changed in git: '));
    const before = hashOf(path);
    const res = await postForm(server.url, session, '/admin/knowledge/save', form(session, { ...fieldsOf(html), existing_id: 'printer-add', base_hash: baseHash, lang: 'en' }));
    expect(res.status).toBe(409);
    expect(hashOf(path)).toBe(before);
  });

  it('publishes a draft made from a resolved ticket, in the right folder, and marks it published', async () => {
    const { draft } = await server.app.drafts.createFromResolvedTicket({
      provider: 'local',
      ticketNumber: 'HD-000777',
      lang: 'fr',
      question: 'le lecteur de badge du parking ne lit plus ma carte',
      resolutionNotes: 'Badge réencodé au poste de sécurité\nAccès parking réactivé',
      category: 'devices',
    });
    const list = await (await fetch(`${server.url}/admin/knowledge`, { headers: { cookie: session.cookie } })).text();
    expect(list).toContain('HD-000777');
    const page = await (await fetch(`${server.url}/admin/knowledge/new?draft=${draft.id}`, { headers: { cookie: session.cookie } })).text();
    const fields = fieldsOf(page);
    expect(fields.id).toBe('le-lecteur-de-badge-du-parking-ne-lit-plus-ma-carte-fr');
    expect(fields.body).toContain('## Résolution');
    const res = await postForm(server.url, session, '/admin/knowledge/save', form(session, { ...fields, lang: 'fr', draft_id: draft.id }));
    expect(res.status).toBe(303);
    expect(readFileSync(join(server.kbDir, 'articles', 'fr', `${fields.id}.md`), 'utf8')).toContain('1. Badge réencodé');
    expect(await server.app.drafts.get(draft.id)).toMatchObject({ status: 'published', publishedFile: `articles/fr/${fields.id}.md` });
    expect(server.app.knowledge.article(fields.id!)?.lang).toBe('fr');
  });

  it('renders the Markdown preview without raw HTML, script links or remote images', () => {
    const out = renderMarkdown('# T\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b](https://aka.ms/sspr) ![i](https://evil.example/p.png)\n\n**bold** `code`');
    expect(out).not.toMatch(/<script|<img|javascript:|onerror=(?!alert)/i);
    expect(out).toContain('&#60;script&#62;alert(1)');
    expect(out).toContain('<a href="https://aka.ms/sspr" rel="noopener noreferrer nofollow" target="_blank">b</a>');
    expect(out).toContain('<strong>bold</strong>');
    expect(out).toContain('[i]');
  });
});
