import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/engine/i18n.js';
import { startBotConnectorServer, type BotConnectorServer } from '../helpers/bot-connector-server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { baseEnv, postActivity, teamsActivity, chat, query, replyText, tempDir } from './helpers.js';

/**
 * The per-user rate limit on the real server (RATE_LIMIT_BURST=3, RATE_LIMIT_PER_MINUTE=6): past
 * the burst a user gets a friendly "please wait" in their language, from the web chat and Teams
 * alike; the refused messages are not handled nor stored; other users are not slowed down.
 */

const t = translator();
const limited = (lang: 'en' | 'fr') => new RegExp(`^${t.t(lang, 'limits.rate_limited').replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace('{seconds}', '\\d+')}$`);

describe('per-user rate limit', () => {
  const dir = tempDir('ratelimit');
  const db = join(dir, 'data', 'helpdesk.db');
  let server: ServerProcess;
  let connector: BotConnectorServer;

  beforeAll(async () => {
    connector = await startBotConnectorServer();
    server = await startServerProcess({ env: { ...baseEnv(join(dir, 'data')), RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_MINUTE: '6' } });
  }, 180_000);

  afterAll(async () => {
    await server?.kill9();
    await connector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const inbound = (conversation: string) =>
    query<{ n: number }>(db, `SELECT COUNT(*) AS n FROM conversation_turns t JOIN conversations c ON c.id = t.conversation_id WHERE c.channel_conversation_id = ? AND t.direction = 'in'`, conversation)[0]!.n;

  it('answers past the burst with a friendly message in English or French, and stores only what it handled', async () => {
    const en = { conversationId: 'ratelimit-en', userId: 'ratelimit-user-en', locale: 'en-US' };
    const fr = { conversationId: 'ratelimit-fr', userId: 'ratelimit-user-fr', locale: 'fr-FR' };
    const enReplies = [];
    for (let i = 0; i < 5; i++) enReplies.push(await chat(server.url, { ...en, messageId: `ratelimit-en-${i}`, text: 'my printer is offline again' }));
    const frReplies = [];
    for (let i = 0; i < 4; i++) frReplies.push(await chat(server.url, { ...fr, messageId: `ratelimit-fr-${i}`, text: "mon imprimante n'imprime plus rien" }));

    expect(enReplies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    for (const r of enReplies.slice(0, 3)) expect(replyText(r)).not.toMatch(limited('en'));
    for (const r of enReplies.slice(3)) expect(replyText(r)).toMatch(limited('en'));
    expect(replyText(frReplies[3]!)).toMatch(limited('fr'));
    expect(frReplies[3]!.replies[0]!.lang).toBe('fr');
    expect(inbound('ratelimit-en')).toBe(3);
    expect(inbound('ratelimit-fr')).toBe(3);

    // Someone else is served normally.
    const other = await chat(server.url, { conversationId: 'ratelimit-other', userId: 'ratelimit-user-other', text: 'my printer is offline again' });
    expect(replyText(other)).not.toMatch(limited('en'));
  });

  it('limits Teams users the same way', async () => {
    const before = connector.messages().length;
    for (let i = 0; i < 4; i++) {
      const res = await postActivity(
        server.url,
        teamsActivity(connector.url, 'a:ratelimit-teams', { id: '29:ratelimit-teams-user', name: 'Rate Limited' }, { id: `ratelimit-teams-${i}`, text: 'teams camera is black' }),
      );
      expect(res.status).toBe(200);
    }
    const last = connector.messages().slice(before).at(-1);
    expect(String(last?.activity?.text)).toMatch(limited('en'));
    expect(inbound('a:ratelimit-teams')).toBe(3);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/helpdesk_rate_limited_total\{channel="web"\} 3/);
    expect(metrics).toMatch(/helpdesk_rate_limited_total\{channel="teams"\} 1/);
  });
});
