import { Router } from 'express';
import {
  App,
  Assistant,
  ExpressReceiver,
  webApi,
  type AllMiddlewareArgs,
  type AuthorizeResult,
  type BlockAction,
  type ButtonAction,
  type FeedbackButtonsAction,
} from '@slack/bolt';
import type {
  ConversationAddress,
  HandoffCardOptions,
  InboundEvent,
  OutboundMessage,
  ProactiveSender,
  SentMessage,
  TurnProgress,
  UserRef,
} from '../../engine/contract.js';
import type { EscalationPacket } from '../../engine/escalation/packet.js';
import { DEFAULT_LANG, langFromLocale, type Lang } from '../../engine/lang.js';
import type { TicketSelfService } from '../../engine/tickets/self-service.js';
import type { SlackConfig } from '../../config/sections/channels.js';
import { z } from 'zod';
import { clip } from '../markdown.js';
import { isHandoffPayload } from '../technicians.js';
import { TtlCache } from '../ttl-cache.js';
import type { Channel, ChannelDeps } from '../types.js';
import { ACTION_ID_PATTERN, FEEDBACK_ACTION_ID, renderAnswered, renderHandoffMessage, renderSlackMessage, streamableMessage, type SlackMessage } from './blocks.js';
import { COMMENT_BLOCK, COMMENT_INPUT, COMMENT_VIEW_CALLBACK, HOME_COMMENT_ACTION, renderCommentModal, renderHome } from './home.js';
import { LiveAnswer, type StreamRecipient } from './stream.js';
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
 * DMs are answered in place, @mentions in channels in a thread (with a 👀 reaction first, so the
 * person sees at once that the bot took it). Button clicks (and the 👍/👎 feedback_buttons) update
 * the clicked message with chat.update, then the new replies follow.
 *
 * Slack's agent experience goes through Bolt's Assistant class: a new agent thread gets the
 * greeting and suggested prompts (assistant.threads.setSuggestedPrompts), each question a status
 * while the bot searches (assistant.threads.setStatus) and, first in its thread, the thread title
 * (assistant.threads.setTitle); the channel the user is looking at (thread context) is kept per
 * thread. Answers written by the language model are streamed in threads (chat.startStream,
 * appendStream, stopStream, see stream.ts) as the engine checks them, sentence by sentence
 * (TurnProgress), and end as the turn's reply. The Home tab lists
 * the employee's open tickets (views.publish) with a modal to comment on one (views.open).
 */

export const SLACK_CHANNEL = 'slack';
export const SLACK_EVENTS_PATH = '/api/slack/events';

export interface SuggestedPromptLike {
  title: string;
  message: string;
}

export interface SlackChannelOptions {
  config: SlackConfig;
  /** Suggested prompts for a new agent thread, most asked first (three or four). */
  prompts?: (lang: Lang, user: UserRef) => Promise<SuggestedPromptLike[]>;
  /** The employee's open tickets and comments on them, for the Home tab. */
  tickets?: TicketSelfService;
}

/** The channel an agent thread's user is looking at (Bolt's AssistantThreadContext). */
interface AssistantThreadContext {
  channel_id?: string;
  team_id?: string;
  enterprise_id?: string | null;
}

