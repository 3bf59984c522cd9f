import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSource } from '../../src/knowledge-sources/registry.js';
import type { KnowledgeSource } from '../../src/knowledge-sources/types.js';
import { KnowledgeHarness } from './harness.js';
import { createZendeskGuideServer, ZD_CREDENTIALS } from './servers/zendesk.js';

let zd: ReturnType<typeof createZendeskGuideServer>;
let kb: KnowledgeHarness;
let source: KnowledgeSource;
let printerId: number;
let vpnId: number;
let adminId: number;

beforeEach(async () => {
  zd = createZendeskGuideServer();
  await zd.server.start();
  kb = await new KnowledgeHarness().start();
  source = createSource('zendesk', { url: zd.server.url, ...ZD_CREDENTIALS }, { sleep: async () => {} });
  printerId = zd.put({ title: 'Printer shows paper jam E-42', body: '<p>Open the rear tray and pull the jammed sheet out slowly.</p><table><tr><th>Code</th><th>Tray</th></tr><tr><td>E-42</td><td>rear</td></tr></table>' }).id;
  vpnId = zd.put({ title: 'VPN error 809', body: '<p>Port 1723 is blocked: switch the client to the SSTP profile.</p>', user_segment_id: 1 }).id;
  zd.translate(vpnId, 'fr', 'Erreur VPN 809', '<p>Le port 1723 est bloqué : passez le client au profil SSTP.</p>');
  zd.translate(vpnId, 'de', 'VPN-Fehler 809', '<p>Port 1723 ist blockiert.</p>');
  adminId = zd.put({ title: 'Unlock a service account in the directory', body: '<p>Run Unlock-ADAccount on the service account from a domain controller shell.</p>', user_segment_id: 2 }).id;
  zd.put({ title: 'Half-written draft', body: '<p>todo</p>', draft: true });
});

afterEach(async () => {
  kb.close();
  await zd.server.stop();
});

const read = (file: string) => readFileSync(join(kb.out, file), 'utf8');

