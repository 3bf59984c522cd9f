import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerContact } from '../../helpers/web-contact.js';
import { startBotConnectorServer, type BotConnectorServer, type ConnectorCall } from '../../helpers/bot-connector-server.js';
import { openEvents } from '../../helpers/sse.js';
import { findAll } from '../../channels/teams/adaptive-card.js';
import { postJson, startTestApp, type TestApp } from '../../server/start.js';

/**
 * The live handoff with the technicians in a Microsoft Teams channel, end to end on the real server:
 * a web chat user escalates, the summary card is posted in the Teams channel (a local Bot Connector
 * server records what the bot sends), a technician clicks "Take it" on the card, both sides talk
 * through the card's reply chain (the technician without @mentioning the bot: the app's resource-
 * specific consent), the technician closes and the user rates. Real SQLite, real HTTP.
 */

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const BOT = { id: '28:0b1c2d3e-bot', name: 'IT Helpdesk' };
const SAM = { id: '29:sam-tech', name: 'Sam Tech', aadObjectId: '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9' };
const TECHS = '19:techs0123456789abcdef@thread.tacv2';
const TEAM = '19:team0123456789@thread.tacv2';

const text = (e: { data: unknown }): string => JSON.stringify(e.data);

describe('live handoff: web chat user, Teams technicians', () => {
  let connector: BotConnectorServer;
  let server: TestApp;

  beforeAll(async () => {
    connector = await startBotConnectorServer();
    connector.members.set(SAM.id, { id: SAM.id, name: SAM.name, aadObjectId: SAM.aadObjectId, email: 'sam.tech@example.com', tenantId: TENANT });
    server = await startTestApp({ TEAMS_TECHNICIANS_CHANNEL_ID: TECHS, HANDOFF_WATCHDOG_MINUTES: '10' });
  });
  afterAll(async () => {
    await server?.stop();
    await connector?.close();
  });

  /** An activity from Sam in the technicians' channel (in the reply chain of `rootId` when given). */
  const fromSam = (overrides: Record<string, unknown>, rootId?: string) => ({
    type: 'message',
    id: `f:${randomUUID()}`,
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: SAM,
    recipient: BOT,
    conversation: { id: rootId ? `${TECHS};messageid=${rootId}` : TECHS, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    channelData: { tenant: { id: TENANT }, team: { id: TEAM }, channel: { id: TECHS } },
    locale: 'en-US',
    ...overrides,
  });
  const post = (activity: Record<string, unknown>) => postJson(`${server.url}/api/messages`, activity);
  const inThread = (rootId: string): ConnectorCall[] => connector.calls.filter((c) => c.op === 'send' && c.conversationId === `${TECHS};messageid=${rootId}`);

  it('round trip: card in the channel, Take it, relay both ways without mentions, close, rating', async () => {
    // The app is installed in the team: the bot now knows the channel and can post there.
    expect((await post(fromSam({ type: 'conversationUpdate', membersAdded: [{ id: BOT.id }] }))).status).toBe(200);

    const w = { conversationId: randomUUID(), user: { id: randomUUID(), name: 'Léa Martin' } };
    const chat = (body: Record<string, unknown>) => postJson(`${server.url}/api/chat`, { ...w, ...body });
    const events = await openEvents(`${server.url}/api/chat/events?conversationId=${w.conversationId}`);
    try {
      const offer = await chat({ text: 'I need to talk to a technician about my docking station' });
      const yes = offer.json.replies.flatMap((m: any) => m.parts).find((p: any) => p.kind === 'choices').choices.find((c: any) => c.value.a === 'escalate' && c.value.v === 'yes');
      await answerContact(await chat({ action: { payload: yes.value } }), (text) => chat({ text }));

      // The summary card is a new post in the technicians' channel.
      await connector.waitFor((calls) => calls.some((c) => c.op === 'send' && c.conversationId === TECHS && JSON.stringify(c.activity).includes('docking station')));
      const card = connector.calls.find((c) => c.op === 'send' && c.conversationId === TECHS && JSON.stringify(c.activity).includes('docking station'))!;
      const content = (card.activity?.attachments as Array<{ content: unknown }>)[0]?.content;
      const [takeIt] = findAll(content, 'Action.Submit');
      expect(takeIt?.title).toBe('Take it');
      await events.waitFor((e) => e.some((m) => text(m).includes('alerted the technicians')));

      // Sam clicks Take it on the card: it says who took it, in place; the user is told who.
      expect((await post(fromSam({ value: takeIt!.data, replyToId: card.activityId }, card.activityId))).status).toBe(200);
      await connector.waitFor((calls) => calls.some((c) => c.op === 'update' && c.targetId === card.activityId));
      const taken = connector.calls.find((c) => c.op === 'update' && c.targetId === card.activityId)!;
      expect(JSON.stringify(taken.activity)).toContain('Sam Tech');
      expect(findAll((taken.activity?.attachments as Array<{ content: unknown }>)[0]?.content, 'Action.Submit').map((a) => a.title)).not.toContain('Take it');
      await events.waitFor((e) => e.some((m) => text(m).includes('Sam Tech is taking care of your request')));

      // The user's message goes to the card's reply chain; the bot does not answer it.
      const silent = await chat({ text: 'my vpn does not connect' });
      expect(silent.json.replies).toEqual([]);
      await connector.waitFor(() => inThread(card.activityId!).some((c) => JSON.stringify(c.activity).includes('my vpn does not connect')));

      // Sam replies in the chain without @mentioning the bot: the user gets it, with his name.
      await post(fromSam({ text: 'Could you unplug the dock and plug it back in?' }, card.activityId));
      await events.waitFor((e) => e.some((m) => text(m).includes('unplug the dock') && text(m).includes('Message from Sam Tech')));

      // "close": the user is back with the bot and rates the help.
      await post(fromSam({ text: 'close' }, card.activityId));
      await events.waitFor((e) => e.some((m) => text(m).includes('has closed the conversation')));
      const ended = events.events.find((m) => text(m).includes('has closed the conversation'))!;
      const rating = ended.data.parts.find((p: any) => p.kind === 'choices');
      const rated = await chat({ action: { payload: rating.choices[4].value } });
      expect(JSON.stringify(rated.json.replies)).toContain('Thank you for your rating (5/5)');
      const conversation = await server.app.store.findConversation({ channel: 'web', conversationId: w.conversationId });
      const satisfaction = await server.app.store.events({ conversationId: conversation!.id, types: ['satisfaction'] });
      expect(satisfaction[0]?.data).toMatchObject({ technician: 'Sam Tech' });
    } finally {
      events.close();
    }
  });
});
