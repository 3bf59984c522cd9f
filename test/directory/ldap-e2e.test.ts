import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotConnectorServer, type BotConnectorServer } from '../helpers/bot-connector-server.js';
import { BOT, ensureSlapd, filetime, startSlapd, SUFFIX, userDn, type Slapd } from '../helpers/slapd.js';
import { chat } from '../reliability/helpers.js';
import { startTestApp, type TestApp } from '../server/start.js';
import { teamsChat } from './e2e-helpers.js';
import { sqliteDb } from '../helpers/sqlite-handle.js';

/**
 * End to end on the real server with Active Directory over LDAP (real slapd): a locked user in
 * Teams says "my account is locked", confirms, lockoutTime becomes 0 in the directory and the
 * audit log shows it; in the anonymous web chat the same person only gets self-service steps.
 */

const skip = ensureSlapd();
const ANA = { id: '29:ana-ldap', name: 'Ana Silva', aadObjectId: '0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a', email: 'ana@example.com' };

describe.skipIf(skip !== undefined)('account actions end to end: Active Directory over LDAP', () => {
  let slapd: Slapd;
  let connector: BotConnectorServer;
  let server: TestApp;
  const locked = filetime(new Date(Date.now() - 60_000));

  beforeAll(async () => {
    slapd = await startSlapd([{ cn: 'ana', mail: ANA.email, lockoutTime: locked, badPwdCount: '5' }]);
    connector = await startBotConnectorServer();
    server = await startTestApp({
      DIRECTORY_PROVIDER: 'ldap',
      LDAP_URL: slapd.url,
      LDAP_BIND_DN: BOT.dn,
      LDAP_BIND_PASSWORD: BOT.password,
      LDAP_BASE_DN: SUFFIX,
      ACTIONS_ENABLED: 'directory.unlockAccount',
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await connector?.close();
    await slapd?.stop();
  });

  const lockoutTime = () => slapd.admin(async (c) => (await c.search(userDn('ana'), { scope: 'base', attributes: ['lockoutTime'] })).searchEntries[0]?.lockoutTime);

  it('Teams: unlock after confirmation; lockoutTime 0 in the directory; audited', async () => {
    const teams = teamsChat(server.url, connector, ANA);
    const offer = await teams.say('my account is locked');
    const confirm = await teams.click(offer, 'Unlock it for me now');
    expect(await lockoutTime()).toBe(locked);
    const done = await teams.click(confirm, 'Yes');
    expect(teams.text(done)).toMatch(/your account is unlocked/i);
    expect(await lockoutTime()).toBe('0');
    expect(sqliteDb(server.app).prepare('SELECT action, provider, channel, user_id, account, outcome FROM action_audit').all()).toEqual([
      { action: 'directory.unlockAccount', provider: 'ldap', channel: 'teams', user_id: ANA.aadObjectId, account: ANA.email, outcome: 'ok' },
    ]);
  });

  it('anonymous web chat: only self-service steps', async () => {
    const reply = await chat(server.url, { conversationId: randomUUID(), userId: ANA.aadObjectId, text: 'my account is locked' });
    const labels = reply.replies.flatMap((m) => m.parts.flatMap((p) => (p.kind === 'choices' ? (p.choices ?? []).map((c) => c.label) : [])));
    expect(labels).toEqual(["I'll do it myself", "I'll wait"]);
  });
});
