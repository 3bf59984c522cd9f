import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHandoffMessage } from '../../src/channels/slack/blocks.js';
import { startSlackApiServer, type SlackApiServer } from '../helpers/slack-api-server.js';
import { eventBody, nextTs, now, send, slackSignature } from '../helpers/slack-events.js';
import { makePacket } from '../tickets/fixtures/packet.js';
import { startTestApp, type TestApp } from '../server/start.js';

/**
 * Issue 15, Low (Slack): a signed request replayed after a restart is not answered again, a
 * timestamp from the future is refused, `actions: null` is a clean 400, the handoff card's
 * notification text is escaped, and debug logs carry no e-mail address from users.info.
 */

const TOKEN = 'xoxb-1111-2222-securitytest';
const SECRET = 'c0ffee11b10e8888abcd99yyyzzz85a5';
const USER = 'U0SECURITY1';
const DM = 'D0SECURITY1';
const EMAIL = 'lea.secret-address@example.com';

describe('Slack trust boundary', () => {
  let slack: SlackApiServer;
  let server: TestApp;
  const dataRoot = mkdtempSync(join(tmpdir(), 'helpdesk-slack-sec-'));
  const log: string[] = [];
  const start = () => {
    const sink = new Writable({ write(chunk, _enc, done) { log.push(String(chunk)); done(); } });
    return startTestApp({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url, DATA_DIR: join(dataRoot, 'data') }, { logger: pino({ level: 'debug' }, sink) });
  };

  beforeAll(async () => {
    slack = await startSlackApiServer(TOKEN);
    slack.users.set(USER, { id: USER, name: 'lea', real_name: 'Léa Martin', locale: 'en-US', profile: { email: EMAIL, real_name: 'Léa Martin' } });
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
    await slack?.close();
    rmSync(dataRoot, { recursive: true, force: true });
  });

  const posts = () => slack.of('chat.postMessage').filter((c) => c.args.channel === DM).length;
  const dm = (text: string) => ({ type: 'message', channel: DM, channel_type: 'im', user: USER, text, ts: nextTs(), client_msg_id: randomUUID() });
  const until = async (probe: () => boolean) => {
    for (let i = 0; i < 300 && !probe(); i++) await new Promise((r) => setTimeout(r, 50));
  };

  it('a signed event replayed after a restart is acknowledged but not answered again', async () => {
    const body = eventBody(dm('my vpn does not connect'));
    const headers = slackSignature(body, now(), SECRET);
    const before = posts();
    expect((await send(server.url, body, 'application/json', headers)).status).toBe(200);
    await until(() => posts() > before);
    const answered = posts();
    expect(answered).toBeGreaterThan(before);

    await server.app.close();
    server = await start();
    expect((await send(server.url, body, 'application/json', headers)).status).toBe(200);
    // A later message is answered: once it is, the replay had its chance to be answered too.
    const later = eventBody(dm('the printer does not print'));
    await send(server.url, later, 'application/json', slackSignature(later, now(), SECRET));
    await until(() => posts() > answered);
    await new Promise((r) => setTimeout(r, 300));
    expect(posts()).toBe(answered + 1);
  });

  it('refuses a timestamp more than five minutes in the future (and in the past)', async () => {
    const before = posts();
    for (const offset of [365 * 24 * 3600, 6 * 60, -6 * 60]) {
      const body = eventBody(dm('my vpn does not connect'));
      const res = await send(server.url, body, 'application/json', slackSignature(body, now() + offset, SECRET));
      expect(res.status, String(offset)).toBe(401);
    }
    expect(posts()).toBe(before);
  });

  it('answers a signed block_actions payload with actions: null with 400, not 500', async () => {
    const payload = JSON.stringify({ type: 'block_actions', user: { id: USER }, actions: null, container: { type: 'message', message_ts: nextTs(), channel_id: DM }, trigger_id: 'x' });
    const body = `payload=${encodeURIComponent(payload)}`;
    const res = await send(server.url, body, 'application/x-www-form-urlencoded', slackSignature(body, now(), SECRET));
    expect(res.status).toBe(400);
  });

  it('escapes <!channel> and <url|label> in the handoff card notification text', () => {
    const message = renderHandoffMessage(makePacket({ question: 'help <!channel> see <https://evil.example/login|the login page> & more' }));
    expect(message.text).not.toMatch(/<!channel>|<https:/);
    expect(message.text).toContain('&lt;!channel&gt;');
    expect(message.text).toContain('&amp; more');
  });

  it('debug logs hold no e-mail address from users.info', () => {
    expect(slack.of('users.info').length).toBeGreaterThan(0);
    const text = log.join('');
    expect(text).toMatch(/"component":"slack"/);
    expect(text).not.toContain(EMAIL);
  });
});
