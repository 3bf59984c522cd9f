import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTeamsChannel, type TeamsChannel } from '../../../src/channels/teams/index.js';
import { teamsAddress, teamsConversationId } from '../../../src/channels/teams/address.js';
import { TAKE_HANDOFF_ACTION } from '../../../src/channels/handoff-summary.js';
import type { Engine, InboundEvent, OutboundMessage, TechnicianAction, TechnicianMessage } from '../../../src/engine/contract.js';
import { translator } from '../../../src/engine/i18n.js';
import { channelsSchema } from '../../../src/config/sections/channels.js';
import { SqliteChannelReferences } from '../../../src/storage/sqlite/channel-references.js';
import { SqliteDeliveryLog } from '../../../src/storage/sqlite/delivery-log.js';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { createLogger } from '../../../src/log.js';
import { startBotConnectorServer, type BotConnectorServer } from '../../helpers/bot-connector-server.js';
import { postJson } from '../../server/start.js';
import { packet } from '../fixtures.js';
import { cardProblems, findAll } from './adaptive-card.js';
import { migrateSqlite } from '../../../src/storage/sqlite/migrations.js';

/**
 * The Teams channel's own decisions, with the engine replaced by a script of replies: editing the
 * card in place when a reply says so, routing the technicians' channel to the handoff hook, and
 * the technicians' card (post, reply in its thread, mark as taken). End-to-end conversations with
 * the real engine are in bot-framework.test.ts.
 */

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const BOT = { id: '28:bot', name: 'IT Helpdesk' };
const USER = { id: '29:user', name: 'Léa Martin', aadObjectId: '6f0a3c7e-1d2b-4e5f-8a9b-0c1d2e3f4a5b' };
const TECHS = '19:techs0000000000@thread.tacv2';

