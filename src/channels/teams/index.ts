import express, { Router, type Response } from 'express';
import { guardedAdapterResponse } from './auth-response.js';
import { ActivityTypes, TurnContext, type Activity, type CardAction, type ConversationReference } from 'botbuilder';
import { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import type {
  ConversationAddress,
  HandoffCardOptions,
  InboundEvent,
  OutboundMessage,
  ProactiveSender,
  SentMessage,
} from '../../engine/contract.js';
import type { EscalationPacket } from '../../engine/escalation/packet.js';
import { DEFAULT_LANG, langFromLocale, type Lang } from '../../engine/lang.js';
import type { SuggestedPrompt } from '../../engine/analytics/suggested-prompts.js';
import type { ChannelsConfig } from '../../config/sections/channels.js';
import type { ChannelReferences } from '../../engine/ports/channel-references.js';
import { isHandoffPayload } from '../technicians.js';
import { type Channel, type ChannelDeps } from '../types.js';
import { TEAMS_CHANNEL, teamsAddress, teamsConversationId } from './address.js';
import { ACTION_VERB, hasButtons, renderAnswered, renderHandoffCard, renderStreamFinal, renderTeamsActivity, type SubmitData } from './cards.js';
import { feedbackChoices, withAiConventions, type FeedbackChoices } from './ai-entities.js';
import { TeamsReplyStream } from './streaming.js';
import { HelpdeskTeamsAdapter } from './adapter.js';
import { TeamsIdentity, type MemberLookup } from './identity.js';

/**
 * Microsoft Teams (and any Bot Framework channel, e.g. the Emulator): POST /api/messages through
 * the teams-ai TeamsAdapter (a botbuilder CloudAdapter) and a teams-ai Application. Messages and
 * card buttons (Action.Submit, verb "helpdesk.action", routed by app.adaptiveCards.actionSubmit)
 * go to the engine; replies are rendered by cards.ts. Conversation references are stored in
 * SQLite on every activity so the bot can post later (ticket number, handoff relay).
 *
 * Auth: with MICROSOFT_APP_ID the adapter validates every request's Bot Framework token (401
 * otherwise). Without it the endpoint runs in local/emulator mode and, since anyone could then
 * make the bot POST to an arbitrary serviceUrl, only accepts the Emulator's service URL shape
 * (isEmulatorServiceUrl) and, unless HOST says otherwise, listens on loopback only (compose.ts).
 */

export interface TeamsChannelOptions {
  config: ChannelsConfig['teams'];
  references: ChannelReferences;
  /**
   * Extra Bot Framework authentication settings (ToBotFromChannelOpenIdMetadataUrl,
   * ToBotFromChannelTokenIssuer, …): sovereign clouds, and tests with a local token issuer.
   */
  authSettings?: Record<string, string>;
  /** Roster lookup; TeamsInfo.getMember by default. */
  memberLookup?: MemberLookup;
  /** Suggested prompts for the welcome (engine/analytics/suggested-prompts.ts); no prompts without it. */
  suggestions?: (lang: Lang) => Promise<SuggestedPrompt[]>;
}

export interface TeamsChannel extends Channel {
  readonly adapter: HelpdeskTeamsAdapter;
  readonly app: Application;
}

const account = z.object({ id: z.string().min(1).max(512) }).passthrough();
/**
 * The fields the adapter and this channel rely on; anything else passes through untouched. Only
 * what the Activity spec makes a channel include is required (type, channelId, from, conversation,
 * serviceUrl: A2010, A2020, A2060, A2080, A2300); `recipient` and `id` may be absent (Direct Line
 * emulators omit the recipient), see https://github.com/microsoft/botframework-sdk specs/botframework-activity.
 */
const activitySchema = z
  .object({
    type: z.string().min(1).max(64),
    id: z.string().max(512).optional(),
    serviceUrl: z.string().url().max(2048),
    channelId: z.string().min(1).max(64),
    from: account,
    recipient: account.optional(),
    conversation: z.object({ id: z.string().min(1).max(1024) }).passthrough(),
    text: z.string().max(40_000).optional(),
  })
  .passthrough();

/**
 * Teams' native feedback buttons: an invoke `message/submitAction` whose value names the action
 * "feedback", the reaction and what the user typed (a JSON string by default).
 */
const feedbackInvokeSchema = z.object({
  actionName: z.literal('feedback'),
  actionValue: z.object({
    reaction: z.enum(['like', 'dislike']),
    feedback: z.union([z.string().max(10_000), z.record(z.unknown())]).optional(),
  }),
});

/**
 * What the user typed in Teams' feedback form. Teams sends the default form as a JSON string
 * (`{"feedbackText":"..."}`); a custom form may come as an object. Anything else is plain text.
 */
export function feedbackComment(feedback: string | Record<string, unknown> | undefined): string | undefined {
  let value: unknown = feedback;
  if (typeof feedback === 'string') {
    try {
      value = JSON.parse(feedback) as unknown;
    } catch {
      value = feedback;
    }
  }
  const text = typeof value === 'string' ? value : value && typeof value === 'object' ? (value as { feedbackText?: unknown }).feedbackText : undefined;
  return typeof text === 'string' && text.trim() ? text.trim() : undefined;
}

/** Reference-table namespace of the answers' feedback buttons (see keepAnswer): kept 180 days. */
const TEAMS_ANSWERS = `${TEAMS_CHANNEL}.answers`;
const ANSWER_TTL_MS = 180 * 24 * 60 * 60 * 1000;
/** Sent cards with buttons (see keepCard): kept 24 h, as the in-memory cache they replace was. */
const TEAMS_CARDS = `${TEAMS_CHANNEL}.cards`;
const CARD_TTL_MS = 24 * 60 * 60 * 1000;
const CARD_PRUNE_EVERY_MS = 60 * 60 * 1000;
/** What renderAnswered needs of a stored card: read back from a table every replica writes. */
const sentCardSchema = z.object({ attachments: z.array(z.object({ contentType: z.string() }).passthrough()).optional() }).passthrough();
const actionPayload = z.record(z.union([z.string(), z.number(), z.boolean(), z.null()]));
const feedbackChoicesSchema = z.object({
  yes: z.object({ label: z.string(), payload: actionPayload }),
  no: z.object({ label: z.string(), payload: actionPayload }),
});

const storedReferenceSchema = z
  .object({
    serviceUrl: z.string().url(),
    channelId: z.string(),
    conversation: z.object({ id: z.string() }).passthrough(),
    bot: account.optional(),
  })
  .passthrough();

/** The bot's account id in local mode (no app id), when an activity does not name its recipient. */
const LOCAL_BOT_ID = 'helpdesk-bot';

/**
 * The only service URL a local Bot Framework Emulator sends: plain http to this machine's loopback
 * name or address with an explicit port and nothing else (e.g. `http://localhost:58217`). Anything
 * more (another 127.x address, a path, a query, credentials) would let whoever can reach the
 * endpoint make the bot POST where they choose.
 */
export function isEmulatorServiceUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (
      u.protocol === 'http:' &&
      ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname) &&
      u.port !== '' &&
      u.pathname === '/' &&
      u.search === '' &&
      u.hash === '' &&
      u.username === '' &&
      u.password === '' &&
      // The parsed form must be what was sent (no encoded tricks the client library would read differently).
      u.href === `${url.replace(/\/?$/, '')}/`
    );
  } catch {
    return false;
  }
}