/** How long a thread's context and title are remembered (an agent thread is rarely used for longer). */
const THREAD_MEMORY_MS = 24 * 60 * 60 * 1000;
/** Slack shows at most four suggested prompts. */
const MAX_PROMPTS = 4;
const TITLE_CHARS = 80;

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

  /**
   * A live answer for a turn in a thread (agent threads, channel mentions): the engine's
   * TurnProgress hands it the checked text while the model writes. Flat DMs get the final message.
   */
  function liveAnswer(address: ConversationAddress, recipient: StreamRecipient | undefined): LiveAnswer | undefined {
    if (!recipient || !address.threadId) return undefined;
    return new LiveAnswer(client, { channel: address.conversationId, threadTs: address.threadId, recipient }, (err) =>
      deps.reportError('stream', err, { conversationId: address.conversationId }),
    );
  }

  const progressOf = (live: LiveAnswer | undefined): TurnProgress | undefined => (live ? { answering: (text) => live.follow(text) } : undefined);

  /** The reply that ends a live answer: the written one, else the article shown in its place. */
  const answerOf = (replies: OutboundMessage[]): OutboundMessage | undefined =>
    replies.find((r) => r.parts.some((p) => p.kind === 'text' && p.generated === true)) ?? replies.find((r) => r.parts.some((p) => p.kind === 'citation'));

  async function postAll(address: ConversationAddress, replies: OutboundMessage[], live?: LiveAnswer): Promise<void> {
    // Whatever happened, a live message is ended with a reply (the first one when no answer came).
    const answer = live ? (answerOf(replies) ?? replies[0]) : undefined;
    for (const reply of replies) {
      try {
        const full = renderSlackMessage(reply, t);
        if (live && reply === answer && (await live.finish(streamableMessage(reply, t), full))) continue;
        await post(address, full);
      } catch (err) {
        deps.reportError('post', err, { conversationId: address.conversationId });
        throw err;
      }
    }
  }

  async function turn(address: ConversationAddress, event: Omit<InboundEvent, 'address'>, recipient?: StreamRecipient): Promise<void> {
    await deps.track(() => deps.inOrder(address, async () => {
      const live = liveAnswer(address, recipient);
      const progress = progressOf(live);
      let replies: OutboundMessage[];
      try {
        replies = await engine.handle({ address, ...event, ...(progress ? { progress } : {}) });
      } catch (err) {
        deps.reportError('turn', err, { conversationId: address.conversationId });
        const lang = DEFAULT_LANG;
        replies = [{ lang, parts: [{ kind: 'text', text: t.t(lang, 'dialogue.error') }] }];
      }
      await postAll(address, replies, live);
    }));
  }

  /** Extra steps for a question asked in an agent thread (status and title), before the turn. */
  type BeforeTurn = (user: UserRef, text: string) => Promise<void>;

  async function onMessage(
    message: MessageLike,
    kind: 'message' | 'app_mention' | 'assistant',
    eventId: string | undefined,
    retryNum: number | undefined,
    botUserId?: string,
    teamId?: string,
    beforeTurn?: BeforeTurn,
  ): Promise<void> {
    // Edits, joins, bot posts and the like are not questions.
    if ((message.subtype !== undefined && message.subtype !== 'file_share') || message.bot_id || !message.user) return;
    const technicians = isTechnicians(message.channel);
    const isDm = message.channel_type === 'im';
    // In channels Slack sends both `message` and `app_mention` for a mention: one is enough.
    if (kind === 'message' && !isDm && !technicians) return;
    if (kind !== 'message' && technicians) return;
    if (!(await firstDelivery([eventId && `event:${eventId}`, message.client_msg_id && `msg:${message.client_msg_id}`], retryNum))) return;

    // 👀 on a channel mention before anything else, so nobody wonders whether the bot saw it.
    const seenIt = kind === 'app_mention' ? react(message.channel, message.ts) : Promise.resolve();
    const text = slackTextToPlain(message.text ?? '', botUserId);
    const user = await users.get(message.user);
    await seenIt;
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
    if (beforeTurn) await beforeTurn(user, text);
    const recipient: StreamRecipient = { userId: message.user, ...(teamId ? { teamId } : {}) };
    await turn(address, { user, messageId: message.client_msg_id ?? eventId ?? message.ts, text, receivedAt }, recipient);
  }

  async function react(channel: string, timestamp: string): Promise<void> {
    try {
      await client.reactions.add({ channel, timestamp, name: 'eyes' });
    } catch (err) {
      // already_reacted on a replay, or the scope missing: the answer matters more.
      deps.reportError('reaction', err, { conversationId: channel });
    }
  }

  /** The user's language for what the bot says before the engine has read the question. */
  const langOf = (user: UserRef): Lang => langFromLocale(user.locale) ?? DEFAULT_LANG;

  // ------------------------------------------------------------------------------------------
  // Slack's agent experience (Agents & AI Apps): Bolt's Assistant class

  /** The channel the user is looking at, per agent thread (assistant_thread_context_changed). */
  const threadContexts = new TtlCache<AssistantThreadContext>(THREAD_MEMORY_MS, 50_000);
  const titled = new TtlCache<true>(THREAD_MEMORY_MS, 50_000);
  const threadOf = (payload: unknown): { channel?: string; threadTs?: string; context?: AssistantThreadContext } => {
    const p = payload as { assistant_thread?: { channel_id?: string; thread_ts?: string; context?: AssistantThreadContext }; channel?: string; thread_ts?: string };
    return p.assistant_thread
      ? { channel: p.assistant_thread.channel_id, threadTs: p.assistant_thread.thread_ts, context: p.assistant_thread.context }
      : { channel: p.channel, threadTs: p.thread_ts };
  };
  const threadKey = (payload: unknown): string => {
    const { channel, threadTs } = threadOf(payload);
    return `${channel ?? ''}:${threadTs ?? ''}`;
  };

  const assistant = new Assistant({
    // Bolt's default store keeps one context for the whole app; this one keeps it per thread.
    threadContextStore: {
      get: async ({ payload }) => threadContexts.get(threadKey(payload)) ?? threadOf(payload).context ?? {},
      save: async ({ payload }) => {
        const { context } = threadOf(payload);
        if (context) threadContexts.set(threadKey(payload), context);
      },
    },
    threadStarted: async ({ event, body, say, setSuggestedPrompts, saveThreadContext }) => {
      const { user_id: userId, channel_id: channel, thread_ts: threadTs } = event.assistant_thread;
      if (!(await firstDelivery([body.event_id && `event:${body.event_id}`, `thread:${channel}:${threadTs}`], undefined))) return;
      await deps.track(async () => {
        await saveThreadContext();
        const user = await users.get(userId);
        const lang = langOf(user);
        await say({ text: t.t(lang, 'channels.slack.greeting') });
        let prompts: SuggestedPromptLike[] = [];
        try {
          prompts = (await options.prompts?.(lang, user)) ?? [];
        } catch (err) {
          deps.reportError('prompts', err, { conversationId: channel });
        }
        if (prompts.length === 0) return;
        await setSuggestedPrompts({
          title: t.t(lang, 'channels.slack.prompts_title'),
          prompts: prompts.slice(0, MAX_PROMPTS).map((p) => ({ title: p.title, message: p.message })),
        });
      });
    },
    threadContextChanged: async ({ saveThreadContext }) => {
      await saveThreadContext();
    },
    userMessage: async ({ message, body, context, setStatus, setTitle }) => {
      const m = message as unknown as MessageLike;
      const beforeTurn: BeforeTurn = async (user, text) => {
        // Failures here cost a status or a title, never the answer.
        try {
          await setStatus({ status: t.t(langOf(user), 'channels.slack.status_searching') });
        } catch (err) {
          deps.reportError('status', err, { conversationId: m.channel });
        }
        if (m.thread_ts && !titled.has(`${m.channel}:${m.thread_ts}`)) {
          titled.set(`${m.channel}:${m.thread_ts}`, true);
          try {
            await setTitle(clip(text.replace(/\s+/g, ' '), TITLE_CHARS));
          } catch (err) {
            deps.reportError('title', err, { conversationId: m.channel });
          }
        }
      };
      await onMessage({ ...m, channel_type: 'im' }, 'assistant', body.event_id, context.retryNum, context.botUserId, teamOf(body, context), beforeTurn);
    },
  });
  bolt.assistant(assistant);

  bolt.event('message', async ({ event, body, context }) => {
    await onMessage(event as unknown as MessageLike, 'message', body.event_id, context.retryNum, context.botUserId, teamOf(body, context));
  });
  bolt.event('app_mention', async ({ event, body, context }) => {
    await onMessage({ ...(event as unknown as MessageLike), channel_type: 'channel' }, 'app_mention', body.event_id, context.retryNum, context.botUserId, teamOf(body, context));
  });

  // ------------------------------------------------------------------------------------------
  // Home tab: the employee's open tickets, and a comment on one of them

  async function publishHome(userId: string): Promise<void> {
    const user = await users.get(userId);
    const lang = langOf(user);
    let tickets;
    try {
      tickets = options.tickets ? await options.tickets.open(user, SLACK_CHANNEL) : undefined;
    } catch (err) {
      deps.reportError('home', err);
    }
    const view = renderHome(
      { lang, tickets, canComment: options.tickets?.canComment ?? false, stateLabel: (tk) => t.t(lang, `dialogue.status.state.${tk.state}`, { raw: tk.rawStatus }) },
      t,
    );
    await client.views.publish({ user_id: userId, view });
  }

  bolt.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await deps.track(() => publishHome(event.user)).catch((err: unknown) => deps.reportError('home', err));
  });

  bolt.action<BlockAction<ButtonAction>>(HOME_COMMENT_ACTION, async ({ ack, body, action }) => {
    await ack();
    const user = await users.get(body.user.id);
    await client.views.open({ trigger_id: body.trigger_id, view: renderCommentModal(langOf(user), action.value ?? '', t) });
  });

  bolt.view(COMMENT_VIEW_CALLBACK, async ({ ack, body, view }) => {
    const meta = commentMetaSchema.safeParse(safeJson(view.private_metadata));
    const text = view.state.values[COMMENT_BLOCK]?.[COMMENT_INPUT]?.value ?? '';
    const user = await users.get(body.user.id);
    const lang = langOf(user);
    const k = (key: string): string => t.t(lang, `channels.slack.home.${key}`, { number: meta.success ? meta.data.ticket : '' });
    if (!meta.success || !options.tickets) {
      await ack({ response_action: 'errors', errors: { [COMMENT_BLOCK]: k('comment_refused') } });
      return;
    }
    const outcome = await options.tickets.comment(user, SLACK_CHANNEL, meta.data.ticket, text);
    if (outcome === 'empty' || outcome === 'secret' || outcome === 'refused' || outcome === 'unsupported') {
      // The modal stays open with the reason under the field; nothing was sent.
      await ack({ response_action: 'errors', errors: { [COMMENT_BLOCK]: k(outcome === 'empty' ? 'comment_empty' : outcome === 'secret' ? 'comment_secret' : 'comment_refused') } });
      return;
    }
    await ack({
      response_action: 'update',
      view: {
        type: 'modal',
        title: { type: 'plain_text', text: clip(k('modal_title'), 24) },
        close: { type: 'plain_text', text: clip(k('modal_cancel'), 24) },
        blocks: [{ type: 'section', text: { type: 'plain_text', text: k(outcome === 'added' ? 'comment_added' : 'comment_failed') } }],
      },
    });
    if (outcome === 'added') await deps.track(() => publishHome(body.user.id)).catch((err: unknown) => deps.reportError('home', err));
  });

  // ------------------------------------------------------------------------------------------
  // Buttons, and Slack's 👍/👎 feedback_buttons carrying the same Yes/No payloads

  const onClick = async ({ ack, body, action }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction | FeedbackButtonsAction } & AllMiddlewareArgs): Promise<void> => {
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
      // "No" can bring the next article, written by the model: streamed like an answer to a question.
      const live = liveAnswer(address, { userId: body.user.id, ...(body.user.team_id ? { teamId: body.user.team_id } : {}) });
      const progress = progressOf(live);
      let replies: OutboundMessage[];
      try {
        replies = await engine.handle({
          address,
          user,
          messageId: `${messageTs}:${action.action_id}:${action.action_ts}`,
          action: { payload, sourceMessageId: messageTs },
          receivedAt,
          ...(progress ? { progress } : {}),
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
      await postAll(address, replies.filter((r) => r !== replaced), live);
    }));
  };
  bolt.action<BlockAction<ButtonAction>>(ACTION_ID_PATTERN, onClick);
  bolt.action<BlockAction<FeedbackButtonsAction>>(FEEDBACK_ACTION_ID, onClick);

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

/** The workspace of the person, for chat.startStream's recipient_team_id. */
function teamOf(body: { team_id?: string }, context: { teamId?: string }): string | undefined {
  return context.teamId ?? body.team_id;
}

const commentMetaSchema = z.object({ ticket: z.string().min(1).max(200), lang: z.string().optional() }).strict();

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
