import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KnowledgeSyncRunner, syncOutDir } from '../../src/app/knowledge-sync.js';
import { knowledgeSyncSchema } from '../../src/config/sections/knowledge-sync.js';
import { KnowledgeHarness } from '../knowledge-sources/harness.js';
import { createServiceNowKbServer, SN_KB_CREDENTIALS } from '../knowledge-sources/servers/servicenow.js';

let sn: ReturnType<typeof createServiceNowKbServer>;
let kb: KnowledgeHarness;

beforeEach(async () => {
  sn = createServiceNowKbServer();
  await sn.server.start();
  kb = await new KnowledgeHarness().start();
  sn.put({ sys_id: 'vpn', short_description: 'VPN error 809', text: '<p>Port 1723 is blocked by the hotel network: switch to the SSTP profile.</p>' });
});

afterEach(async () => {
  kb.close();
  await sn.server.stop();
});

function runner(reloads: { count: number }) {
  const config = knowledgeSyncSchema.parse({
    KNOWLEDGE_SYNC_SOURCES: 'servicenow',
    KNOWLEDGE_SYNC_DIR: kb.kbDir,
    KNOWLEDGE_SYNC_SERVICENOW_URL: sn.server.url,
    KNOWLEDGE_SYNC_SERVICENOW_USERNAME: SN_KB_CREDENTIALS.username,
    KNOWLEDGE_SYNC_SERVICENOW_PASSWORD: SN_KB_CREDENTIALS.password,
  });
  return new KnowledgeSyncRunner(config, {
    kbDir: kb.kbDir,
    sleep: async () => {},
    reload: async () => {
      reloads.count++;
      await kb.service.reload();
    },
  });
}

describe('scheduled knowledge sync', () => {
  it('imports into <dir>/<source>, reloads only when something changed, and records the last run', async () => {
    const reloads = { count: 0 };
    const sync = runner(reloads);
    const [first] = await sync.runNow();
    expect(first).toMatchObject({ ok: true, created: ['servicenow-vpn'] });
    expect(existsSync(join(kb.kbDir, 'servicenow', 'servicenow-vpn.md'))).toBe(true);
    expect(reloads.count).toBe(1);
    expect((await kb.service.decide('VPN error 809 hotel port blocked')).candidates[0]?.articleId).toBe('servicenow-vpn');

    await sync.runNow();
    expect(reloads.count).toBe(1);
    const [status] = sync.status();
    expect(status).toMatchObject({ name: 'servicenow', out: join(kb.kbDir, 'servicenow') });
    expect(status!.state?.lastRun).toMatchObject({ ok: true, created: 0, updated: 0 });
    expect(status!.state?.articles.vpn).toMatchObject({ id: 'servicenow-vpn', url: `${sn.server.url}/kb_view.do?sysparm_article=KB0010001` });
  });

  it('keeps serving during a failed sync: nothing removed, no reload, the failure recorded', async () => {
    const reloads = { count: 0 };
    const sync = runner(reloads);
    await sync.runNow();
    sn.server.failTimes(4, { status: 502, body: 'Bad Gateway' });
    const [failed] = await sync.runNow();
    expect(failed).toMatchObject({ ok: false });
    expect(reloads.count).toBe(1);
    expect(sync.status()[0]!.state?.lastRun).toMatchObject({ ok: false, error: expect.stringMatching(/HTTP 502/) });
    expect((await kb.service.decide('VPN error 809 hotel port blocked')).candidates[0]?.articleId).toBe('servicenow-vpn');
    expect(kb.service.status().articles).toBe(1);
  });

  it('defaults the output to <articles folder>/imported/<source>', () => {
    expect(syncOutDir({ dir: undefined }, '/srv/kb', 'zendesk')).toBe('/srv/kb/imported/zendesk');
  });

  it('names the missing variables of an enabled source', () => {
    const r = knowledgeSyncSchema.safeParse({ KNOWLEDGE_SYNC_SOURCES: 'zendesk,folder' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path[0]).sort()).toEqual(['KNOWLEDGE_SYNC_FOLDER_PATH', 'KNOWLEDGE_SYNC_ZENDESK_API_TOKEN', 'KNOWLEDGE_SYNC_ZENDESK_EMAIL', 'KNOWLEDGE_SYNC_ZENDESK_URL']);
    expect(knowledgeSyncSchema.safeParse({ KNOWLEDGE_SYNC_SOURCES: 'sharepoint' }).success).toBe(false);
  });
});
