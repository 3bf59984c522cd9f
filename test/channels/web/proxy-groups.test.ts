import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mentions, RESTRICTED, restrictedKb } from '../../helpers/restricted-kb.js';
import { startTestApp, type TestApp } from '../../server/start.js';

/**
 * WEB_AUTH=proxy: the groups a trusted reverse proxy states (WEB_AUTH_PROXY_GROUPS_HEADER) are the
 * user's audiences. A member of the article's group is answered with it; anyone else never sees it,
 * and without the setting the header is ignored.
 */

async function ask(url: string, headers: Record<string, string>): Promise<{ status: number; replies: unknown }> {
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ conversationId: randomUUID(), user: { id: 'whatever' }, text: RESTRICTED.question }),
  });
  const json = (await res.json()) as { replies?: unknown };
  return { status: res.status, replies: json.replies };
}

describe('web chat behind a trusted proxy: groups from its header', () => {
  const kb = restrictedKb();
  let withGroups: TestApp;
  let withoutSetting: TestApp;
  const proxy = { WEB_AUTH: 'proxy', WEB_AUTH_PROXY_ADDRESSES: '127.0.0.1, ::1', KB_DIR: kb.kbDir };

  beforeAll(async () => {
    withGroups = await startTestApp({ ...proxy, WEB_AUTH_PROXY_GROUPS_HEADER: 'X-Forwarded-Groups' });
    withoutSetting = await startTestApp(proxy);
  });
  afterAll(async () => {
    await withGroups?.stop();
    await withoutSetting?.stop();
    kb.close();
  });

  it('answers a member of the group with the restricted article', async () => {
    const r = await ask(withGroups.url, { 'x-forwarded-user': 'nadia', 'x-forwarded-groups': 'Staff, Network admins' });
    expect(r.status).toBe(200);
    expect(mentions(r.replies, RESTRICTED.id)).toBe(true);
  });

  it('never shows it to an employee outside the group, nor to one the proxy names no group for', async () => {
    const other = await ask(withGroups.url, { 'x-forwarded-user': 'emma', 'x-forwarded-groups': 'Staff,Finance' });
    expect(other.status).toBe(200);
    expect(mentions(other.replies, RESTRICTED.id)).toBe(false);
    const none = await ask(withGroups.url, { 'x-forwarded-user': 'emma' });
    expect(mentions(none.replies, RESTRICTED.id)).toBe(false);
  });

  it('ignores a groups header the operator did not name', async () => {
    const r = await ask(withoutSetting.url, { 'x-forwarded-user': 'emma', 'x-forwarded-groups': 'Network admins' });
    expect(r.status).toBe(200);
    expect(mentions(r.replies, RESTRICTED.id)).toBe(false);
  });
});
