import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSource } from '../../src/knowledge-sources/registry.js';
import type { KnowledgeSource } from '../../src/knowledge-sources/types.js';
import { KnowledgeHarness } from './harness.js';
import { CF_CLOUD, CF_DC_PAT, createConfluenceServer } from './servers/confluence.js';

let cf: ReturnType<typeof createConfluenceServer>;
let kb: KnowledgeHarness;
let cloud: KnowledgeSource;
let outlook: string;
let wifi: string;
let admin: string;

const CODE_MACRO = '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">powershell</ac:parameter><ac:plain-text-body><![CDATA[Get-Mailbox -Identity user | Repair-Profile]]></ac:plain-text-body></ac:structured-macro>';

beforeEach(async () => {
  cf = createConfluenceServer();
  await cf.server.start();
  kb = await new KnowledgeHarness().start();
  cloud = createSource('confluence', { url: `${cf.server.url}/wiki`, ...CF_CLOUD, spaces: 'IT' }, { sleep: async () => {} });
  outlook = cf.put({ title: 'Outlook keeps asking for the password', html: `<h2>Fix</h2><p>Repair the Outlook profile:</p>${CODE_MACRO}<p><ac:image><ri:attachment ri:filename="profile.png" /></ac:image></p><p>Full guide: <ac:link><ri:attachment ri:filename="outlook guide.pdf" /></ac:link>; old: <ac:link><ri:attachment ri:filename="gone.pdf" /></ac:link></p>`, labels: ['outlook', 'email'], attachments: ['profile.png', 'outlook guide.pdf', 'spare.docx', 'more.png'] }).id;
  wifi = cf.put({ title: 'Connect to the office Wi-Fi', html: '<p>Choose the CorpWiFi network and sign in with your directory account.</p>' }).id;
  admin = cf.put({ title: 'Rotate the Wi-Fi RADIUS shared secret', html: '<p>Rotate the RADIUS shared secret on the controller and the NPS server together.</p>', groups: ['network-admins'] }).id;
  cf.put({ title: 'Leave policy', html: '<p>HR page</p>', spaceKey: 'HR' });
});

afterEach(async () => {
  kb.close();
  await cf.server.stop();
});

const read = (file: string) => readFileSync(join(kb.out, file), 'utf8');

