import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSource } from '../../src/knowledge-sources/registry.js';
import type { KnowledgeSource } from '../../src/knowledge-sources/types.js';
import { KnowledgeHarness } from './harness.js';
import { createServiceNowKbServer, SN_KB_CREDENTIALS } from './servers/servicenow.js';

let sn: ReturnType<typeof createServiceNowKbServer>;
let kb: KnowledgeHarness;
let source: KnowledgeSource;
const noWait = async () => {};

beforeEach(async () => {
  sn = createServiceNowKbServer();
  await sn.server.start();
  kb = await new KnowledgeHarness().start();
  source = createSource('servicenow', { url: sn.server.url, ...SN_KB_CREDENTIALS, knowledgeBases: 'kb-it', pageSize: 2 }, { sleep: noWait });
  sn.put({ sys_id: 'vpn', short_description: 'VPN error 809', text: '<h2>Cause</h2><p>Port 1723 is blocked by the hotel network.</p><h2>Fix</h2><ol><li>Switch to the SSTP profile</li><li>Reconnect</li></ol><script>alert(1)</script>' });
  sn.put({ sys_id: 'vpn-fr', short_description: 'Erreur VPN 809', language: 'fr', translated_from: 'vpn', text: '<p>Le port 1723 est bloqué par le réseau de l’hôtel. Passez au profil SSTP.</p>' });
  sn.put({ sys_id: 'mfa', short_description: 'Set up multi-factor authentication', kb_category: 'cat2', text: '<p>Open the authenticator app and scan the QR code shown on the enrolment page.</p>' });
  sn.put({ sys_id: 'bitlocker', short_description: 'Recover a BitLocker recovery key for a locked laptop', can_read_user_criteria: 'uc-it', text: '<p>Look the recovery key up in the directory under the computer object, then read it to the user.</p>' });
  sn.put({ sys_id: 'draft', short_description: 'Unfinished draft', workflow_state: 'draft', text: '<p>not ready</p>' });
  sn.put({ sys_id: 'other-kb', short_description: 'HR knowledge', kb_knowledge_base: 'kb-hr', text: '<p>holidays</p>' });
});

afterEach(async () => {
  kb.close();
  await sn.server.stop();
});

const read = (file: string) => readFileSync(join(kb.out, file), 'utf8');

