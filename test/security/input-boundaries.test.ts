import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isArticleId } from '../../src/console/articles.js';
import { renderMarkdown } from '../../src/console/markdown.js';
import { parseArticle } from '../../src/engine/knowledge/parse.js';
import { ticketEventSchema } from '../../src/server/ticket-events.js';
import { startTestApp, type TestApp } from '../server/start.js';
import { sqliteDb } from '../helpers/sqlite-handle.js';

/**
 * Issue 15, Low: lone surrogates, the console's Markdown links, ticket event URLs and article ids.
 */

describe('lone surrogates are normalised where input enters', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('stores U+FFFD, never an unpaired surrogate (invalid UTF-8 in SQLite)', async () => {
    await server.app.engine.handle({
      address: { channel: 'web', conversationId: 'surrogates-1' },
      user: { id: 'surrogate-user', name: 'Zoé \uD83D' },
      messageId: 'surrogate-m1',
      text: 'my printer \uD800 is broken \uDFFF since today 😀',
    });
    const conversation = await server.app.store.findConversation({ channel: 'web', conversationId: 'surrogates-1' });
    const [turn] = await server.app.store.transcript(conversation!.id);
    expect(turn!.text).toBe('my printer \uFFFD is broken \uFFFD since today 😀');
    // Every text value in the database, as the bytes SQLite stores: UTF-8 encodes U+D800–U+DFFF as
    // ED A0..BF xx, invalid, and exactly what a lone surrogate becomes. (Scanning the file itself
    // also reads integers and floats, where those bytes occur by chance.)
    const db = sqliteDb(server.app);
    const texts: string[] = [];
    for (const { name: table } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>) {
      for (const { name: column } of db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string }>) {
        const rows = db.prepare(`SELECT hex(CAST("${column}" AS BLOB)) AS h FROM "${table}" WHERE typeof("${column}") = 'text'`).all() as Array<{ h: string }>;
        for (const r of rows) texts.push(r.h);
      }
    }
    const bytePairs = (hex: string) => hex.match(/../g) ?? [];
    const lone = texts.filter((h) => bytePairs(h).some((b, i, all) => b === 'ED' && /^[AB][0-9A-F]$/.test(all[i + 1] ?? '')));
    expect(lone).toEqual([]);
    // Not vacuous: the replacement characters (EF BF BD) are among the values read.
    expect(texts.some((h) => bytePairs(h).join(' ').includes('EF BF BD'))).toBe(true);
  });
});

describe('console Markdown links', () => {
  it.each(['[q](/\\evil.example/q)', '[q](/\\/evil.example)', '[q](//evil.example)', '[q](javascript:alert(1))', '[q](</\tevil.example>)'])('drops the link of %s', (source) => {
    const html = renderMarkdown(source);
    expect(html).not.toContain('href');
    expect(html).toContain('q');
  });
  it('keeps safe links', () => {
    expect(renderMarkdown('[a](/admin/knowledge) [b](https://intranet.example/x) [c](#top)').match(/href=/g)).toHaveLength(3);
  });
});

describe('ticket event URLs', () => {
  it.each(['javascript:alert(document.domain)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox', 'file:///etc/passwd'])('refuses %s', (url) => {
    expect(ticketEventSchema.safeParse({ provider: 'servicenow', number: 'INC0012345', status: 'Resolved', url }).success).toBe(false);
  });
  it('accepts https', () => {
    expect(ticketEventSchema.safeParse({ provider: 'servicenow', number: 'INC0012345', status: 'Resolved', url: 'https://acme.service-now.com/x' }).success).toBe(true);
  });
});

describe('article ids', () => {
  it.each(['CON', 'con', 'NUL', 'COM1', 'LPT9', 'aux.txt', 'trailing.', 'x.md', 'guide.markdown'])('refuses %s in front matter and in the console', (id) => {
    const { article, issues } = parseArticle(`---\nid: "${id}"\ntitle: T\n---\nbody\n`, 'a.md');
    expect(article).toBeUndefined();
    expect(issues.some((i) => i.severity === 'error' && /invalid "id"/.test(i.message))).toBe(true);
    expect(isArticleId(id)).toBe(false);
  });
  it('refuses a trailing space in the console (front matter values are trimmed)', () => {
    expect(isArticleId('vpn ')).toBe(false);
    expect(parseArticle('---\nid: "vpn "\ntitle: T\n---\nbody\n', 'a.md').article?.id).toBe('vpn');
  });
  it('keeps ordinary ids', () => {
    for (const id of ['vpn-reset', 'wifi.guest-access', 'console-login', 'com-port-settings']) expect(isArticleId(id)).toBe(true);
  });
});