describe('Confluence source (Cloud REST v2)', () => {
  it('imports the current pages of the chosen spaces with storage-format bodies, labels and cursor pagination', async () => {
    const report = await kb.sync(cloud);
    expect(report.ok).toBe(true);
    expect(report.created.sort()).toEqual([`confluence-${admin}`, `confluence-${outlook}`, `confluence-${wifi}`].sort());
    const pageCalls = cf.server.requestsTo('GET', /\/wiki\/api\/v2\/spaces\/\d+\/pages/);
    expect(pageCalls).toHaveLength(2);
    expect(pageCalls[0]!.query.get('body-format')).toBe('storage');
    expect(pageCalls[1]!.query.get('cursor')).toBeTruthy();
    const md = read(`confluence-${outlook}.md`);
    expect(md).toContain(`url: ${cf.server.url}/wiki/spaces/IT/pages/${outlook}`);
    expect(md).toContain('category: IT');
    expect(md).toContain('tags:\n  - outlook\n  - email');
    expect(md).toContain('```\nGet-Mailbox -Identity user | Repair-Profile\n```');
    // Attachments are linked (from the v2 attachments list, paged), never inlined; one no longer there stays a name.
    expect(md).toContain(`[profile.png](${cf.server.url}/wiki/download/attachments/${outlook}/profile.png?version=1&modificationDate=1764669600000&api=v2)`);
    expect(md).toContain(`[outlook guide.pdf](${cf.server.url}/wiki/download/attachments/${outlook}/outlook%20guide.pdf?version=1&modificationDate=1764669600000&api=v2)`);
    expect(md).toContain('(attachment: gone.pdf)');
    expect(cf.server.requestsTo('GET', /\/attachments$/).map((r) => r.path)).toEqual([`/wiki/api/v2/pages/${outlook}/attachments`, `/wiki/api/v2/pages/${outlook}/attachments`]);
    expect(read(`confluence-${admin}.md`)).toContain('audience: network-admins');
  });

  it('second sync: zero changes, zero re-embedding and no detail calls; edit propagated; trashed page retired; restricted page never answered', async () => {
    await kb.sync(cloud);
    await kb.reload();
    const files = kb.files();
    const labelCalls = cf.server.requestsTo('GET', /labels$/).length;
    const again = await kb.sync(cloud);
    expect(again).toMatchObject({ ok: true, created: [], updated: [], retired: [], failed: [] });
    expect(kb.files()).toEqual(files);
    expect(await kb.reload()).toBe(0);
    expect(cf.server.requestsTo('GET', /labels$/).length).toBe(labelCalls);

    cf.put({ id: wifi, title: 'Connect to the office Wi-Fi', html: '<p>Choose the CorpWiFi network and sign in with your directory account. Guests use CorpGuest.</p>' });
    expect((await kb.sync(cloud)).updated).toEqual([`confluence-${wifi}`]);
    expect(await kb.reload()).toBe(1);

    cf.pages.get(outlook)!.status = 'trashed';
    const trashed = await kb.sync(cloud);
    expect(trashed.retired).toEqual([{ id: `confluence-${outlook}`, reason: 'deleted or no longer published in the source' }]);
    await kb.reload();
    expect(kb.service.article(`confluence-${outlook}`)).toBeUndefined();

    const q = 'rotate the RADIUS shared secret on the controller';
    expect((await kb.service.decide(q)).candidates.map((c) => c.articleId)).not.toContain(`confluence-${admin}`);
    expect((await kb.service.decide(q, { audiences: ['network-admins'] })).candidates[0]?.articleId).toBe(`confluence-${admin}`);
  });

  it('retries a 429 and fails cleanly on 5xx and on a space it cannot read', async () => {
    const waits: number[] = [];
    const patient = createSource('confluence', { url: `${cf.server.url}/wiki`, ...CF_CLOUD, spaces: 'IT' }, { sleep: async (ms) => void waits.push(ms) });
    cf.server.failNext({ status: 429, headers: { 'Retry-After': '3' }, body: { message: 'Rate limited' } });
    expect((await kb.sync(patient)).ok).toBe(true);
    expect(waits).toEqual([3000]);
    const files = kb.files();
    cf.server.failTimes(4, { status: 500, body: { message: 'oops' } });
    const down = await kb.sync(patient);
    expect(down.ok).toBe(false);
    expect(kb.files()).toEqual(files);
    // What was imported is still answered after the failed run (reloaded as the server would).
    await kb.reload();
    expect((await kb.service.decide('choose the CorpWiFi network and sign in')).candidates[0]?.articleId).toBe(`confluence-${wifi}`);
    const missing = await kb.sync(createSource('confluence', { url: `${cf.server.url}/wiki`, ...CF_CLOUD, spaces: 'IT,NOPE' }, { sleep: async () => {} }));
    expect(missing.error).toMatch(/space\(s\) NOPE not found/);
    expect(kb.files()).toEqual(files);
  });
});

describe('Confluence source (Data Center REST)', () => {
  it('reads /rest/api/content with expanded storage, labels and read restrictions, paging with start', async () => {
    const dc = createSource('confluence', { url: cf.server.url, deployment: 'datacenter', apiToken: CF_DC_PAT, spaces: 'IT' }, { sleep: async () => {} });
    const report = await kb.sync(dc);
    expect(report.ok).toBe(true);
    expect(report.created).toHaveLength(3);
    const calls = cf.server.requestsTo('GET', '/rest/api/content');
    expect(calls.map((c) => c.query.get('start'))).toEqual(['0', '2']);
    expect(calls[0]!.query.get('expand')).toBe('body.storage,version,metadata.labels,restrictions.read.restrictions.group');
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${CF_DC_PAT}`);
    expect(read(`confluence-${admin}.md`)).toContain('audience: network-admins');
    expect(read(`confluence-${outlook}.md`)).toContain('tags:\n  - outlook\n  - email');
    // Data Center: attachments linked at the documented download path.
    expect(read(`confluence-${outlook}.md`)).toContain(`[outlook guide.pdf](${cf.server.url}/download/attachments/${outlook}/outlook%20guide.pdf)`);
    expect((await kb.sync(dc))).toMatchObject({ created: [], updated: [], retired: [] });
  });
});
