import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotConnectorServer, type BotConnectorServer } from '../helpers/bot-connector-server.js';
import { graphUser, startGraphServer, type GraphServer } from '../helpers/graph-server.js';
import { startTestApp, type TestApp } from '../server/start.js';
import { teamsChat } from './e2e-helpers.js';
import { sqliteDb } from '../helpers/sqlite-handle.js';

/**
 * End to end on the real server with Entra ID (local token endpoint and Graph): Entra has no unlock
 * API, so a locked Teams user is sent to self-service password reset; "someone else may be using
 * my account" signs them out everywhere after confirmation, then opens a high-priority ticket.
 */

const ANA = { id: '29:ana-entra', name: 'Ana Silva', aadObjectId: '2e4f6a8c-0b1d-4e3f-9a5b-7c9d1e3f5a7b', email: 'ana@contoso.com' };

describe('account actions end to end: Entra ID', () => {
  let graph: GraphServer;
  let connector: BotConnectorServer;
  let server: TestApp;

  beforeAll(async () => {
    graph = await startGraphServer([graphUser({ id: ANA.aadObjectId, userPrincipalName: ANA.email })]);
    connector = await startBotConnectorServer();
    server = await startTestApp({
      DIRECTORY_PROVIDER: 'entra',
      ENTRA_TENANT_ID: graph.tenant,
      ENTRA_CLIENT_ID: graph.clientId,
      ENTRA_CLIENT_SECRET: graph.clientSecret,
      ENTRA_AUTHORITY_URL: graph.url,
      ENTRA_GRAPH_URL: `${graph.url}/v1.0`,
      ACTIONS_ENABLED: 'directory.unlockAccount,directory.revokeSessions,directory.resetMfa',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await connector?.close();
    await graph?.close();
  });

  it('locked account: no unlock offered (Entra has no API for it), self-service password reset instead', async () => {
    const teams = teamsChat(server.url, connector, ANA);
    const offer = await teams.say('my account is locked');
    expect(teams.buttons(offer)).toEqual(["I'll do it myself", "I'll wait"]);
    expect(teams.text(await teams.click(offer, "I'll do it myself"))).toMatch(/aka\.ms\/sspr/);
  });

  it('"someone else is using my account": sign out everywhere after confirmation, then a high-priority ticket', async () => {
    const teams = teamsChat(server.url, connector, ANA);
    const offer = await teams.say('someone else is using my account');
    const confirm = await teams.click(offer, 'Sign me out everywhere');
    expect(graph.users.get(ANA.aadObjectId)?.revokedAt).toBeUndefined();
    const done = await teams.click(confirm, 'Yes');
    expect(graph.users.get(ANA.aadObjectId)?.revokedAt).toBeDefined();
    expect(teams.text(done)).toMatch(/signed out everywhere/);
    const ticketButton = teams.buttons(done).find((t) => /yes|ticket|create/i.test(t ?? ''));
    expect(ticketButton).toBeDefined();
    await teams.click(done, ticketButton as string);
    const row = await new Promise<Record<string, unknown> | undefined>((resolve) => {
      const started = Date.now();
      const poll = () => {
        const r = sqliteDb(server.app).prepare('SELECT packet_json FROM ticket_outbox ORDER BY rowid DESC LIMIT 1').get() as Record<string, unknown> | undefined;
        if (r || Date.now() - started > 10_000) resolve(r);
        else setTimeout(poll, 50);
      };
      poll();
    });
    const packet = JSON.parse(String(row?.packet_json)) as { priority: string; queue: string; flow: { path: Array<{ stepId: string; answer?: string }> } };
    expect([packet.priority, packet.queue]).toEqual(['high', 'security']);
    expect(packet.flow.path.find((p) => p.stepId === 'revoke')?.answer).toMatch(/^ok: Entra ID: sign-in sessions revoked/);
    expect(sqliteDb(server.app).prepare('SELECT action, provider, outcome FROM action_audit').all()).toEqual([{ action: 'directory.revokeSessions', provider: 'entra', outcome: 'ok' }]);
  });
});
