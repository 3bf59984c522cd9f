import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../../src/engine/i18n.js';
import { startBotConnectorServer, type BotConnectorServer, type ConnectorCall } from '../../helpers/bot-connector-server.js';
import { postJson, startTestApp, type TestApp } from '../../server/start.js';
import { cardProblems, findAll } from './adaptive-card.js';

/**
 * A Bot Framework conversation as the Emulator runs it: activities POSTed to /api/messages of the
 * real server (local mode, no credentials) with serviceUrl pointing at a local Bot Connector
 * server that records the bot's replies. Activities look like Teams' (channelId "msteams",
 * tenant, aadObjectId) so the roster lookup (TeamsInfo) is exercised too.
 */

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const BOT = { id: '28:0b1c2d3e-bot', name: 'IT Helpdesk' };
const USER = { id: '29:1a2b3c-user', name: 'Léa Martin', aadObjectId: '6f0a3c7e-1d2b-4e5f-8a9b-0c1d2e3f4a5b' };
const PERSONAL = 'a:1personal-chat-with-lea';
const COLLEAGUE = { id: '29:9z8y7x-colleague', name: 'Noah Petit', aadObjectId: '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5' };

type Activity = Record<string, unknown>;

describe('Teams / Bot Framework channel over HTTP', () => {
  let connector: BotConnectorServer;
  let server: TestApp;
  const t = translator();

  beforeAll(async () => {
    connector = await startBotConnectorServer();
    connector.members.set(USER.id, {
      id: USER.id,
      name: USER.name,
      aadObjectId: USER.aadObjectId,
      email: 'lea.martin@example.com',
      userPrincipalName: 'lea.martin@example.com',
      tenantId: TENANT,
    });
    connector.members.set(COLLEAGUE.id, { id: COLLEAGUE.id, name: COLLEAGUE.name, aadObjectId: COLLEAGUE.aadObjectId, email: 'noah.petit@example.com', tenantId: TENANT });
    server = await startTestApp();
  });

  afterAll(async () => {
    await server?.stop();
    await connector?.close();
  });

  function activity(overrides: Activity = {}): Activity {
    return {
      type: 'message',
      id: `f:${randomUUID()}`,
      timestamp: new Date().toISOString(),
      localTimestamp: new Date().toISOString(),
      serviceUrl: connector.url,
      channelId: 'msteams',
      from: USER,
      recipient: BOT,
      conversation: { id: PERSONAL, conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      locale: 'en-US',
      textFormat: 'plain',
      ...overrides,
    };
  }

  /** POSTs an activity and returns the bot's messages sent in response. */
  async function turn(a: Activity, expectMessages = 1): Promise<ConnectorCall[]> {
    const before = connector.messages().length;
    const res = await postJson(`${server.url}/api/messages`, a);
    expect(res.status).toBe(200);
    await connector.waitFor(() => connector.messages().length >= before + expectMessages);
    return connector.messages().slice(before);
  }

  const cardOf = (call: ConnectorCall | undefined): Record<string, unknown> => {
    const attachments = call?.activity?.attachments as Array<{ contentType: string; content: Record<string, unknown> }> | undefined;
    const card = attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
    if (!card) throw new Error(`no adaptive card in ${JSON.stringify(call?.activity)}`);
    return card;
  };

  const submits = (card: unknown): Array<{ title: string; data: { verb: string; payload: Record<string, unknown> } }> =>
    findAll(card, 'Action.Submit') as unknown as Array<{ title: string; data: { verb: string; payload: Record<string, unknown> } }>;

  it('welcomes the user when the app is installed (conversationUpdate), in their language', async () => {
    const [welcome] = await turn(
      activity({ type: 'conversationUpdate', membersAdded: [{ id: BOT.id }], locale: 'fr-FR', text: undefined }),
    );
    expect(welcome?.conversationId).toBe(PERSONAL);
    expect(welcome?.activity?.text).toBe(t.t('fr', 'dialogue.greeting_anonymous'));
  });

  it('does not welcome again when someone else joins', async () => {
    const before = connector.messages().length;
    const res = await postJson(`${server.url}/api/messages`, activity({ type: 'conversationUpdate', membersAdded: [{ id: '29:someone-else' }] }));
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(connector.messages().length).toBe(before);
  });

  let answerCard: Record<string, unknown>;
  let answerActivityId: string;

  it('answers a question with a valid Adaptive Card (steps, citation, buttons), after a typing indicator', async () => {
    const question = activity({ text: 'my vpn does not connect' });
    const callsBefore = connector.calls.length;
    const [reply] = await turn(question);
    answerCard = cardOf(reply);
    answerActivityId = reply!.activityId!;
    expect(cardProblems(answerCard)).toEqual([]);
    expect(answerCard.version).toBe('1.5');
    // Replies go to the conversation as answers to the user's activity.
    expect(reply).toMatchObject({ op: 'reply', conversationId: PERSONAL, targetId: question.id });
    const texts = findAll(answerCard, 'TextBlock').map((b) => String(b.text));
    expect(texts.some((x) => /^1\. .+\n2\. /s.test(x))).toBe(true);
    expect(texts.some((x) => x.startsWith('Source: ') && x.includes('VPN'))).toBe(true);
    expect(submits(answerCard).every((a) => a.data.verb === 'helpdesk.action')).toBe(true);
    expect(submits(answerCard).map((a) => a.title)).toEqual(expect.arrayContaining(['Yes', 'No']));
    const ours = connector.calls.slice(callsBefore);
    const typing = ours.findIndex((c) => c.activity?.type === 'typing');
    expect(typing).toBeGreaterThanOrEqual(0);
    expect(typing).toBeLessThan(ours.findIndex((c) => c.activity?.type === 'message'));
    // Identity: the roster was asked for the user's e-mail.
    expect(ours.some((c) => c.op === 'member' && c.targetId === USER.id)).toBe(true);
  });

  it('handles a card button (Action.Submit routed by verb) from that card', async () => {
    const no = submits(answerCard).find((a) => a.data.payload.a === 'feedback' && a.data.payload.v === 'no');
    expect(no).toBeDefined();
    const replies = await turn(activity({ text: undefined, value: no!.data, replyToId: answerActivityId }));
    const content = JSON.stringify(replies.map((r) => r.activity));
    // The engine reacted to the "No": it offers something else (another article, a ticket…), with buttons.
    expect(replies.length).toBeGreaterThan(0);
    expect(content).toContain('helpdesk.action');
  });

  it('walks through a guided fix with card buttons', async () => {
    const [answer] = await turn(activity({ text: 'I cannot connect to the wifi' }));
    const start = submits(cardOf(answer)).find((a) => a.data.payload.a === 'flow.start');
    expect(start).toBeDefined();
    const [step] = await turn(activity({ text: undefined, value: start!.data, replyToId: answer!.activityId }));
    const stepCard = cardOf(step);
    expect(cardProblems(stepCard)).toEqual([]);
    const next = submits(stepCard).find((a) => String(a.data.payload.a).startsWith('flow.'));
    expect(next).toBeDefined();
    const [after] = await turn(activity({ text: undefined, value: next!.data, replyToId: step!.activityId }));
    expect(after?.activity).toBeDefined();
    const run = await server.app.store.activeFlow((await server.app.store.findConversation({ channel: 'teams', conversationId: PERSONAL }))!.id);
    expect(run?.flowId).toBe(String(start!.data.payload.f));
  });

  it('escalates: confirmation, ticket opening, then the ticket number posted proactively', async () => {
    await turn(activity({ text: 'restart' }));
    const [confirm] = await turn(activity({ text: 'I want to talk to a technician' }));
    const yes = submits(cardOf(confirm)).find((a) => a.data.payload.a === 'escalate' && a.data.payload.v === 'yes');
    expect(yes).toBeDefined();
    const proactiveBefore = connector.calls.filter((c) => c.op === 'send').length;
    const [opening] = await turn(activity({ text: undefined, value: yes!.data, replyToId: confirm!.activityId }));
    expect(JSON.stringify(opening?.activity)).toContain(t.t('en', 'channels.ticket.opening'));

    // The outbox delivers to the local ticket store, then the number reaches Teams on its own.
    await connector.waitFor((calls) => calls.filter((c) => c.op === 'send').length > proactiveBefore, 15_000);
    const proactive = connector.calls.filter((c) => c.op === 'send').at(-1)!;
    expect(proactive.conversationId).toBe(PERSONAL);
    const card = cardOf(proactive);
    expect(cardProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toMatch(/HD-\d{6}/);

    const item = (await server.app.outbox.deliveredItems()).find((i) => i.channel === 'teams');
    expect(item?.packet.user).toEqual({ id: USER.aadObjectId, name: USER.name, email: 'lea.martin@example.com' });
  });

  it('answers an @mention in a team channel in its thread, with the mention stripped', async () => {
    const channelThread = '19:general0123456789@thread.tacv2;messageid=1700000000001';
    const mention = `<at>${BOT.name}</at>`;
    const [reply] = await turn(
      activity({
        from: COLLEAGUE,
        conversation: { id: channelThread, conversationType: 'channel', isGroup: true, tenantId: TENANT },
        channelData: { tenant: { id: TENANT }, team: { id: '19:team0000000@thread.tacv2' }, channel: { id: '19:general0123456789@thread.tacv2' } },
        text: `${mention} my vpn does not connect`,
        entities: [{ type: 'mention', mentioned: BOT, text: mention }],
      }),
    );
    expect(reply?.conversationId).toBe(channelThread);
    expect(JSON.stringify(cardOf(reply))).toContain('VPN');
    // The roster of the team was asked, not of the thread.
    expect(connector.calls.some((c) => c.op === 'member' && c.conversationId === '19:team0000000@thread.tacv2' && c.targetId === COLLEAGUE.id)).toBe(true);
  });

  it('posts proactively into a stored conversation, also after a restart', async () => {
    const dataDir = server.app.config.core.dataDir;
    const sent = await server.app.proactive.send({ channel: 'teams', conversationId: PERSONAL }, { lang: 'en', parts: [{ kind: 'text', text: 'Your laptop is ready.' }] });
    expect(sent.messageId).toBe(connector.calls.at(-1)?.activityId);
    expect(connector.calls.at(-1)).toMatchObject({ op: 'send', conversationId: PERSONAL, activity: { text: 'Your laptop is ready.' } });

    // Into a channel thread: the thread's conversation id is rebuilt from the channel reference.
    await server.app.proactive.send(
      { channel: 'teams', conversationId: '19:general0123456789@thread.tacv2', threadId: '1700000000001' },
      { lang: 'en', parts: [{ kind: 'text', text: 'Update in the thread' }] },
    );
    expect(connector.calls.at(-1)).toMatchObject({ op: 'send', conversationId: '19:general0123456789@thread.tacv2;messageid=1700000000001' });

    const second = await startTestApp({ DATA_DIR: dataDir });
    try {
      await second.app.proactive.send({ channel: 'teams', conversationId: PERSONAL }, { lang: 'fr', parts: [{ kind: 'text', text: 'Toujours là.' }] });
      expect(connector.calls.at(-1)).toMatchObject({ op: 'send', conversationId: PERSONAL, activity: { text: 'Toujours là.' } });
      await expect(second.app.proactive.send({ channel: 'teams', conversationId: 'a:never-seen' }, { lang: 'en', parts: [{ kind: 'text', text: 'x' }] })).rejects.toThrow(/reference/);
    } finally {
      await second.stop();
    }
  });

  it('accepts an activity as a Direct Line emulator sends it: no recipient, no id, no locale (the spec lets them be absent)', async () => {
    const directLine = { type: 'message', serviceUrl: connector.url, channelId: 'directline', from: { id: 'dl_user-1' }, conversation: { id: 'dl-conv-1' }, text: 'my vpn does not connect' };
    const before = connector.messages().length;
    const res = await postJson(`${server.url}/api/messages`, directLine);
    expect(res.status).toBe(200);
    await connector.waitFor(() => connector.messages().length > before);
    const [reply] = connector.messages().slice(before);
    expect(reply).toMatchObject({ conversationId: 'dl-conv-1' });
    expect(JSON.stringify(reply?.activity)).toContain('VPN');
    // The bot still refuses what a channel must send: no sender, or no conversation.
    const { from: _from, ...noFrom } = directLine;
    expect((await postJson(`${server.url}/api/messages`, noFrom)).status).toBe(400);
  });

  it('refuses malformed activities with 400 and, without credentials, non-local service URLs with 403', async () => {
    expect((await postJson(`${server.url}/api/messages`, { type: 'message', text: 'hi' })).status).toBe(400);
    expect((await postJson(`${server.url}/api/messages`, '{"type":')).status).toBe(400);
    expect((await postJson(`${server.url}/api/messages`, [1, 2, 3])).status).toBe(400);
    const remote = await postJson(`${server.url}/api/messages`, activity({ serviceUrl: 'https://smba.trafficmanager.net/emea/', text: 'hi' }));
    expect(remote.status).toBe(403);
  });
});
