import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TechnicianAction, TechnicianEvents, TechnicianMessage } from '../../../src/engine/contract.js';
import { TAKE_HANDOFF_ACTION } from '../../../src/channels/handoff-summary.js';
import { translator } from '../../../src/engine/i18n.js';
import { BOT_ID, BOT_USER_ID, startSlackApiServer, type SlackApiServer } from '../../helpers/slack-api-server.js';
import { buttonsOf, click as clickButton, eventBody, nextTs, now, postEvent as postSlackEvent, send, slackSignature, type PostedButton } from '../../helpers/slack-events.js';
import { startTestApp, type TestApp } from '../../server/start.js';

/**
 * Slack over HTTP, as Slack sends it: signed Events API callbacks and form-encoded interactivity
 * payloads POSTed to /api/slack/events of the real server; the bot's Web API calls go to a local
 * Slack API server that checks the bot token and records them.
 */

const TOKEN = 'xoxb-1111-2222-helpdesktest';
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const USER = 'U0EMPLOYEE1';
const TECH = 'U0TECHNIC01';
const DM = 'D0DIRECTMSG';
const CHANNEL = 'C0GENERAL01';
const TECHNICIANS = 'C0TECHNICIA';

const sign = (body: string, timestamp: number, secret = SECRET): Record<string, string> => slackSignature(body, timestamp, secret);
const postEvent = (url: string, event: Record<string, unknown>, options?: { eventId?: string; headers?: Record<string, string>; timestamp?: number }) =>
  postSlackEvent(url, SECRET, event, options);
const click = (url: string, message: { channel: string; ts: string; text?: unknown; blocks?: unknown; thread_ts?: unknown }, button: PostedButton, user = USER) =>
  clickButton(url, SECRET, message, button, user);

function dm(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'message', channel: DM, channel_type: 'im', user: USER, text, ts: nextTs(), client_msg_id: randomUUID(), ...extra };
}

/** Another employee's direct message channel: a conversation of its own, whatever the other tests left. */
const OTHER_DM = 'D0OTHERDM01';

