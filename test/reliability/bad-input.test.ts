import { createHmac, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/engine/i18n.js';
import { startBotConnectorServer, type BotConnectorServer } from '../helpers/bot-connector-server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { BOT_USER_ID, TEAM_ID, startSlackApiServer, type SlackApiServer } from '../helpers/slack-api-server.js';
import { baseEnv, postActivity, teamsActivity, openReadOnly, query, tempDir } from './helpers.js';

/**
 * Hostile or broken input on every entry point of the real server process — web chat, Bot
 * Framework, Slack: empty, 100 KB, binary, invalid UTF-8, malformed activities and payloads,
 * unknown buttons. Each gets a clear reply or a 4xx (never a 5xx), nothing corrupt is stored,
 * and the process is still up and ready at the end.
 */

const TOKEN = 'xoxb-1111-2222-badinput';
const SECRET = '0123456789abcdef0123456789abcdef';
const t = translator();

const INVALID_UTF8 = Buffer.from([0x63, 0x61, 0x66, 0xc3, 0x28, 0x20, 0xff, 0xfe, 0x20, 0xed, 0xa0, 0x80, 0x20, 0x76, 0x70, 0x6e]);
const HUNDRED_KB = 'my vpn is broken '.repeat(6_100);

interface Answer {
  status: number;
  body: string;
}

async function raw(url: string, body: Buffer | string, contentType: string, headers: Record<string, string> = {}): Promise<Answer> {
  // The web chat runs behind a signing-in proxy here (baseEnv): this process is that proxy.
  const proxy: Record<string, string> = new URL(url).pathname.startsWith('/api/chat') ? { 'x-forwarded-user': 'badinput-web-user' } : {};
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...proxy, ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, body: await res.text() };
}

/** No lone surrogate: the string encodes to UTF-8 and back unchanged. */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** A JSON document whose `text` field carries the given raw bytes (not valid UTF-8 on purpose). */
function jsonWithRawText(prefix: string, bytes: Buffer, suffix: string): Buffer {
  return Buffer.concat([Buffer.from(prefix), bytes, Buffer.from(suffix)]);
}

