import { Router } from 'express';
import { App, ExpressReceiver, webApi, type AuthorizeResult, type BlockAction, type ButtonAction } from '@slack/bolt';
import type {
  ConversationAddress,
  HandoffCardOptions,
  InboundEvent,
  OutboundMessage,
  ProactiveSender,
  SentMessage,
  UserRef,
} from '../../engine/contract.js';
import type { EscalationPacket } from '../../engine/escalation/packet.js';
import { DEFAULT_LANG } from '../../engine/lang.js';
import type { SlackConfig } from '../../config/sections/channels.js';
import { isHandoffPayload } from '../technicians.js';
import type { Channel, ChannelDeps } from '../types.js';
import { ACTION_ID_PATTERN, renderAnswered, renderHandoffMessage, renderSlackMessage, type SlackMessage } from './blocks.js';
import { boltLogger } from './bolt-logger.js';
import { slackRequestGuard } from './guard.js';
import { slackTextToPlain } from './text.js';
import { SlackUsers } from './users.js';

/**
 * Slack: a Bolt App on an ExpressReceiver mounted in the one express app at /api/slack/events
 * (events and interactivity share it, as in manifest/slack/manifest.yaml). Bolt checks every
 * request's signature with the signing secret and refuses timestamps older than five minutes
 * (401). Events are acknowledged at once and worked on afterwards; a retry of an event already
 * seen (same event_id or client_msg_id) is dropped, so a slow turn never answers twice.
 * DMs are answered in place, @mentions in channels in a thread. Button clicks update the clicked
 * message with chat.update, then the new replies follow.
 */

export const SLACK_CHANNEL = 'slack';
export const SLACK_EVENTS_PATH = '/api/slack/events';

export interface SlackChannelOptions {
  config: SlackConfig;
}

export interface SlackChannel extends Channel {
  readonly bolt: App;
  readonly client: webApi.WebClient;
}

interface MessageLike {
  type: string;
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  client_msg_id?: string;
}