describe('ServiceNow knowledge source', () => {
  it('imports the published articles of the chosen knowledge bases, paging with the Link header', async () => {
    const report = await kb.sync(source);
    expect(report.ok).toBe(true);
    expect(report.created.sort()).toEqual(['servicenow-bitlocker', 'servicenow-mfa', 'servicenow-vpn', 'servicenow-vpn-fr']);
    const listCalls = sn.server.requestsTo('GET', '/api/now/table/kb_knowledge');
    expect(listCalls[0]!.query.get('sysparm_query')).toBe('workflow_state=published^kb_knowledge_baseINkb-it^languageINen,fr^ORDERBYsys_updated_on');
    expect(listCalls.map((r) => r.query.get('sysparm_offset'))).toEqual(['0', '2', '0', '2']);
    expect(listCalls[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${SN_KB_CREDENTIALS.username}:${SN_KB_CREDENTIALS.password}`).toString('base64')}`);

    const vpn = read('servicenow-vpn.md');
    expect(vpn).toContain('source:\n  system: servicenow\n  id: vpn\n');
    expect(vpn).toContain(`url: ${sn.server.url}/kb_view.do?sysparm_article=KB0010001`);
    expect(vpn).toContain('updated: 2026-11-01');
    expect(vpn).toContain('category: Network');
    expect(vpn).toContain('1.  Switch to the SSTP profile');
    expect(vpn).not.toContain('alert');
    expect(read('servicenow-vpn-fr.md')).toMatch(/lang: fr\ntranslation_of: servicenow-vpn\n/);
    expect(read('servicenow-bitlocker.md')).toContain('audience: IT staff');
    // Credentials are settings, never knowledge.
    for (const f of Object.keys(kb.files())) expect(read(f)).not.toContain(SN_KB_CREDENTIALS.password);
    expect(readFileSync(join(kb.out, '.helpdesk-sync.json'), 'utf8')).not.toContain(SN_KB_CREDENTIALS.password);
  });

  it('second sync: zero changes, zero re-embedding; an edit propagates; unpublished and deleted articles are retired', async () => {
    await kb.sync(source);
    await kb.reload();
    const files = kb.files();

    const again = await kb.sync(source);
    expect(again).toMatchObject({ ok: true, created: [], updated: [], retired: [], failed: [] });
    expect(kb.files()).toEqual(files);
    expect(await kb.reload()).toBe(0);
    // The second run asks only for what changed since the last sys_updated_on it saw.
    const incremental = sn.server.requestsTo('GET', '/api/now/table/kb_knowledge').filter((r) => r.query.get('sysparm_query')?.startsWith('sys_updated_on'));
    expect(incremental.map((r) => r.query.get('sysparm_query'))).toEqual(['sys_updated_on>=2026-11-01 08:04:00^kb_knowledge_baseINkb-it^languageINen,fr^ORDERBYsys_updated_on']);

    sn.put({ sys_id: 'mfa', short_description: 'Set up multi-factor authentication', text: '<p>Open the authenticator app and scan the QR code. Backup codes are printed once.</p>' });
    const edited = await kb.sync(source);
    expect(edited.updated).toEqual(['servicenow-mfa']);
    expect(await kb.reload()).toBe(1);
    expect(kb.embedder.embedded.at(-1)).toContain('Backup codes');

    sn.put({ sys_id: 'vpn', short_description: 'VPN error 809', workflow_state: 'retired', text: sn.articles.get('vpn')!.text });
    sn.remove('mfa');
    const retired = await kb.sync(source);
    expect(retired.retired).toEqual([
      { id: 'servicenow-vpn', reason: 'workflow state "retired"' },
      { id: 'servicenow-mfa', reason: 'deleted or no longer published in the source' },
    ]);
    await kb.reload();
    expect(kb.service.article('servicenow-vpn')).toBeUndefined();
    expect(kb.service.article('servicenow-mfa')).toBeUndefined();
    expect((await kb.service.decide('authenticator app QR code')).candidates.map((c) => c.articleId)).not.toContain('servicenow-mfa');
  });

  it('retires an article past its valid-to date', async () => {
    await kb.sync(source);
    sn.put({ sys_id: 'mfa', short_description: 'Set up multi-factor authentication', valid_to: '2020-01-01', text: sn.articles.get('mfa')!.text });
    const report = await kb.sync(source);
    expect(report.retired).toEqual([{ id: 'servicenow-mfa', reason: 'expired (valid to 2020-01-01)' }]);
  });

  it('never answers an article restricted by user criteria to an employee outside them', async () => {
    await kb.sync(source);
    await kb.reload();
    const question = 'recover the BitLocker recovery key of a locked laptop';
    const employee = await kb.service.decide(question);
    expect(employee.candidates.map((c) => c.articleId)).not.toContain('servicenow-bitlocker');
    const itStaff = await kb.service.decide(question, { audiences: ['IT staff'] });
    expect(itStaff.candidates[0]?.articleId).toBe('servicenow-bitlocker');
  });

  it('honours the knowledge base\'s Can Read / Cannot Read user criteria with the article\'s, and re-reads every article when they change', async () => {
    // Out of the box: "Any User" may read, "Guest User" may not: nothing restricted for signed-in employees.
    sn.kbCanRead.set('kb-it', ['uc-any']);
    sn.kbCannotRead.set('kb-it', ['uc-guest']);
    await kb.sync(source);
    expect(read('servicenow-vpn.md')).not.toContain('audience:');
    expect(read('servicenow-bitlocker.md')).toContain('audience: IT staff');
    expect(sn.server.requestsTo('GET', '/api/now/table/kb_uc_can_read_mtom')[0]!.query.get('sysparm_query')).toBe('kb_knowledge_baseINkb-it');

    // The base becomes IT staff and Security team only; no article changed, yet every one is re-read and restricted.
    sn.kbCanRead.set('kb-it', ['uc-it', 'uc-security']);
    const restricted = await kb.sync(source);
    expect(restricted.updated.sort()).toEqual(['servicenow-mfa', 'servicenow-vpn', 'servicenow-vpn-fr']);
    expect(read('servicenow-vpn.md')).toContain('audience: IT staff, Security team');
    // Both levels name readers: only who is named at both (IT staff) may read.
    expect(read('servicenow-bitlocker.md')).toContain('audience: IT staff\n');
    await kb.reload();
    const question = 'VPN error 809 port 1723 blocked';
    expect((await kb.service.decide(question)).candidates.map((c) => c.articleId)).not.toContain('servicenow-vpn');
    expect((await kb.service.decide(question, { audiences: ['Security team'] })).candidates[0]?.articleId).toBe('servicenow-vpn');
    expect((await kb.service.decide('recover the BitLocker recovery key of a locked laptop', { audiences: ['Security team'] })).candidates.map((c) => c.articleId)).not.toContain('servicenow-bitlocker');

    // "Everyone but contractors" cannot be an audience: the articles are kept from everyone.
    sn.kbCanRead.set('kb-it', ['uc-any']);
    sn.kbCannotRead.set('kb-it', ['uc-guest', 'uc-contractors']);
    await kb.sync(source);
    expect(read('servicenow-vpn.md')).toContain('audience: servicenow-restricted');
    await kb.reload();
    expect((await kb.service.decide(question, { audiences: ['IT staff', 'Security team'] })).candidates.map((c) => c.articleId)).not.toContain('servicenow-vpn');
  });

  it('waits out a 429 with Retry-After and retries 5xx', async () => {
    const waits: number[] = [];
    const patient = createSource('servicenow', { url: sn.server.url, ...SN_KB_CREDENTIALS, knowledgeBases: 'kb-it' }, { sleep: async (ms) => void waits.push(ms) });
    sn.server.failNext({ status: 429, headers: { 'Retry-After': '7' }, body: { error: { message: 'Too many requests' }, status: 'failure' } });
    sn.server.failNext({ status: 503, body: 'Service Unavailable' });
    const report = await kb.sync(patient);
    expect(report.ok).toBe(true);
    expect(report.created).toHaveLength(4);
    expect(waits).toEqual([7000, 500]);
  });

  it('a failing source, wrong credentials or a malformed answer change nothing and the bot keeps answering', async () => {
    await kb.sync(source);
    await kb.reload();
    const files = kb.files();
    sn.server.failTimes(4, { status: 500, body: { error: { message: 'Internal error' }, status: 'failure' } });
    const down = await kb.sync(source);
    expect(down.ok).toBe(false);
    expect(down.error).toMatch(/ServiceNow GET \/api\/now\/table\/kb_\w+ → HTTP 500/);
    expect(kb.files()).toEqual(files);
    expect((await kb.service.decide('VPN error 809 port 1723 blocked')).candidates[0]?.articleId).toBe('servicenow-vpn');

    const wrong = createSource('servicenow', { url: sn.server.url, username: 'kb.reader', password: 'nope-wrong' }, { sleep: noWait });
    const denied = await kb.sync(wrong);
    expect(denied.ok).toBe(false);
    expect(denied.error).toMatch(/HTTP 401: User Not Authenticated/);
    expect(denied.error).not.toContain('nope-wrong');
    expect(kb.files()).toEqual(files);

    sn.server.failNext({ status: 200, body: '<html>maintenance</html>' });
    const malformed = await kb.sync(source);
    expect(malformed.ok).toBe(false);
    expect(malformed.error).toMatch(/unexpected response/);
    expect(kb.files()).toEqual(files);
  });

  it('reports a missing setting by name', () => {
    expect(() => createSource('servicenow', { url: sn.server.url, username: 'kb.reader' })).toThrow(/servicenow: password: password is required/);
  });
});