describe('Zendesk Guide source', () => {
  it('imports through the incremental export, EN/FR translations linked, drafts and other locales left out', async () => {
    const report = await kb.sync(source);
    expect(report.ok).toBe(true);
    expect(report.created.sort()).toEqual([`zendesk-${adminId}-en`, `zendesk-${printerId}-en`, `zendesk-${vpnId}-en`, `zendesk-${vpnId}-fr`].sort());
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { sourceId: `${vpnId}-de`, reason: 'locale de not imported' },
        { sourceId: expect.stringMatching(/-en$/), reason: 'draft' },
      ]),
    );
    const exports = zd.server.requestsTo('GET', '/api/v2/help_center/incremental/articles');
    expect(exports.map((r) => r.query.get('start_time'))).toEqual(['0', expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)]);
    expect(exports[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${ZD_CREDENTIALS.email}/token:${ZD_CREDENTIALS.apiToken}`).toString('base64')}`);

    const fr = read(`zendesk-${vpnId}-fr.md`);
    expect(fr).toMatch(new RegExp(`lang: fr\\ntranslation_of: zendesk-${vpnId}-en\\n`));
    expect(fr).toContain(`url: ${zd.server.url}/hc/fr/articles/${vpnId}`);
    expect(read(`zendesk-${printerId}-en.md`)).toContain('| E-42 | rear |');
    // A segment of all signed-in users is everyone; a staff segment with groups is an audience.
    expect(read(`zendesk-${vpnId}-en.md`)).not.toContain('audience:');
    expect(read(`zendesk-${adminId}-en.md`)).toContain('audience: IT staff');
  });

  it('second sync: zero changes, zero re-embedding; edit propagated; draft, archived and deleted retired', async () => {
    await kb.sync(source);
    await kb.reload();
    const files = kb.files();
    const again = await kb.sync(source);
    expect(again).toMatchObject({ ok: true, created: [], updated: [], retired: [], failed: [] });
    expect(kb.files()).toEqual(files);
    expect(await kb.reload()).toBe(0);
    // The second export starts from the first one's end_time.
    const starts = zd.server.requestsTo('GET', '/api/v2/help_center/incremental/articles').map((r) => Number(r.query.get('start_time')));
    expect(starts.at(-1)).toBeGreaterThan(0);

    zd.put({ id: printerId, title: 'Printer shows paper jam E-42', body: '<p>Open the rear tray and pull the jammed sheet out slowly. Then print a test page.</p><table><tr><th>Code</th><th>Tray</th></tr><tr><td>E-42</td><td>rear</td></tr></table>' });
    const edited = await kb.sync(source);
    expect(edited.updated).toEqual([`zendesk-${printerId}-en`]);
    expect(edited.created).toEqual([]);
    expect(await kb.reload()).toBeGreaterThan(0);
    expect(kb.embedder.embedded.at(-1)).toContain('test page');

    zd.put({ id: vpnId, title: 'VPN error 809', body: '<p>Port 1723 is blocked.</p>', draft: true });
    zd.put({ id: printerId, title: 'Printer shows paper jam E-42', body: '<p>x</p>', archived: true });
    const retired = await kb.sync(source);
    expect(retired.retired.map((r) => r.id).sort()).toEqual([`zendesk-${printerId}-en`, `zendesk-${vpnId}-en`].sort());
    expect(retired.retired.find((r) => r.id === `zendesk-${vpnId}-en`)?.reason).toBe('draft');
    expect(retired.retired.find((r) => r.id === `zendesk-${printerId}-en`)?.reason).toBe('archived or deleted');

    // Deleted outright: gone from the list without a new export entry.
    zd.articles.delete(adminId);
    const deleted = await kb.sync(source);
    expect(deleted.retired).toEqual([{ id: `zendesk-${adminId}-en`, reason: 'deleted or no longer published in the source' }]);
    await kb.reload();
    expect(kb.service.article(`zendesk-${adminId}-en`)).toBeUndefined();
  });

  it('never answers an article limited to a staff segment to an employee', async () => {
    await kb.sync(source);
    await kb.reload();
    const q = 'unlock a service account with Unlock-ADAccount';
    expect((await kb.service.decide(q)).candidates.map((c) => c.articleId)).not.toContain(`zendesk-${adminId}-en`);
    expect((await kb.service.decide(q, { audiences: ['IT staff'] })).candidates[0]?.articleId).toBe(`zendesk-${adminId}-en`);
  });

  it('honours 429 Retry-After, retries 5xx, and a source that stays down changes nothing while answers continue', async () => {
    const waits: number[] = [];
    const patient = createSource('zendesk', { url: zd.server.url, ...ZD_CREDENTIALS }, { sleep: async (ms) => void waits.push(ms) });
    zd.server.failNext({ status: 429, headers: { 'Retry-After': '30' }, body: { error: 'TooManyRequests' } });
    zd.server.failNext({ status: 502, body: '<html>Bad gateway</html>' });
    expect((await kb.sync(patient)).ok).toBe(true);
    expect(waits).toEqual([30_000, 500]);
    await kb.reload();

    const files = kb.files();
    zd.put({ id: printerId, title: 'Printer shows paper jam E-42', body: '<p>changed</p>' });
    zd.server.failTimes(4, { status: 503, body: { error: 'ServiceUnavailable' } });
    const down = await kb.sync(patient);
    expect(down.ok).toBe(false);
    expect(kb.files()).toEqual(files);
    expect((await kb.service.decide('printer paper jam E-42 rear tray')).candidates[0]?.articleId).toBe(`zendesk-${printerId}-en`);
    // The cursor did not move: the next good run still picks the edit up.
    expect((await kb.sync(patient)).updated).toEqual([`zendesk-${printerId}-en`]);
  });

  it('keeps malformed HTML in check and never writes the token', async () => {
    zd.put({ id: printerId, title: 'Printer shows paper jam E-42', body: '<p onmouseover="x()">Open the <b>rear tray<script>fetch("//evil")</script><iframe src="//evil"></iframe><ul><li>one<li>two' });
    await kb.sync(source);
    const md = read(`zendesk-${printerId}-en.md`);
    expect(md).toContain('**rear tray');
    expect(md).toMatch(/-\s+\*\*one\*\*\n-\s+\*\*two\*\*/);
    for (const bad of ['script', 'evil', 'onmouseover', 'iframe']) expect(md).not.toContain(bad);
    for (const f of Object.keys(kb.files())) expect(read(f)).not.toContain(ZD_CREDENTIALS.apiToken);
  });
});