describe('Slack channel over HTTP', () => {
  let slack: SlackApiServer;
  let server: TestApp;
  const technicianMessages: TechnicianMessage[] = [];
  const technicianActions: TechnicianAction[] = [];

  beforeAll(async () => {
    slack = await startSlackApiServer(TOKEN);
    slack.users.set(USER, { id: USER, name: 'lea', real_name: 'Léa Martin', locale: 'fr-FR', profile: { email: 'lea.martin@example.com', real_name: 'Léa Martin' } });
    slack.users.set(TECH, { id: TECH, name: 'sam', real_name: 'Sam Tech', profile: { email: 'sam@example.com' } });
    const recorder: TechnicianEvents = {
      onTechnicianMessage: async (m) => void technicianMessages.push(m),
      onTechnicianAction: async (a) => void technicianActions.push(a),
    };
    server = await startTestApp(
      { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url, SLACK_TECHNICIANS_CHANNEL: TECHNICIANS },
      { technicians: () => recorder },
    );
  });

  afterAll(async () => {
    await server?.stop();
    await slack?.close();
  });

  beforeEach(() => {
    slack.delays.clear();
  });

  const posts = (channel: string): Array<Record<string, unknown>> => slack.of('chat.postMessage').map((c) => c.args).filter((a) => a.channel === channel);

  it('answers the url_verification handshake', async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
    const res = await send(server.url, body, 'application/json', sign(body, now()));
    expect(res.status).toBe(200);
    expect(res.text).toContain('challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
  });

  it('answers a signed direct message with Block Kit, acknowledging before the work is done', async () => {
    // Slack is slow: the event must still be acknowledged at once, and answered afterwards.
    slack.delays.set('chat.postMessage', 1500);
    const before = posts(DM).length;
    const res = await postEvent(server.url, dm('my vpn does not connect'));
    expect(res.status).toBe(200);
    // Acknowledged while the reply was still on its way to Slack.
    expect(posts(DM).length).toBe(before);
    await slack.waitFor(() => posts(DM).length > before);
    const reply = posts(DM).at(-1)!;
    expect(reply.thread_ts).toBeUndefined();
    const blocks = reply.blocks as Array<{ type: string; elements?: Array<{ text?: string }> }>;
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(blocks)).toMatch(/1\. /);
    expect(blocks.some((b) => b.type === 'context' && JSON.stringify(b).includes('Source'))).toBe(true);
    expect(buttonsOf(blocks).map((b) => b.action_id)).toContain('helpdesk.action.0');
    expect(slack.of('users.info').map((c) => c.args.user)).toContain(USER);
    expect(slack.of('auth.test').length).toBeGreaterThan(0);
  });

  it('rejects a bad signature with 401 and does nothing', async () => {
    const before = slack.calls.length;
    const body = eventBody(dm('my vpn does not connect'));
    const res = await send(server.url, body, 'application/json', sign(body, now(), 'not-the-signing-secret-00000000'));
    expect(res.status).toBe(401);
    const tampered = await send(server.url, body.replace('vpn', 'wifi'), 'application/json', sign(body, now()));
    expect(tampered.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.calls.length).toBe(before);
  });

  it('rejects a correctly signed request older than five minutes with 401 (replay)', async () => {
    const before = slack.calls.length;
    const res = await postEvent(server.url, dm('my vpn does not connect'), { timestamp: now() - 6 * 60 });
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.calls.length).toBe(before);
  });

  it('answers a slow turn once although Slack retries the event', async () => {
    slack.delays.set('chat.postMessage', 700);
    const event = dm('outlook keeps asking for my password');
    const eventId = 'Ev0RETRY00001';
    const before = posts(DM).length;
    expect((await postEvent(server.url, event, { eventId })).status).toBe(200);
    // Slack's retries carry the same event_id and the retry headers.
    expect((await postEvent(server.url, event, { eventId, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    await slack.waitFor(() => posts(DM).length > before);
    expect((await postEvent(server.url, event, { eventId, headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    // The same message delivered under another event id (client_msg_id) is a duplicate too.
    expect((await postEvent(server.url, event)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(posts(DM).length).toBe(before + 1);
  });

  it('answers an @mention in a channel in its thread, with the mention stripped, and ignores the message twin', async () => {
    const ts = nextTs();
    const clientMsgId = randomUUID();
    const text = `<@${BOT_USER_ID}> my vpn does not connect`;
    await postEvent(server.url, { type: 'app_mention', channel: CHANNEL, user: USER, text, ts, client_msg_id: clientMsgId });
    // Slack also sends the same message as message.channels.
    await postEvent(server.url, { type: 'message', channel: CHANNEL, channel_type: 'channel', user: USER, text, ts, client_msg_id: clientMsgId });
    await slack.waitFor(() => posts(CHANNEL).length > 0);
    await new Promise((r) => setTimeout(r, 500));
    const replies = posts(CHANNEL);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.thread_ts).toBe(ts);
    // The mention was stripped: the VPN article was found and cited.
    expect(JSON.stringify(replies[0]?.blocks)).toContain('VPN');
  });

  it('ignores plain channel messages that do not mention the bot, and its own messages', async () => {
    const before = slack.calls.length;
    await postEvent(server.url, { type: 'message', channel: CHANNEL, channel_type: 'channel', user: USER, text: 'lunch anyone?', ts: nextTs(), client_msg_id: randomUUID() });
    await postEvent(server.url, { type: 'message', subtype: 'bot_message', channel: DM, channel_type: 'im', bot_id: BOT_ID, text: 'hello', ts: nextTs() });
    await new Promise((r) => setTimeout(r, 400));
    expect(slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
  });

  it('handles a button click: chat.update of the clicked message, then the new replies', async () => {
    const before = posts(DM).length;
    await postEvent(server.url, dm('the printer does not print'));
    await slack.waitFor(() => posts(DM).length > before);
    const posted = slack.of('chat.postMessage').filter((c) => c.args.channel === DM).at(-1)!;
    const answer = posted.args;
    const no = buttonsOf(answer.blocks).find((b) => JSON.parse(b.value).v === 'no') ?? buttonsOf(answer.blocks)[0]!;
    const ts = String(posted.result.ts);
    const updatesBefore = slack.of('chat.update').length;
    const res = await click(server.url, { channel: DM, ts, text: answer.text, blocks: answer.blocks }, no);
    expect(res.status).toBe(200);
    await slack.waitFor(() => slack.of('chat.update').length > updatesBefore && posts(DM).length > before + 1);
    const update = slack.of('chat.update').at(-1)!.args;
    expect(update).toMatchObject({ channel: DM, ts });
    // The buttons are gone, replaced by what was answered.
    expect(buttonsOf(update.blocks)).toEqual([]);
    expect(JSON.stringify(update.blocks)).toContain(no.text.text);
    expect(slack.calls.findIndex((c) => c === slack.of('chat.update').at(-1))).toBeLessThan(slack.calls.lastIndexOf(slack.of('chat.postMessage').at(-1)!));
  });

  it('escalates from Slack: the ticket number arrives proactively with the requester e-mail from users.info', async () => {
    const before = posts(OTHER_DM).length;
    await postEvent(server.url, dm('I want to talk to a technician', { channel: OTHER_DM }));
    await slack.waitFor(() => posts(OTHER_DM).length > before);
    const confirmCall = slack.of('chat.postMessage').filter((c) => c.args.channel === OTHER_DM).at(-1)!;
    const confirm = confirmCall.args;
    const yes = buttonsOf(confirm.blocks).find((b) => JSON.parse(b.value).a === 'escalate' && JSON.parse(b.value).v === 'yes');
    expect(yes).toBeDefined();
    await click(server.url, { channel: OTHER_DM, ts: String(confirmCall.result.ts), text: confirm.text, blocks: confirm.blocks }, yes!);
    await slack.waitFor(() => posts(OTHER_DM).some((p) => /HD-\d{6}/.test(JSON.stringify(p.blocks))), 15_000);
    const item = (await server.app.outbox.deliveredItems()).find((i) => i.channel === 'slack');
    expect(item?.packet.user).toMatchObject({ id: USER, email: 'lea.martin@example.com', name: 'Léa Martin' });
  });

  it('routes the technicians channel to the handoff hook and posts the technicians card, in threads', async () => {
    const packet = (await server.app.outbox.deliveredItems()).find((i) => i.channel === 'slack')!.packet;
    const sent = await server.app.proactive.sendHandoffCard({ channel: 'slack', conversationId: TECHNICIANS }, packet, { lang: 'fr' });
    expect(sent.messageId).toMatch(/^\d+\.\d{6}$/);
    const card = posts(TECHNICIANS).at(-1)!;
    expect(JSON.stringify(card.blocks)).toContain(translator().t('fr', 'channels.technicians.take'));

    // A technician replies in the card's thread: relayed to the hook, not answered by the bot.
    const postsBefore = slack.of('chat.postMessage').length;
    await postEvent(server.url, { type: 'message', channel: TECHNICIANS, channel_type: 'channel', user: TECH, text: 'On it, can you restart?', ts: nextTs(), thread_ts: sent.messageId, client_msg_id: randomUUID() });
    await waitUntil(() => technicianMessages.length > 0);
    expect(technicianMessages[0]).toMatchObject({ address: { channel: 'slack', conversationId: TECHNICIANS, threadId: sent.messageId }, user: { id: TECH, email: 'sam@example.com' }, text: 'On it, can you restart?' });

    // "Take it" reaches the hook with the card to update.
    const take = buttonsOf(card.blocks)[0]!;
    expect(JSON.parse(take.value)).toMatchObject({ action: TAKE_HANDOFF_ACTION, escalationId: packet.id });
    await click(server.url, { channel: TECHNICIANS, ts: sent.messageId!, text: card.text, blocks: card.blocks }, take, TECH);
    await waitUntil(() => technicianActions.length > 0);
    expect(technicianActions[0]).toMatchObject({ payload: { action: TAKE_HANDOFF_ACTION }, sourceMessageId: sent.messageId, user: { id: TECH } });
    expect(slack.of('chat.postMessage').length).toBe(postsBefore);

    // The relay answers in the thread and marks the card as taken.
    const inThread = await server.app.proactive.send({ channel: 'slack', conversationId: TECHNICIANS, threadId: sent.messageId }, { lang: 'en', parts: [{ kind: 'text', text: 'User says: thanks' }] });
    expect(posts(TECHNICIANS).at(-1)).toMatchObject({ thread_ts: sent.messageId });
    expect(inThread.messageId).toBeDefined();
    await server.app.proactive.sendHandoffCard({ channel: 'slack', conversationId: TECHNICIANS }, packet, { takenBy: 'Sam Tech', replaceMessageId: sent.messageId! });
    const taken = slack.of('chat.update').at(-1)!.args;
    expect(taken).toMatchObject({ channel: TECHNICIANS, ts: sent.messageId });
    expect(buttonsOf(taken.blocks)).toEqual([]);
    expect(JSON.stringify(taken.blocks)).toContain('Sam Tech');
  });

  it('finishes an acknowledged turn before shutting down', async () => {
    slack.delays.set('chat.postMessage', 800);
    const channel = 'D0SHUTDOWN1';
    expect((await postEvent(server.url, dm('my wifi does not work', { channel }))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(posts(channel)).toHaveLength(0);
    await server.app.close();
    // Every reply of the turn was posted before the database closed.
    expect(posts(channel).length).toBeGreaterThan(0);
    const after = posts(channel).length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(posts(channel).length).toBe(after);
  });

  async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  }
});
