import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBotConnectorServer, type BotConnectorServer } from '../helpers/bot-connector-server.js';
import { startServerProcess, until, type ServerProcess } from '../helpers/server-process.js';
import { SwitchableProxy } from '../helpers/switchable-proxy.js';
import { createServiceNowServer, SN_CREDENTIALS } from '../tickets/servers/servicenow.js';
import { baseEnv, postActivity, teamsActivity, chat, choices, query, tempDir } from './helpers.js';

/**
 * The ticket system (a ServiceNow Table API server) is unreachable while people escalate, from the
 * web chat and from Teams; the bot process is even killed during the outage and restarted. When
 * ServiceNow comes back (and its first answer is lost on the way), every escalation becomes
 * exactly one incident and every user is told its number.
 */

const isCreate = (r: { method: string; path: string }) => r.method === 'POST' && r.path === '/api/now/table/incident';

describe('ticket system down for a while, then back (end to end through the server)', () => {
  const dir = tempDir('outage');
  const dataDir = join(dir, 'data');
  const db = join(dataDir, 'helpdesk.db');
  const sn = createServiceNowServer();
  let proxy: SwitchableProxy;
  let connector: BotConnectorServer;
  const servers: ServerProcess[] = [];

  afterAll(async () => {
    for (const s of servers) await s.kill9();
    await proxy?.down();
    await sn.server.stop();
    await connector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const s = await startServerProcess({
      env: {
        ...baseEnv(dataDir),
        TICKET_PROVIDER: 'servicenow',
        SERVICENOW_INSTANCE_URL: proxy.url,
        SERVICENOW_USERNAME: SN_CREDENTIALS.username,
        SERVICENOW_PASSWORD: SN_CREDENTIALS.password,
        TICKET_HTTP_TIMEOUT_MS: '1000',
        TICKET_OUTBOX_LEASE_MS: '8000',
        TICKET_OUTBOX_BASE_DELAY_MS: '200',
        TICKET_OUTBOX_MAX_DELAY_MS: '2000',
        TICKET_OUTBOX_MAX_ATTEMPTS: '100',
      },
    });
    servers.push(s);
    return s;
  };

  async function teamsMessage(url: string, id: string, input: Record<string, unknown>) {
    const res = await postActivity(url, teamsActivity(connector.url, 'a:outage-teams-conversation', { id: '29:outage-teams-user', name: 'Outage Teams' }, { id, locale: 'fr-FR', ...input }));
    expect(res.status).toBe(200);
  }

  it('delivers every escalation exactly once and tells every user the number', async () => {
    await sn.server.start();
    proxy = new SwitchableProxy(Number(new URL(sn.server.url).port));
    await proxy.up();
    await proxy.down();
    connector = await startBotConnectorServer();
    const a = await start();

    const users = Array.from({ length: 4 }, (_, i) => ({ conversationId: `outage-web-${i}`, userId: `outage-web-user-${i}` }));
    for (const [i, u] of users.entries()) {
      const prompt = await chat(a.url, { ...u, messageId: `outage-web-${i}-1`, text: 'I want to talk to a technician' });
      expect(choices(prompt, 'escalate').length).toBeGreaterThan(0);
      const opening = await chat(a.url, { ...u, messageId: `outage-web-${i}-2`, text: `the badge reader on floor ${i + 2} refuses my card` });
      expect(opening.replies.some((m) => m.parts.some((p) => p.kind === 'ticket' && p.state === 'opening'))).toBe(true);
    }
    await teamsMessage(a.url, 'outage-teams-1', { text: 'je veux parler à un technicien' });
    await teamsMessage(a.url, 'outage-teams-2', { text: "mon écran externe n'est plus détecté depuis ce matin" });

    // Several delivery attempts fail while ServiceNow is unreachable…
    await until(
      () => {
        const rows = query<{ attempts: number }>(db, `SELECT attempts FROM ticket_outbox`);
        return rows.length === 5 && rows.every((r) => r.attempts >= 2) ? true : undefined;
      },
      'failed delivery attempts',
      30_000,
    );
    expect(sn.incidents).toHaveLength(0);
    // …the bot is killed in the middle of it, and comes back while ServiceNow is still down.
    await a.kill9();
    const b = await start();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(query<{ n: number }>(db, `SELECT COUNT(*) AS n FROM ticket_outbox WHERE status = 'delivered'`)[0]!.n).toBe(0);

    // ServiceNow is back; the answer to its first create is lost on the way.
    sn.server.failNext({ dropAfterHandling: true }, isCreate);
    await proxy.up();
    await until(
      () => (query<{ n: number }>(db, `SELECT COUNT(*) AS n FROM ticket_outbox WHERE status = 'delivered'`)[0]!.n === 5 ? true : undefined),
      'every escalation delivered',
      60_000,
    );

    const outbox = query<{ id: string; ticket_number: string; conversation_id: string }>(db, `SELECT id, ticket_number, conversation_id FROM ticket_outbox`);
    expect(sn.incidents).toHaveLength(5);
    expect(new Set(sn.incidents.map((i) => i.correlation_id))).toEqual(new Set(outbox.map((o) => o.id)));
    expect(new Set(outbox.map((o) => o.ticket_number)).size).toBe(5);
    for (const o of outbox) {
      await until(
        () =>
          query<{ n: number }>(db, `SELECT COUNT(*) AS n FROM conversation_turns WHERE direction = 'out' AND parts_json LIKE ?`, `%"number":"${o.ticket_number}"%`)[0]!.n >= 1
            ? true
            : undefined,
        `the user told ${o.ticket_number}`,
        10_000,
      );
    }
    // The Teams user gets the number as a new message in their chat.
    const teamsNumber = outbox.find((o) => o.conversation_id === 'a:outage-teams-conversation')?.ticket_number;
    expect(teamsNumber).toBeDefined();
    await connector.waitFor((calls) => calls.some((c) => c.op === 'send' && JSON.stringify(c.activity).includes(teamsNumber!)), 10_000);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
  }, 300_000);
});