describe('Teams channel routing and cards', () => {
  let connector: BotConnectorServer;
  let db: Db;
  let http: Server;
  let url: string;
  let channel: TeamsChannel;
  const engineEvents: InboundEvent[] = [];
  let script: OutboundMessage[] = [];
  const technicianMessages: TechnicianMessage[] = [];
  const technicianActions: TechnicianAction[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    connector = await startBotConnectorServer();
    db = openDatabase(':memory:');
    migrateSqlite(db);
    const engine: Engine = {
      async handle(event) {
        engineEvents.push(event);
        return script;
      },
    };
    channel = createTeamsChannel(
      {
        engine,
        technicians: {
          onTechnicianMessage: async (m) => void technicianMessages.push(m),
          onTechnicianAction: async (a) => void technicianActions.push(a),
        },
        translator: translator(),
        logger: createLogger('silent'),
        track: (work) => work(),
        inOrder: (_address, work) => work(),
        reportError: (stage, err) => void errors.push(`${stage}: ${String(err)}`),
        deliveries: new SqliteDeliveryLog(db),
      },
      {
        config: channelsSchema.parse({ TEAMS_TECHNICIANS_CHANNEL_ID: TECHS }).teams,
        references: new SqliteChannelReferences(db),
        memberLookup: async () => {
          throw new Error('roster unavailable');
        },
      },
    );
    const app = express();
    app.use(channel.router);
    http = createServer(app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => http?.close(() => resolve()));
    await connector?.close();
    db?.close();
  });

  beforeEach(() => {
    engineEvents.length = 0;
    script = [];
  });

  function activity(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      type: 'message',
      id: `f:${randomUUID()}`,
      serviceUrl: connector.url,
      channelId: 'msteams',
      from: USER,
      recipient: BOT,
      conversation: { id: 'a:1chat', conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      locale: 'en-US',
      ...overrides,
    };
  }

  it('maps channel threads to addresses and back', () => {
    expect(teamsAddress(`${TECHS};messageid=1700000000123`)).toEqual({ channel: 'teams', conversationId: TECHS, threadId: '1700000000123' });
    expect(teamsAddress('a:1chat')).toEqual({ channel: 'teams', conversationId: 'a:1chat' });
    expect(teamsConversationId({ channel: 'teams', conversationId: TECHS, threadId: '42' })).toBe(`${TECHS};messageid=42`);
  });

  it('replaces the clicked card in place when the reply says so, then posts the rest', async () => {
    script = [
      { lang: 'en', replacesSourceMessage: true, parts: [{ kind: 'text', text: '✅ Thanks for your answer.' }] },
      { lang: 'en', parts: [{ kind: 'text', text: 'Anything else?' }] },
    ];
    const before = connector.calls.length;
    const res = await postJson(`${url}/api/messages`, activity({ value: { verb: 'helpdesk.action', payload: { a: 'feedback', v: 'yes', n: 'abc' } }, replyToId: 'card-activity-1' }));
    expect(res.status).toBe(200);
    const calls = connector.calls.slice(before).filter((c) => c.activity?.type !== 'typing');
    expect(calls.map((c) => [c.op, c.targetId])).toEqual([
      ['update', 'card-activity-1'],
      ['reply', expect.any(String)],
    ]);
    expect(calls[0]?.activity?.text).toBe('✅ Thanks for your answer.');
    expect(engineEvents[0]?.action).toEqual({ payload: { a: 'feedback', v: 'yes', n: 'abc' }, sourceMessageId: 'card-activity-1' });
    // The roster failed: the turn went on with the identity from the activity.
    expect(engineEvents[0]?.user).toEqual({ id: USER.aadObjectId, name: USER.name, locale: 'en-US' });
    expect(errors.some((e) => e.startsWith('lookup:'))).toBe(true);
  });

  it('marks a clicked card answered (buttons replaced by the choice), as Slack does, then posts the replies', async () => {
    const yes = { a: 'feedback', v: 'yes', n: 'card2' };
    script = [{ lang: 'fr', parts: [{ kind: 'text', text: 'Cela a-t-il résolu le problème ?' }, { kind: 'choices', choices: [{ label: 'Oui', value: yes }, { label: 'Non', value: { ...yes, v: 'no' } }] }] }];
    await postJson(`${url}/api/messages`, activity({ text: 'vpn' }));
    const card = connector.calls.filter((c) => c.op === 'reply' && c.activity?.type === 'message').at(-1)!;
    const button = findAll((card.activity?.attachments as Array<{ content: unknown }>)[0]?.content, 'Action.Submit')[0]!;
    expect(button.data).toMatchObject({ verb: 'helpdesk.action', payload: yes, label: 'Oui' });

    script = [{ lang: 'fr', parts: [{ kind: 'text', text: 'Parfait, bonne journée !' }] }];
    const before = connector.calls.length;
    await postJson(`${url}/api/messages`, activity({ value: button.data, replyToId: card.activityId }));
    const calls = connector.calls.slice(before).filter((c) => c.activity?.type !== 'typing');
    expect(calls.map((c) => [c.op, c.targetId])).toEqual([
      ['update', card.activityId],
      ['reply', expect.any(String)],
    ]);
    const answered = (calls[0]?.activity?.attachments as Array<{ content: unknown }>)[0]?.content;
    expect(cardProblems(answered)).toEqual([]);
    expect(findAll(answered, 'Action.Submit')).toEqual([]);
    expect(JSON.stringify(answered)).toContain('Cela a-t-il résolu le problème ?');
    expect(JSON.stringify(answered)).toContain(translator().t('fr', 'channels.answered', { answer: 'Oui' }));
    expect(calls[1]?.activity?.text).toBe('Parfait, bonne journée !');

    // A card this process did not send (e.g. before a restart) is left as it is: the click is still answered.
    const later = connector.calls.length;
    await postJson(`${url}/api/messages`, activity({ value: button.data, replyToId: 'card-from-before-restart' }));
    expect(connector.calls.slice(later).filter((c) => c.activity?.type !== 'typing').map((c) => c.op)).toEqual(['reply']);
    script = [];
  });

  it('answers attachments without text with a short note instead of calling the engine', async () => {
    const before = connector.messages().length;
    await postJson(`${url}/api/messages`, activity({ text: '', attachments: [{ contentType: 'image/png', contentUrl: 'https://example.com/x.png' }], locale: 'fr-FR' }));
    expect(engineEvents).toEqual([]);
    expect(connector.messages().slice(before)[0]?.activity?.text).toBe(translator().t('fr', 'notices.text_only'));
  });

  it("sends the technicians' channel to the handoff hook, never to the engine", async () => {
    const thread = `${TECHS};messageid=1700000000999`;
    const mention = `<at>${BOT.name}</at>`;
    await postJson(
      `${url}/api/messages`,
      activity({
        conversation: { id: thread, conversationType: 'channel', tenantId: TENANT },
        channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' } },
        text: `${mention} I'll call her now`,
        entities: [{ type: 'mention', mentioned: BOT, text: mention }],
      }),
    );
    expect(technicianMessages.at(-1)).toMatchObject({ address: { channel: 'teams', conversationId: TECHS, threadId: '1700000000999' }, text: "I'll call her now" });

    // "Take it" is routed to the hook wherever it is clicked, with the card to update.
    await postJson(`${url}/api/messages`, activity({ value: { verb: 'helpdesk.action', payload: { action: TAKE_HANDOFF_ACTION, escalationId: 'e1' } }, replyToId: 'handoff-card-7' }));
    expect(technicianActions.at(-1)).toMatchObject({ payload: { action: TAKE_HANDOFF_ACTION, escalationId: 'e1' }, sourceMessageId: 'handoff-card-7' });
    expect(engineEvents).toEqual([]);
  });

  it("relays a technicians' message or click once when the Bot Framework delivers it again", async () => {
    const thread = `${TECHS};messageid=1700000000997`;
    const mention = `<at>${BOT.name}</at>`;
    const message = activity({
      conversation: { id: thread, conversationType: 'channel', tenantId: TENANT },
      channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' } },
      text: `${mention} rebooting the VPN gateway`,
      entities: [{ type: 'mention', mentioned: BOT, text: mention }],
    });
    const messagesBefore = technicianMessages.length;
    await postJson(`${url}/api/messages`, message);
    await postJson(`${url}/api/messages`, message);
    expect(technicianMessages.slice(messagesBefore).map((m) => m.text)).toEqual(['rebooting the VPN gateway']);

    const click = activity({ value: { verb: 'helpdesk.action', payload: { action: TAKE_HANDOFF_ACTION, escalationId: 'e2' } }, replyToId: 'handoff-card-8' });
    const actionsBefore = technicianActions.length;
    await postJson(`${url}/api/messages`, click);
    await postJson(`${url}/api/messages`, click);
    await postJson(`${url}/api/messages`, { ...click, id: `f:${randomUUID()}` }); // another click is another delivery
    expect(technicianActions.slice(actionsBefore)).toHaveLength(2);
  });

  it('reads every channel message (resource-specific consent) but answers in a team channel only when @mentioned', async () => {
    const general = '19:general0000000@thread.tacv2;messageid=1700000000123';
    const before = connector.messages().length;
    const channelActivity = (overrides: Record<string, unknown>) =>
      activity({ conversation: { id: general, conversationType: 'channel', tenantId: TENANT }, channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' } }, ...overrides });
    script = [{ lang: 'en', parts: [{ kind: 'text', text: 'On it.' }] }];
    try {
      // Colleagues talking in the channel, including to someone else: the bot stays silent.
      await postJson(`${url}/api/messages`, channelActivity({ text: 'anyone else has a slow vpn today?' }));
      const other = { id: '29:other', name: 'Sam' };
      await postJson(`${url}/api/messages`, channelActivity({ text: '<at>Sam</at> can you check the printer', entities: [{ type: 'mention', mentioned: other, text: '<at>Sam</at>' }] }));
      expect(engineEvents).toEqual([]);
      expect(connector.messages().length).toBe(before);

      const mention = `<at>${BOT.name}</at>`;
      await postJson(`${url}/api/messages`, channelActivity({ text: `${mention} my vpn is slow`, entities: [{ type: 'mention', mentioned: BOT, text: mention }] }));
      expect(engineEvents.map((e) => e.text)).toEqual(['my vpn is slow']);
      expect(connector.messages().slice(before).map((m) => m.activity?.text)).toEqual(['On it.']);
    } finally {
      script = [];
    }

    // In the technicians' channel a reply in a handoff thread is relayed without any mention.
    await postJson(
      `${url}/api/messages`,
      activity({ conversation: { id: `${TECHS};messageid=1700000000998`, conversationType: 'channel', tenantId: TENANT }, channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' } }, text: 'on my way' }),
    );
    expect(technicianMessages.at(-1)).toMatchObject({ address: { conversationId: TECHS, threadId: '1700000000998' }, text: 'on my way' });
  });

  it("posts the technicians' card as a new channel post, replies in its thread and marks it taken", async () => {
    // The bot was added to the team: the channel's reference is stored.
    await postJson(
      `${url}/api/messages`,
      activity({ type: 'conversationUpdate', membersAdded: [{ id: '29:someone' }], conversation: { id: TECHS, conversationType: 'channel', tenantId: TENANT } }),
    );
    const escalation = packet();
    const posted = await channel.sender.sendHandoffCard!({ channel: 'teams', conversationId: TECHS }, escalation, { lang: 'fr' });
    const card = connector.calls.at(-1)!;
    expect(card).toMatchObject({ op: 'send', conversationId: TECHS, activityId: posted.messageId });
    const content = (card.activity?.attachments as Array<{ content: unknown }>)[0]?.content;
    expect(cardProblems(content)).toEqual([]);
    expect(findAll(content, 'Action.Submit').map((a) => (a.data as { payload: unknown }).payload)).toEqual([{ action: TAKE_HANDOFF_ACTION, escalationId: escalation.id }]);

    await channel.sender.send({ channel: 'teams', conversationId: TECHS, threadId: posted.messageId }, { lang: 'fr', parts: [{ kind: 'text', text: 'Léa : merci' }] });
    expect(connector.calls.at(-1)).toMatchObject({ op: 'send', conversationId: `${TECHS};messageid=${posted.messageId}` });

    await channel.sender.sendHandoffCard!({ channel: 'teams', conversationId: TECHS }, escalation, { lang: 'fr', takenBy: 'Sam', replaceMessageId: posted.messageId! });
    const taken = connector.calls.at(-1)!;
    expect(taken).toMatchObject({ op: 'update', targetId: posted.messageId });
    const takenCard = (taken.activity?.attachments as Array<{ content: unknown }>)[0]?.content;
    expect(cardProblems(takenCard)).toEqual([]);
    expect(findAll(takenCard, 'Action.Submit')).toEqual([]);
    expect(JSON.stringify(takenCard)).toContain('Sam');
  });
});
