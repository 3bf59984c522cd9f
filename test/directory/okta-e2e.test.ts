import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotConnectorServer, type BotConnectorServer } from '../helpers/bot-connector-server.js';
import { oktaUser, startOktaServer, type OktaServer } from '../helpers/okta-server.js';
import { chat, choices, replyText } from '../reliability/helpers.js';
import { startTestApp, type TestApp } from '../server/start.js';
import { teamsChat } from './e2e-helpers.js';
import { sqliteDb } from '../helpers/sqlite-handle.js';

/**
 * End to end on the real server with Okta: a locked user in Teams (local Bot Connector) says "my
 * account is locked", picks "Unlock it for me now", confirms, is unlocked in Okta (local server
 * speaking the Users API), and the audit log shows it; the same person in the anonymous web chat
 * only gets self-service steps; with Okta refusing, the flow falls back and the ticket carries
 * Okta's error.
 */

const ANA = { id: '29:ana', name: 'Ana Silva', aadObjectId: '6f0a3c7e-1d2b-4e5f-8a9b-0c1d2e3f4a5b', email: 'ana@example.com' };

describe('account actions end to end: Okta', () => {
  let okta: OktaServer;
  let connector: BotConnectorServer;
  let server: TestApp;

  beforeAll(async () => {
    okta = await startOktaServer([oktaUser({ id: '00u1ana', login: ANA.email, status: 'LOCKED_OUT' })]);
    connector = await startBotConnectorServer();
    server = await startTestApp({
      DIRECTORY_PROVIDER: 'okta',
      OKTA_ORG_URL: okta.url,
      OKTA_API_TOKEN: okta.token,
      ACTIONS_ENABLED: 'directory.unlockAccount,directory.revokeSessions',
      ADMIN_TOKEN: 'admin-token-for-tests-0123456789',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await connector?.close();
    await okta?.close();
  });

  const audit = () => sqliteDb(server.app).prepare('SELECT * FROM action_audit ORDER BY id').all() as Array<Record<string, unknown>>;

  it('Teams: "my account is locked", unlock, confirm: unlocked in Okta and in the audit log', async () => {
    const teams = teamsChat(server.url, connector, ANA);
    const offer = await teams.say('my account is locked');
    expect(teams.buttons(offer)).toEqual(['Unlock it for me now', "I'll do it myself", "I'll wait"]);
    const confirm = await teams.click(offer, 'Unlock it for me now');
    expect(teams.text(confirm)).toMatch(/Go ahead\?/);
    // Nothing happens before the user confirms.
    expect(okta.users.get('00u1ana')?.status).toBe('LOCKED_OUT');
    const done = await teams.click(confirm, 'Yes');
    expect(teams.text(done)).toMatch(/your account is unlocked/i);
    expect(okta.users.get('00u1ana')?.status).toBe('ACTIVE');
    expect(okta.calls.some((c) => c.method === 'POST' && c.path === '/api/v1/users/00u1ana/lifecycle/unlock')).toBe(true);
    expect(audit()).toEqual([
      expect.objectContaining({ action: 'directory.unlockAccount', provider: 'okta', channel: 'teams', user_id: ANA.aadObjectId, account: ANA.email, outcome: 'ok', conversation_id: expect.any(String) }),
    ]);

    // Visible in the console, behind its authentication.
    expect((await fetch(`${server.url}/admin/actions`, { redirect: 'manual' })).status).not.toBe(200);
    const page = await fetch(`${server.url}/admin/actions`, { headers: { authorization: 'Bearer admin-token-for-tests-0123456789' } });
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('directory.unlockAccount');
    expect(body).toContain(ANA.email);
    expect(body).toContain('Ana Silva');
    expect(body).toMatch(/data-outcome="ok"/);
  });

  it('the same person in the anonymous web chat only gets self-service steps', async () => {
    okta.users.get('00u1ana')!.status = 'LOCKED_OUT';
    const calls = okta.calls.length;
    const conversationId = randomUUID();
    const reply = await chat(server.url, { conversationId, userId: ANA.aadObjectId, text: 'my account is locked' });
    expect(reply.status).toBe(200);
    const labels = reply.replies.flatMap((m) => m.parts.flatMap((p) => (p.kind === 'choices' ? (p.choices ?? []).map((c) => c.label) : [])));
    expect(labels).toEqual(["I'll do it myself", "I'll wait"]);
    // A forged click on the hidden option changes nothing.
    const forged = { ...choices(reply, 'flow.choice')[0], o: 'unlock-now' };
    const after = await chat(server.url, { conversationId, userId: ANA.aadObjectId, action: forged });
    expect(replyText(after)).not.toMatch(/unlocked/i);
    expect(okta.calls.length).toBe(calls);
    expect(okta.users.get('00u1ana')?.status).toBe('LOCKED_OUT');
  });

  it('Okta refusing: self-service steps, then a ticket whose packet carries the error', async () => {
    okta.users.get('00u1ana')!.status = 'LOCKED_OUT';
    okta.fault = { status: 403 };
    try {
      const teams = teamsChat(server.url, connector, ANA);
      const confirm = await teams.click(await teams.say('my account is locked'), 'Unlock it for me now');
      const fallback = await teams.click(confirm, 'Yes');
      expect(teams.text(fallback)).toMatch(/refused the request/);
      expect(teams.text(fallback)).toMatch(/You can unlock it yourself right away/);
      const offer = await teams.click(fallback, 'No');
      expect(teams.text(offer)).toMatch(/still locked out/);
      const yes = teams.buttons(offer).find((t) => /yes|ticket|create/i.test(t ?? ''));
      expect(yes).toBeDefined();
      await teams.click(offer, yes as string);
      const row = await new Promise<Record<string, unknown> | undefined>((resolve) => {
        const started = Date.now();
        const poll = () => {
          const r = sqliteDb(server.app).prepare(`SELECT packet_json FROM ticket_outbox ORDER BY rowid DESC LIMIT 1`).get() as Record<string, unknown> | undefined;
          if (r || Date.now() - started > 10_000) resolve(r);
          else setTimeout(poll, 50);
        };
        poll();
      });
      expect(String(row?.packet_json)).toMatch(/"stepId":"unlock","answer":"fail: okta: Okta GET \/api\/v1\/users\/ana%40example.com → 403: E0000006/);
    } finally {
      okta.fault = undefined;
    }
    expect(audit().at(-1)).toMatchObject({ outcome: 'fail', action: 'directory.unlockAccount' });
  });
});