/** Whether the bot itself is @mentioned (the Application strips the mention from the text, not from the entities). */
function mentionsBot(activity: Activity): boolean {
  return (activity.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === activity.recipient?.id);
}

/** Mentions are removed by the Application; Teams may leave HTML spaces around them. */
function cleanText(text: string | undefined): string {
  return (text ?? '').replace(/&nbsp;/gi, ' ').trim();
}

export function createTeamsChannel(deps: ChannelDeps, options: TeamsChannelOptions): TeamsChannel {
  const { engine, translator: t, logger } = deps;
  const { config, references } = options;
  const creds = config.credentials;
  const appId = creds?.appId ?? '';

  const adapter = new HelpdeskTeamsAdapter({
    ...(creds
      ? {
          MicrosoftAppId: creds.appId,
          MicrosoftAppType: creds.appType,
          ...(creds.password ? { MicrosoftAppPassword: creds.password } : {}),
          ...(creds.tenantId ? { MicrosoftAppTenantId: creds.tenantId } : {}),
        }
      : {}),
    ...options.authSettings,
  });
  adapter.onTurnError = async (context, error) => {
    deps.reportError('turn', error, { conversationId: context.activity.conversation?.id });
    if (context.activity.type !== ActivityTypes.Message) return;
    try {
      const lang = langFromLocale(context.activity.locale) ?? DEFAULT_LANG;
      await context.sendActivity({ type: ActivityTypes.Message, text: t.t(lang, 'dialogue.error'), textFormat: 'markdown' });
    } catch (err) {
      deps.reportError('post', err);
    }
  };

  const identity = new TeamsIdentity((err) => deps.reportError('lookup', err), options.memberLookup);

  // The typing timer of teams-ai lives on the Application and is shared by concurrent turns,
  // so each turn sends its own single typing activity instead.
  const app = new Application({ adapter, botAppId: appId, removeRecipientMention: true, startTypingTimer: false });

  async function remember(activity: Activity): Promise<void> {
    const reference = TurnContext.getConversationReference(activity);
    const address = teamsAddress(activity.conversation.id);
    // Stored per channel/chat (not per thread) and without the activity id, so a later post can
    // open a new thread or go into any thread of that channel.
    const { activityId: _activityId, ...rest } = reference;
    try {
      await references.save(TEAMS_CHANNEL, address.conversationId, { ...rest, conversation: { ...rest.conversation, id: address.conversationId } });
    } catch (err) {
      deps.reportError('reference', err);
    }
  }

  /**
   * False when the Bot Framework already delivered this activity (a retry after a slow answer), to
   * this process or another replica. Users' turns need no check (the conversation store keeps each
   * message id once); technicians' messages and clicks go to the live handoff, which would relay
   * them twice.
   */
  async function firstDelivery(activity: Activity): Promise<boolean> {
    if (!activity.id) return true;
    const fresh = await deps.deliveries.firstDelivery(TEAMS_CHANNEL, [`activity:${activity.conversation.id}:${activity.id}`]);
    if (!fresh) logger.info({ activityId: activity.id }, 'teams: duplicate delivery ignored');
    return fresh;
  }

  function isTechnicians(address: ConversationAddress): boolean {
    return config.techniciansChannelId !== undefined && address.conversationId === config.techniciansChannelId;
  }

  /**
   * Our cards with buttons, by chat and activity id, so a click can mark its card answered. Kept a
   * day in the shared reference table, so the click may reach any replica (or come after a
   * restart); older cards simply keep their buttons.
   */
  const cardKey = (conversationId: string, activityId: string): string => `${teamsAddress(conversationId).conversationId}\n${activityId}`;
  let lastPrune = 0;
  /**
   * At most once an hour per replica, after saving: one indexed DELETE per namespace keeps about a
   * day of cards and half a year of answers (a thumb on an older answer is not linked to its article).
   */
  const pruneReferences = async (): Promise<void> => {
    if (Date.now() - lastPrune <= CARD_PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    await references.prune(TEAMS_CARDS, new Date(Date.now() - CARD_TTL_MS));
    await references.prune(TEAMS_ANSWERS, new Date(Date.now() - ANSWER_TTL_MS));
  };
  const keepCard = async (conversationId: string, id: string | undefined, activity: Partial<Activity>): Promise<void> => {
    if (!id || !hasButtons(activity)) return;
    try {
      await references.save(TEAMS_CARDS, cardKey(conversationId, id), activity);
      await pruneReferences();
    } catch (err) {
      // The card is already sent; a click on it will only leave its buttons in place.
      deps.reportError('reference', err);
    }
  };
  const sentCard = async (conversationId: string, activityId: string): Promise<Partial<Activity> | undefined> => {
    try {
      const stored = sentCardSchema.safeParse(await references.get(TEAMS_CARDS, cardKey(conversationId, activityId), new Date(Date.now() - CARD_TTL_MS)));
      return stored.success ? (stored.data as Partial<Activity>) : undefined;
    } catch (err) {
      deps.reportError('reference', err);
      return undefined;
    }
  };

  /**
   * The feedback buttons of answers, by chat and activity id, for Teams' own thumbs up and down.
   * The invoke carries only the answer's activity id (replyToId), nothing of the message itself,
   * so the link is kept in the durable reference table: a thumb after a restart still counts.
   */
  const answerKey = (conversationId: string, activityId: string): string => `${teamsAddress(conversationId).conversationId}\n${activityId}`;
  const keepAnswer = async (conversationId: string, id: string | undefined, message: OutboundMessage): Promise<void> => {
    const choices = feedbackChoices(message);
    if (!id || !choices) return;
    try {
      await references.save(TEAMS_ANSWERS, answerKey(conversationId, id), choices);
      await pruneReferences();
    } catch (err) {
      // The answer is already sent; only its thumbs will not count.
      deps.reportError('reference', err);
    }
  };
  const answerOf = async (conversationId: string, activityId: string): Promise<FeedbackChoices | undefined> => {
    const stored = feedbackChoicesSchema.safeParse(await references.get(TEAMS_ANSWERS, answerKey(conversationId, activityId)));
    return stored.success ? stored.data : undefined;
  };

  async function deliver(context: TurnContext, replies: OutboundMessage[], sourceMessageId?: string, answer?: string, stream?: TeamsReplyStream): Promise<void> {
    const original = sourceMessageId && answer && !replies.some((r) => r.replacesSourceMessage) ? await sentCard(context.activity.conversation.id, sourceMessageId) : undefined;
    if (original) {
      try {
        await context.updateActivity({ ...renderAnswered(original, answer!, replies[0]?.lang ?? DEFAULT_LANG, t), id: sourceMessageId });
      } catch (err) {
        // The click still gets its answer; the buttons just stay.
        deps.reportError('update', err);
      }
    }
    // A started stream ends with the language model's answer, or with the first reply when there is none.
    const streamed = stream?.started ? Math.max(0, replies.findIndex((r) => r.parts.some((p) => p.kind === 'text' && p.generated))) : -1;
    for (const [i, reply] of replies.entries()) {
      if (i === streamed) {
        const final = withAiConventions(renderStreamFinal(reply, t), reply);
        const id = await stream!.finish(final, reply);
        await keepCard(context.activity.conversation.id, id, final);
        await keepAnswer(context.activity.conversation.id, id, reply);
        continue;
      }
      const activity = withAiConventions(renderTeamsActivity(reply, t), reply);
      if (reply.replacesSourceMessage && sourceMessageId) {
        try {
          await context.updateActivity({ ...activity, id: sourceMessageId });
          continue;
        } catch (err) {
          // Some clients cannot edit (or the message is gone): the reply is posted instead.
          deps.reportError('update', err);
        }
      }
      const id = (await context.sendActivity(activity))?.id;
      await keepCard(context.activity.conversation.id, id, activity);
      await keepAnswer(context.activity.conversation.id, id, reply);
    }
  }

  async function handle(context: TurnContext, event: InboundEvent, sourceMessageId?: string, answer?: string): Promise<void> {
    await deps.inOrder(event.address, async () => {
      const typing = context.sendActivity({ type: ActivityTypes.Typing }).catch((err: unknown) => deps.reportError('typing', err));
      // Teams streams in personal chats only; group chats and channels get the final message.
      const lang = langFromLocale(context.activity.locale) ?? DEFAULT_LANG;
      const stream = context.activity.conversation.conversationType === 'personal'
        ? new TeamsReplyStream(context, t.t(lang, 'teams.searching'), (err) => deps.reportError('stream', err))
        : undefined;
      const replies = await engine.handle(stream ? { ...event, progress: stream.progress } : event).finally(() => stream?.settle());
      await typing;
      await deliver(context, replies, sourceMessageId, answer, stream);
    });
  }

  /** Suggested prompts as the welcome's buttons (suggested actions: shown in 1:1 chats, sent as the user's message). */
  async function promptActions(lang: Lang): Promise<CardAction[]> {
    if (!options.suggestions) return [];
    try {
      return (await options.suggestions(lang)).map((p) => ({ type: 'imBack', title: p.title, value: p.message }));
    } catch (err) {
      // A welcome without suggestions is still a welcome.
      deps.reportError('suggestions', err);
      return [];
    }
  }

  app.conversationUpdate('membersAdded', async (context) => {
    await remember(context.activity);
    const botAdded = (context.activity.membersAdded ?? []).some((m) => m.id === context.activity.recipient?.id);
    if (!botAdded) return;
    const lang = langFromLocale(context.activity.locale) ?? DEFAULT_LANG;
    const personal = context.activity.conversation.conversationType === 'personal';
    const actions = personal ? await promptActions(lang) : [];
    const user = context.activity.from?.id;
    await context.sendActivity({
      type: ActivityTypes.Message,
      text: t.t(lang, 'dialogue.greeting_anonymous'),
      textFormat: 'markdown',
      locale: lang,
      ...(actions.length && user ? { suggestedActions: { to: [user], actions } } : {}),
    });
  });

  // Teams' thumbs up / down on an answer: the same feedback as the card's Yes / No (one path into
  // the engine and its feedback store). teams-ai answers the invoke with 200 once this returns.
  app.feedbackLoop(async (context, _state, data) => {
    remember(context.activity);
    const parsed = feedbackInvokeSchema.safeParse(context.activity.value);
    const activity = context.activity;
    const choices = data.replyToId ? await answerOf(activity.conversation.id, data.replyToId) : undefined;
    if (!parsed.success || !choices) return;
    const choice = parsed.data.actionValue.reaction === 'like' ? choices.yes : choices.no;
    const comment = feedbackComment(parsed.data.actionValue.feedback);
    await handle(
      context,
      {
        address: teamsAddress(activity.conversation.id),
        user: await identity.userOf(context),
        ...(activity.id ? { messageId: activity.id } : {}),
        action: { payload: choice.payload, sourceMessageId: data.replyToId, ...(comment ? { comment } : {}) },
        receivedAt: new Date().toISOString(),
      },
      data.replyToId,
      choice.label,
    );
  });

  app.adaptiveCards.actionSubmit<SubmitData>(ACTION_VERB, async (context, _state, data) => {
    await remember(context.activity);
    const activity = context.activity;
    const address = teamsAddress(activity.conversation.id);
    const user = await identity.userOf(context);
    const receivedAt = new Date().toISOString();
    if (isTechnicians(address) || isHandoffPayload(data.payload)) {
      if (!(await firstDelivery(activity))) return;
      await deps.technicians.onTechnicianAction({
        address,
        user,
        ...(activity.id ? { messageId: activity.id } : {}),
        payload: data.payload,
        ...(activity.replyToId ? { sourceMessageId: activity.replyToId } : {}),
        receivedAt,
      });
      return;
    }
    await handle(
      context,
      {
        address,
        user,
        ...(activity.id ? { messageId: activity.id } : {}),
        action: { payload: data.payload, ...(activity.replyToId ? { sourceMessageId: activity.replyToId } : {}) },
        receivedAt,
      },
      activity.replyToId,
      typeof data.label === 'string' ? data.label : undefined,
    );
  });

  app.activity(ActivityTypes.Message, async (context) => {
    await remember(context.activity);
    const activity = context.activity;
    const address = teamsAddress(activity.conversation.id);
    const text = cleanText(activity.text);
    const user = await identity.userOf(context);
    const lang = langFromLocale(activity.locale) ?? DEFAULT_LANG;
    if (isTechnicians(address)) {
      if (text && (await firstDelivery(activity))) {
        await deps.technicians.onTechnicianMessage({ address, user, ...(activity.id ? { messageId: activity.id } : {}), text, receivedAt: new Date().toISOString() });
      }
      return;
    }
    // With the resource-specific consent of the manifest (ChannelMessage.Read.Group) Teams sends every
    // channel message, not only @mentions: in a team channel the bot answers only when called.
    if (activity.conversation.conversationType === 'channel' && !mentionsBot(activity)) return;
    if (!text) {
      // An attachment, a sticker or an unknown card submit: nothing the engine can read.
      await context.sendActivity({ type: ActivityTypes.Message, text: t.t(lang, 'notices.text_only'), textFormat: 'markdown' });
      return;
    }
    await handle(context, { address, user, ...(activity.id ? { messageId: activity.id } : {}), text, receivedAt: new Date().toISOString() });
  });

  async function inConversation(address: ConversationAddress, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const stored = storedReferenceSchema.safeParse(await references.get(TEAMS_CHANNEL, address.conversationId));
    if (!stored.success) {
      throw new Error(`no usable Teams conversation reference for ${address.conversationId}: the bot must be installed there or have received a message first`);
    }
    const reference = { ...stored.data, conversation: { ...stored.data.conversation, id: teamsConversationId(address) } } as Partial<ConversationReference>;
    await adapter.continueConversationAsync(appId, reference, async (context) => {
      // The continuation activity gets a random id, which botbuilder would send as replyToId: a
      // proactive post is a new message (a new post in a channel), not a reply to nothing.
      delete (context.activity as Partial<Activity>).id;
      await logic(context);
    });
  }

  async function post(address: ConversationAddress, activity: Partial<Activity>): Promise<SentMessage> {
    let messageId: string | undefined;
    await inConversation(address, async (context) => {
      messageId = (await context.sendActivity(activity))?.id;
      await keepCard(address.conversationId, messageId, activity);
    });
    return messageId ? { messageId } : {};
  }

  const sender: ProactiveSender = {
    channel: TEAMS_CHANNEL,
    send: (address, message) => post(address, withAiConventions(renderTeamsActivity(message, t), message)),
    async sendHandoffCard(address: ConversationAddress, packet: EscalationPacket, cardOptions: HandoffCardOptions = {}): Promise<SentMessage> {
      const activity = renderHandoffCard(packet, cardOptions, t);
      const replace = cardOptions.replaceMessageId;
      if (!replace) return post(address, activity);
      await inConversation(address, async (context) => {
        await context.updateActivity({ ...activity, id: replace });
      });
      return { messageId: replace };
    },
  };

  const router = Router();
  router.post('/api/messages', express.json({ limit: '256kb' }), async (req, res) => {
    const parsed = activitySchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({
        error: 'invalid_activity',
        message: parsed.error.issues.map((i) => `${i.path.join('.') || 'activity'}: ${i.message}`).join('; '),
      });
      return;
    }
    // The feedback invoke is read by teams-ai before our handler: a malformed one is refused here.
    if (parsed.data.type === 'invoke' && req.body.name === 'message/submitAction') {
      const value = feedbackInvokeSchema.safeParse(req.body.value);
      if (!value.success) {
        res.status(400).json({ error: 'invalid_submit_action', message: value.error.issues.map((i) => `value.${i.path.join('.')}: ${i.message}`).join('; ') });
        return;
      }
    }
    // teams-ai keys its turn state on recipient.id: an activity without one is addressed to this bot.
    if (!parsed.data.recipient) req.body.recipient = { id: appId || LOCAL_BOT_ID, role: 'bot' };
    if (!creds && !isEmulatorServiceUrl(parsed.data.serviceUrl)) {
      res.status(403).json({
        error: 'local_mode',
        message: 'Without MICROSOFT_APP_ID this endpoint only serves a local Bot Framework Emulator (serviceUrl http://localhost:<port>).',
      });
      return;
    }
    await deps.track(async () => {
      try {
        let turnStarted = false;
        await adapter.process(req, guardedAdapterResponse(res, () => turnStarted) as unknown as Response, async (context) => {
          turnStarted = true;
          await app.run(context);
        });
      } catch (err) {
        deps.reportError('process', err);
        if (!res.headersSent) res.status(400).json({ error: 'invalid_activity', message: 'The activity could not be processed.' });
      }
    });
  });

  logger.info({ auth: creds ? creds.appType : 'none (local/emulator mode)' }, 'Bot Framework endpoint ready at /api/messages');
  return { name: TEAMS_CHANNEL, router, sender, adapter, app };
}