export function createSlackChannel(deps: ChannelDeps, options: SlackChannelOptions): SlackChannel {
  const { engine, translator: t, logger } = deps;
  const { config } = options;
  const slackLogger = boltLogger(logger);
  const client = new webApi.WebClient(config.botToken, { slackApiUrl: config.apiUrl, logger: slackLogger });
  const users = new SlackUsers(client, (err) => deps.reportError('lookup', err));

  // auth.test once, on first use, and again only after a failure: Bolt's built-in token check
  // runs at construction and would leave the app unusable if Slack was unreachable at start.
  let identity: Promise<{ botUserId?: string; botId?: string }> | undefined;
  async function authorize(): Promise<AuthorizeResult> {
    identity ??= client.auth.test().then((r) => ({ botUserId: r.user_id, botId: r.bot_id }));
    try {
      return { botToken: config.botToken, ...(await identity) };
    } catch (err) {
      identity = undefined;
      throw err;
    }
  }

  const router = Router();
  router.post(SLACK_EVENTS_PATH, slackRequestGuard());
  const receiver = new ExpressReceiver({
    signingSecret: config.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    router,
    logger: slackLogger,
    processBeforeResponse: false,
    bodyLimit: '256kb',
  });
  const bolt = new App({ receiver, authorize, logger: slackLogger, clientOptions: { slackApiUrl: config.apiUrl }, ignoreSelf: true });
  bolt.error(async (err) => {
    deps.reportError('bolt', err);
  });

  function isTechnicians(channelId: string): boolean {
    return config.techniciansChannel !== undefined && channelId === config.techniciansChannel;
  }

  /** False when this delivery was already taken in (a retry, or the app_mention twin of a message), by any replica. */
  async function firstDelivery(keys: Array<string | undefined>, retryNum: number | undefined): Promise<boolean> {
    const present = keys.filter((k): k is string => k !== undefined);
    const fresh = await deps.deliveries.firstDelivery(SLACK_CHANNEL, present);
    if (!fresh) logger.info({ keys: present, retryNum }, 'slack: duplicate delivery ignored');
    return fresh;
  }

  async function post(address: ConversationAddress, message: SlackMessage): Promise<SentMessage> {
    const r = await client.chat.postMessage({
      channel: address.conversationId,
      ...(address.threadId ? { thread_ts: address.threadId } : {}),
      text: message.text,
      blocks: message.blocks,
    });
    return r.ts ? { messageId: r.ts } : {};
  }

  async function postAll(address: ConversationAddress, replies: OutboundMessage[]): Promise<void> {
    for (const reply of replies) {
      try {
        await post(address, renderSlackMessage(reply, t));
      } catch (err) {
        deps.reportError('post', err, { conversationId: address.conversationId });
        throw err;
      }
    }
  }

  async function turn(address: ConversationAddress, event: Omit<InboundEvent, 'address'>): Promise<void> {
    await deps.track(() => deps.inOrder(address, async () => {
      let replies: OutboundMessage[];
      try {
        replies = await engine.handle({ address, ...event });
      } catch (err) {
        deps.reportError('turn', err, { conversationId: address.conversationId });
        const lang = DEFAULT_LANG;
        replies = [{ lang, parts: [{ kind: 'text', text: t.t(lang, 'dialogue.error') }] }];
      }
      await postAll(address, replies);
    }));
  }

  async function onMessage(message: MessageLike, kind: 'message' | 'app_mention', eventId: string | undefined, retryNum: number | undefined, botUserId?: string): Promise<void> {
    // Edits, joins, bot posts and the like are not questions.
    if ((message.subtype !== undefined && message.subtype !== 'file_share') || message.bot_id || !message.user) return;
    const technicians = isTechnicians(message.channel);
    const isDm = message.channel_type === 'im';
    // In channels Slack sends both `message` and `app_mention` for a mention: one is enough.
    if (kind === 'message' && !isDm && !technicians) return;
    if (kind === 'app_mention' && technicians) return;
    if (!(await firstDelivery([eventId && `event:${eventId}`, message.client_msg_id && `msg:${message.client_msg_id}`], retryNum))) return;

    const text = slackTextToPlain(message.text ?? '', botUserId);
    const user = await users.get(message.user);
    const receivedAt = new Date().toISOString();
    if (technicians) {
      if (!text) return;
      const address: ConversationAddress = { channel: SLACK_CHANNEL, conversationId: message.channel, ...(message.thread_ts ? { threadId: message.thread_ts } : {}) };
      await deps.track(() => deps.technicians.onTechnicianMessage({ address, user, messageId: message.ts, text, receivedAt }));
      return;
    }
    // DMs stay flat unless the person wrote in a thread; a channel mention is answered in its thread.
    const threadId = isDm ? message.thread_ts : (message.thread_ts ?? message.ts);
    const address: ConversationAddress = { channel: SLACK_CHANNEL, conversationId: message.channel, ...(threadId ? { threadId } : {}) };
    if (!text) {
      await postAll(address, [{ lang: DEFAULT_LANG, parts: [{ kind: 'text', text: t.t(DEFAULT_LANG, 'notices.text_only') }] }]);
      return;
    }
    await turn(address, { user, messageId: message.client_msg_id ?? eventId ?? message.ts, text, receivedAt });
  }

  bolt.event('message', async ({ event, body, context }) => {
    await onMessage(event as unknown as MessageLike, 'message', body.event_id, context.retryNum, context.botUserId);
  });
  bolt.event('app_mention', async ({ event, body, context }) => {
    await onMessage({ ...(event as unknown as MessageLike), channel_type: 'channel' }, 'app_mention', body.event_id, context.retryNum, context.botUserId);
  });

  bolt.action<BlockAction<ButtonAction>>(ACTION_ID_PATTERN, async ({ ack, body, action }) => {
    await ack();
    const channelId = body.channel?.id ?? (body.container.channel_id as string | undefined);
    const original = body.message;
    const messageTs = original?.ts ?? (body.container.message_ts as string | undefined);
    if (!channelId || !messageTs) return;
    if (!(await firstDelivery([`action:${messageTs}:${action.action_id}:${action.action_ts}`], undefined))) return;

    let payload: unknown;
    try {
      payload = JSON.parse(action.value ?? 'null');
    } catch {
      // Kept as text: the engine answers that it could not read the button.
      payload = action.value;
    }
    const user: UserRef = await users.get(body.user.id);
    const threadTs = typeof original?.thread_ts === 'string' ? original.thread_ts : undefined;
    const receivedAt = new Date().toISOString();

    if (isTechnicians(channelId) || isHandoffPayload(payload)) {
      const address: ConversationAddress = { channel: SLACK_CHANNEL, conversationId: channelId, threadId: threadTs ?? messageTs };
      await deps.track(() => deps.technicians.onTechnicianAction({ address, user, messageId: action.action_ts, payload, sourceMessageId: messageTs, receivedAt }));
      return;
    }

    const address: ConversationAddress = { channel: SLACK_CHANNEL, conversationId: channelId, ...(threadTs ? { threadId: threadTs } : {}) };
    await deps.track(() => deps.inOrder(address, async () => {
      let replies: OutboundMessage[];
      try {
        replies = await engine.handle({
          address,
          user,
          messageId: `${messageTs}:${action.action_id}:${action.action_ts}`,
          action: { payload, sourceMessageId: messageTs },
          receivedAt,
        });
      } catch (err) {
        deps.reportError('turn', err, { conversationId: channelId });
        replies = [{ lang: DEFAULT_LANG, parts: [{ kind: 'text', text: t.t(DEFAULT_LANG, 'dialogue.error') }] }];
      }
      const replacing = replies.find((r) => r.replacesSourceMessage);
      const lang = replies[0]?.lang ?? DEFAULT_LANG;
      let replaced: OutboundMessage | undefined;
      if (original) {
        const updated = replacing ? renderSlackMessage(replacing, t) : renderAnswered(original, action.text?.text ?? '', lang, t);
        try {
          await client.chat.update({ channel: channelId, ts: messageTs, text: updated.text, blocks: updated.blocks });
          replaced = replacing;
        } catch (err) {
          // The click still gets its answer, as a new message.
          deps.reportError('update', err, { conversationId: channelId });
        }
      }
      await postAll(address, replies.filter((r) => r !== replaced));
    }));
  });

  const sender: ProactiveSender = {
    channel: SLACK_CHANNEL,
    send: (address, message) => post(address, renderSlackMessage(message, t)),
    async sendHandoffCard(address: ConversationAddress, packet: EscalationPacket, cardOptions: HandoffCardOptions = {}): Promise<SentMessage> {
      const message = renderHandoffMessage(packet, cardOptions, t);
      if (!cardOptions.replaceMessageId) return post(address, message);
      await client.chat.update({ channel: address.conversationId, ts: cardOptions.replaceMessageId, text: message.text, blocks: message.blocks });
      return { messageId: cardOptions.replaceMessageId };
    },
  };

  logger.info({ path: SLACK_EVENTS_PATH, api: config.apiUrl }, 'Slack endpoint ready');
  return { name: SLACK_CHANNEL, router, sender, bolt, client };
}