describe('bad input on every entry point', () => {
  const dir = tempDir('badinput');
  const db = join(dir, 'data', 'helpdesk.db');
  let server: ServerProcess;
  let connector: BotConnectorServer;
  let slack: SlackApiServer;
  const statuses: Array<[string, number]> = [];
  const record = (what: string, a: Answer) => {
    statuses.push([what, a.status]);
    return a;
  };

  beforeAll(async () => {
    connector = await startBotConnectorServer();
    slack = await startSlackApiServer(TOKEN);
    server = await startServerProcess({
      env: { ...baseEnv(join(dir, 'data')), SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url },
    });
  }, 180_000);

  afterAll(async () => {
    await server?.kill9();
    await connector?.close();
    await slack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('web chat: 4xx for what cannot be a message, a clear reply for what can', async () => {
    const api = `${server.url}/api/chat`;
    const json = (body: unknown) => JSON.stringify(body);
    const base = { conversationId: 'badinput-web', user: { id: 'badinput-web-user' } };
    expect(record('web empty', await raw(api, '', 'application/json')).status).toBe(400);
    expect(record('web {}', await raw(api, '{}', 'application/json')).status).toBe(400);
    expect(record('web empty text', await raw(api, json({ ...base, text: '' }), 'application/json')).status).toBe(400);
    expect(record('web blank text', await raw(api, json({ ...base, text: ' \n\t ' }), 'application/json')).status).toBe(400);
    expect(record('web control characters only', await raw(api, json({ ...base, text: '\u0000\u001b\u0007' }), 'application/json')).status).toBe(400);
    // The API reads messages up to 20,000 characters (README, Long messages) in bodies up to 128 KB:
    // a 100 KB text is a clear 400 naming the limit, a bigger body a 413.
    const hundredKb = record('web 100 KB', await raw(api, json({ ...base, text: HUNDRED_KB }), 'application/json'));
    expect(hundredKb.status).toBe(400);
    expect(hundredKb.body).toContain('20,000 characters');
    expect(record('web 200 KB', await raw(api, json({ ...base, text: HUNDRED_KB + HUNDRED_KB }), 'application/json')).status).toBe(413);
    expect(record('web binary as JSON', await raw(api, randomBytes(2048), 'application/json')).status).toBe(400);
    expect(record('web binary', await raw(api, randomBytes(2048), 'application/octet-stream')).status).toBe(400);
    expect(record('web payload not an object', await raw(api, json({ ...base, action: { payload: 'x' } }), 'application/json')).status).toBe(400);
    expect(record('web text and action', await raw(api, json({ ...base, text: 'hi', action: { payload: {} } }), 'application/json')).status).toBe(400);
    expect(record('web bad conversation id', await raw(api, json({ ...base, conversationId: '../../etc', text: 'hi' }), 'application/json')).status).toBe(400);
    expect(record('web events bad id', { status: (await fetch(`${server.url}/api/chat/events?conversationId=%00`)).status, body: '' }).status).toBe(400);

    const utf8 = record(
      'web invalid UTF-8',
      await raw(api, jsonWithRawText('{"conversationId":"badinput-utf8","user":{"id":"badinput-web-user"},"text":"', INVALID_UTF8, '"}'), 'application/json'),
    );
    expect(utf8.status).toBe(200);
    expect(JSON.parse(utf8.body).replies.length).toBeGreaterThan(0);
    const surrogate = record('web lone surrogate', await raw(api, '{"conversationId":"badinput-surrogate","user":{"id":"badinput-web-user"},"text":"vpn \\ud800 down"}', 'application/json'));
    expect(surrogate.status).toBe(200);

    const unknown = record('web unknown button', await raw(api, json({ ...base, action: { payload: { a: 'no-such-action', x: 1 } } }), 'application/json'));
    expect(unknown.status).toBe(200);
    expect(unknown.body).toContain("couldn't read that button");
    expect(t.t('en', 'dialogue.action.invalid')).toContain("couldn't read that button");
  });

  it('Bot Framework: 4xx for malformed activities, a clear reply for unreadable messages', async () => {
    const api = `${server.url}/api/messages`;
    const activity = (extra: Record<string, unknown>) =>
      teamsActivity(connector.url, 'a:badinput-teams', { id: '29:badinput-user', name: 'Bad Input' }, { id: `badinput-${randomBytes(4).toString('hex')}`, ...extra });
    const post = (body: unknown) => raw(api, JSON.stringify(body), 'application/json');
    expect(record('bf empty', await raw(api, '', 'application/json')).status).toBe(400);
    expect(record('bf {}', await post({})).status).toBe(400);
    expect(record('bf binary', await raw(api, randomBytes(4096), 'application/json')).status).toBe(400);
    expect(record('bf no serviceUrl', await post({ ...activity({ text: 'hi' }), serviceUrl: undefined })).status).toBe(400);
    expect(record('bf type not a string', await post(activity({ type: 42, text: 'hi' }))).status).toBe(400);
    expect(record('bf no conversation', await post({ ...activity({ text: 'hi' }), conversation: null })).status).toBe(400);
    expect(record('bf 100 KB text', await post(activity({ text: HUNDRED_KB }))).status).toBe(400);
    expect(record('bf 300 KB', await post(activity({ text: 'x', channelData: { padding: 'y'.repeat(300_000) } }))).status).toBe(413);
    expect(record('bf foreign serviceUrl', await post(activity({ text: 'hi', serviceUrl: 'https://attacker.example.com/' }))).status).toBe(403);

    const messagesBefore = connector.messages().length;
    expect(record('bf invalid UTF-8', await raw(api, jsonWithRawText(JSON.stringify(activity({ text: 'PLACEHOLDER' })).split('PLACEHOLDER')[0]!, INVALID_UTF8, JSON.stringify(activity({ text: 'PLACEHOLDER' })).split('PLACEHOLDER')[1]!, ), 'application/json')).status).toBe(200);
    expect(record('bf unknown button', await post(activity({ value: { verb: 'helpdesk.action', payload: { a: 'no-such-action' } } }))).status).toBe(200);
    expect(record('bf unknown verb', await post(activity({ value: { verb: 'something.else', payload: 7 } }))).status).toBe(200);
    expect(record('bf attachment only', await post(activity({ attachments: [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1/x.png' }] }))).status).toBe(200);
    await connector.waitFor(() => connector.messages().length >= messagesBefore + 4);
    const texts = connector.messages().slice(messagesBefore).map((c) => JSON.stringify(c.activity));
    expect(texts.some((x) => x.includes(t.t('en', 'notices.text_only').slice(0, 20)))).toBe(true);
  });

  it('Slack: 401 unsigned, 4xx malformed, a clear reply for unreadable events and buttons', async () => {
    const api = `${server.url}/api/slack/events`;
    const now = () => Math.floor(Date.now() / 1000);
    const signed = (body: string | Buffer, contentType = 'application/json') => {
      const ts = now();
      const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:`).update(body).digest('hex')}`;
      return raw(api, body, contentType, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature });
    };
    const event = (e: Record<string, unknown>) =>
      JSON.stringify({ team_id: TEAM_ID, api_app_id: 'A0BADINPUT', type: 'event_callback', event_id: `Ev${randomBytes(5).toString('hex')}`, event_time: now(), authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true }], event: e });
    const dm = (extra: Record<string, unknown>) => ({ type: 'message', channel: 'D0BADINPUT1', channel_type: 'im', user: 'U0BADINPUT1', ts: `${now()}.${randomBytes(3).readUIntBE(0, 3)}`, ...extra });

    expect(record('slack unsigned', await raw(api, event(dm({ text: 'hi' })), 'application/json')).status).toBe(401);
    expect(record('slack empty signed', await signed('')).status).toBeLessThan(500);
    expect(record('slack binary signed', await signed(randomBytes(1024))).status).toBeLessThan(500);
    expect(record('slack malformed JSON', await signed('{"type": "event_callback", "event": {')).status).toBeLessThan(500);
    expect(record('slack event missing', await signed(JSON.stringify({ type: 'event_callback', team_id: TEAM_ID, event_id: 'Ev0MISSING' }))).status).toBeLessThan(500);
    expect(record('slack payload not JSON', await signed('payload=%7Bnot-json', 'application/x-www-form-urlencoded')).status).toBeLessThan(500);
    expect(record('slack payload unknown type', await signed(`payload=${encodeURIComponent(JSON.stringify({ type: 'something_new', user: { id: 'U0BADINPUT1' } }))}`, 'application/x-www-form-urlencoded')).status).toBeLessThan(500);
    expect(record('slack 300 KB', await signed(event(dm({ text: 'z'.repeat(300_000) })))).status).toBe(413);

    const postsBefore = slack.of('chat.postMessage').length;
    expect(record('slack 100 KB text', await signed(event(dm({ text: HUNDRED_KB, client_msg_id: 'badinput-100kb' })))).status).toBe(200);
    const prefix = event(dm({ text: 'PLACEHOLDER', client_msg_id: 'badinput-utf8' })).split('PLACEHOLDER');
    // Slack never sends invalid UTF-8; such bytes cannot carry a matching signature once decoded, so 401 is right too.
    expect(record('slack invalid UTF-8', await signed(jsonWithRawText(prefix[0]!, INVALID_UTF8, prefix[1]!))).status).toBeLessThan(500);
    const unknownButton = {
      type: 'block_actions',
      team: { id: TEAM_ID },
      user: { id: 'U0BADINPUT1' },
      api_app_id: 'A0BADINPUT',
      channel: { id: 'D0BADINPUT1' },
      container: { type: 'message', channel_id: 'D0BADINPUT1', message_ts: '1700000000.000100', is_ephemeral: false },
      message: { ts: '1700000000.000100', text: 'old', blocks: [] },
      actions: [{ type: 'button', action_id: 'helpdesk.action.0', block_id: 'b', value: '{"a":"no-such-action"', action_ts: `${now()}.1` }],
    };
    expect(record('slack unknown button', await signed(`payload=${encodeURIComponent(JSON.stringify(unknownButton))}`, 'application/x-www-form-urlencoded')).status).toBeLessThan(500);
    // The long message is answered (a notice that only its start was read, then the answer), and so
    // is the unreadable button (in words, not silence).
    const postedSince = () => slack.of('chat.postMessage').slice(postsBefore).map((c) => JSON.stringify(c.args));
    await slack.waitFor(() => postedSince().some((p) => p.includes("couldn't read that button")) && postedSince().length >= 3, 15_000);
    const posted = postedSince();
    expect(posted.some((p) => p.includes("couldn't read that button"))).toBe(true);
    expect(posted.some((p) => p.includes('Your message is long'))).toBe(true);
    expect(posted.some((p) => p.includes('VPN'))).toBe(true);
  });

  it('never answered 5xx, stored nothing corrupt, and is still up', async () => {
    expect(statuses.filter(([, s]) => s >= 500)).toEqual([]);
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const conn = openReadOnly(db);
    try {
      expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      conn.close();
    }
    const turns = query<{ text: string; action_json: string | null; replies_json: string | null }>(db, `SELECT text, action_json, replies_json FROM conversation_turns`);
    expect(turns.length).toBeGreaterThan(0);
    for (const turn of turns) {
      for (const value of [turn.text, turn.action_json ?? '', turn.replies_json ?? '']) {
        expect(wellFormed(value)).toBe(true);
        expect(value).not.toContain('\u0000');
        expect(value.length).toBeLessThanOrEqual(64_000);
      }
    }
    // Rejected requests left no trace: only the conversations that were answered exist.
    const conversations = query<{ channel_conversation_id: string }>(db, `SELECT channel_conversation_id FROM conversations`).map((c) => c.channel_conversation_id);
    expect(conversations).not.toContain('../../etc');
    expect(conversations.every(wellFormed)).toBe(true);
  });
});
