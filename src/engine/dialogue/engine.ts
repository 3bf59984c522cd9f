import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ConversationAddress, Engine, InboundEvent, OutboundMessage, TurnProgress, UserRef } from '../contract.js';
import { DEFAULT_LANG, langFromLocale, type Lang } from '../lang.js';
import { translator as sharedTranslator } from '../i18n.js';
import { redact, type Redaction } from '../redact.js';
import { detectSensitive } from '../escalation/policy.js';
import { createActionRegistry } from '../flows/actions.js';
import { parseState } from './state.js';
import type { EngineDeps, ResolvedDeps } from './deps.js';
import { describeAction } from './describe-action.js';
import { classifyIntent, followUp, yesNo } from './intents.js';
import { cutAtBoundary, MAX_KEPT_CHARS } from './long-input.js';
import { KeyedMutex } from './mutex.js';
import { FEEDBACK_COMMENT_MAX } from './feedback.js';
import { onAction } from './on-action.js';
import { onText } from './on-text.js';
import { actionPayloadSchema, type EnginePayload } from './payload.js';
import { sweepOne, ticketUpdateOne, type ProactiveMessage, type TicketUpdate } from './proactive.js';
import { createRuntime } from './runtime.js';
import { words } from './text.js';
import type { Turn } from './turn.js';

export interface DialogueEngine extends Engine {
  /**
   * Closes guided fixes idle for longer than FLOW_TIMEOUT_MINUTES and returns the polite follow-ups
   * to send; the composition root calls it on a timer and delivers them through the ProactiveSender.
   */
  sweep(now?: Date): Promise<ProactiveMessage[]>;
  /**
   * The message telling the user their ticket exists (number and link), or that it could not be
   * created; recorded in the transcript. Called by the composition root on the outbox's outcomes.
   */
  ticketUpdate(update: TicketUpdate): Promise<ProactiveMessage | undefined>;
  /**
   * A turn the bot starts itself in the conversation at `address` (live-handoff relay, ticket
   * news): `work` adds messages and events under the conversation's lock, the turn is committed to
   * the transcript, and its messages are returned for delivery. Undefined when the bot never talked there.
   */
  speak(address: ConversationAddress, work: (turn: Turn) => Promise<void> | void): Promise<ProactiveMessage[] | undefined>;
}

/** Messages this short ("ok", "PRN-0421") keep the conversation's language instead of being detected. */
const SHORT_MESSAGE_WORDS = 2;

/** A lone UTF-16 surrogate cannot be stored as valid UTF-8: replaced by U+FFFD where input enters. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export const wellFormed = (s: string): string => s.replace(LONE_SURROGATE, '\uFFFD');

const inboundEventSchema = z
  .object({
    address: z.object({
      channel: z.string().min(1).max(64).transform(wellFormed),
      conversationId: z.string().min(1).max(512).transform(wellFormed),
      threadId: z.string().min(1).max(512).transform(wellFormed).optional(),
    }),
    user: z.object({
      id: z.string().min(1).max(512).transform(wellFormed),
      name: z.string().max(256).transform(wellFormed).optional(),
      email: z.string().max(320).transform(wellFormed).optional(),
      anonymous: z.boolean().optional(),
      locale: z.string().max(35).transform(wellFormed).optional(),
      /** Verified by the channel; decides which restricted articles the user may be shown. */
      groups: z.array(z.string().min(1).max(256).transform(wellFormed)).max(500).optional(),
      /** Set only by a channel whose identity provider vouched for the user (web chat OIDC / trusted proxy). */
      verified: z.object({ by: z.string().min(1).max(64), subject: z.string().min(1).max(512), email: z.string().max(320).optional() }).optional(),
    }),
    messageId: z.string().min(1).max(512).transform(wellFormed).optional(),
    text: z.string().transform(wellFormed).optional(),
    action: z
      .object({ payload: z.unknown(), sourceMessageId: z.string().transform(wellFormed).optional(), comment: z.string().max(MAX_KEPT_CHARS).transform(wellFormed).optional() })
      .optional(),
    receivedAt: z.string().transform(wellFormed).optional(),
  })
  .refine((e) => (e.text === undefined) !== (e.action === undefined), { message: 'exactly one of text or action must be set' });
type ValidEvent = z.infer<typeof inboundEventSchema>;

/**
 * The engine's lock key for a conversation. Its own namespace, apart from the channels' per-conversation
 * order (the same address without the prefix): a turn runs under both, and the locks are not re-entrant.
 */
const lockKey = (a: ConversationAddress): string => `engine:${JSON.stringify([a.channel, a.conversationId, a.threadId ?? ''])}`;

function resolveDeps(deps: EngineDeps): ResolvedDeps {
  return {
    ...deps,
    actions: deps.actions ?? createActionRegistry(),
    translator: deps.translator ?? sharedTranslator(),
    clock: deps.clock ?? (() => new Date()),
    newId: deps.newId ?? randomUUID,
  };
}

export function createEngine(input: EngineDeps): DialogueEngine {
  const deps = resolveDeps(input);
  const rt = createRuntime(deps);
  const { store, knowledge } = deps;
  // One piece of work at a time per conversation, across replicas when the lock is theirs: quick
  // messages, channel retries, announcements, ticket news, the technician relay and time-outs never
  // read the state while another commits it. Nothing run under it takes it again (not re-entrant).
  const lock = input.lock ?? new KeyedMutex();

  /** The reply language: what the message is written in, or the conversation's for very short messages. */
  function replyLang(text: string, conversationLang: Lang): Lang {
    const hinted = classifyIntent(text)?.lang ?? yesNo(text)?.lang ?? followUp(text)?.lang ?? detectSensitive(text)?.lang;
    if (hinted) return hinted;
    if (words(text).length <= SHORT_MESSAGE_WORDS) return conversationLang;
    return knowledge.detectLang(text, conversationLang);
  }

  async function process(event: ValidEvent, progress?: TurnProgress): Promise<OutboundMessage[]> {
    const now = deps.clock();
    const user: UserRef = event.user;
    const hintLang = langFromLocale(user.locale) ?? DEFAULT_LANG;

    let redaction: Redaction | undefined;
    let parsedPayload: EnginePayload | undefined;
    let storedText: string;
    let storedAction: unknown;
    let comment: string | undefined;
    let commentSecrets: string[] = [];
    let longInput: { read: number; total: number; atLine: boolean } | undefined;
    if (event.text !== undefined) {
      // The whole message (redacted) is stored for the transcript and the ticket; the engine reads its beginning.
      const whole = redact(event.text.slice(0, MAX_KEPT_CHARS));
      storedText = whole.text;
      const cut = cutAtBoundary(whole.text);
      redaction = cut ? { ...whole, text: cut.text } : whole;
      if (cut) longInput = { read: cut.text.length, total: event.text.length, atLine: cut.atLine };
    } else {
      const parsed = actionPayloadSchema.safeParse(event.action?.payload);
      parsedPayload = parsed.success ? parsed.data : undefined;
      storedText = describeAction(parsedPayload, hintLang, deps);
      // An unreadable payload is kept for audit, redacted and bounded like any user input.
      storedAction = parsed.success ? parsed.data : redact(JSON.stringify(event.action?.payload ?? null).slice(0, 2000)).text;
      // Redacted whole, then capped: a cut first could leave half a secret unrecognised.
      const typedRedaction = event.action?.comment === undefined ? undefined : redact(event.action.comment);
      const typed = typedRedaction ? typedRedaction.text.replace(/\s+/g, ' ').trim() : '';
      if (typed) comment = typed.slice(0, FEEDBACK_COMMENT_MAX);
      commentSecrets = typedRedaction?.found ?? [];
    }

    // Write before acknowledging: the inbound turn is durable before any work is done.
    const begun = await store.beginTurn({
      address: event.address,
      user,
      ...(event.messageId ? { messageId: event.messageId } : {}),
      text: storedText,
      ...(storedAction !== undefined ? { action: storedAction } : {}),
      lang: hintLang,
      at: now.toISOString(),
    });
    if (begun.replay) return begun.replay;

    const conversation = begun.conversation;
    // A name or an e-mail address typed for a ticket says nothing about the language: the conversation's stays.
    const answeringContact = parseState(conversation.state).pending?.kind === 'escalation' && Boolean((parseState(conversation.state).pending as { contactStep?: string }).contactStep);
    const lang = redaction && !answeringContact ? replyLang(redaction.text, conversation.lang) : conversation.lang;
    let turn = rt.newTurn(conversation, begun.flow, lang, now, user);
    turn.progress = progress;
    if (longInput) {
      const n = (x: number) => x.toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB');
      turn.messages.push({
        lang,
        parts: [{ kind: 'text', text: turn.t('long_message', { total: n(longInput.total), read: n(longInput.read), where: longInput.atLine ? turn.t('long_message_line') : '' }) }],
        inputTruncated: { readChars: longInput.read, totalChars: longInput.total },
      });
    }
    // A secret typed into a feedback comment is redacted like one in a message, and audited the same way.
    if (commentSecrets.length) turn.event('secret_redacted', { data: { kinds: [...new Set(commentSecrets)], in: 'feedback_comment' } });
    try {
      // Extension point: a live handoff takes the turn (relayed to the technician, the bot stays silent).
      const taken = (await deps.beforeTurn?.(turn, { ...(redaction ? { redaction } : {}), payload: event.action?.payload })) ?? false;
      if (!taken && redaction) await onText(turn, redaction);
      else if (!taken) await onAction(turn, parsedPayload, comment);
    } catch (err) {
      deps.logger?.error({ err: err instanceof Error ? err.message : String(err), conversationId: conversation.id }, 'turn failed');
      // Keep the state as it was before the failed turn; only the apology is recorded.
      turn = rt.newTurn(conversation, begun.flow, lang, now, user);
      turn.text('error');
      if (longInput) turn.messages[0]!.inputTruncated = { readChars: longInput.read, totalChars: longInput.total };
    }
    await rt.commit(turn, begun.turnId);
    return turn.messages;
  }

  return {
    async handle(event: InboundEvent): Promise<OutboundMessage[]> {
      const parsed = inboundEventSchema.safeParse(event);
      if (!parsed.success) {
        throw new TypeError(`invalid inbound event: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`);
      }
      // The progress display is the channel's own object, not data: it is not validated or stored.
      return lock.run(lockKey(parsed.data.address), () => process(parsed.data, event.progress));
    },

    async sweep(now: Date = deps.clock()): Promise<ProactiveMessage[]> {
      const before = new Date(now.getTime() - deps.config.flowTimeoutMinutes * 60_000).toISOString();
      const out: ProactiveMessage[] = [];
      for (const { conversation } of await store.idleFlows(before)) {
        const sent = await lock.run(lockKey(conversation.address), () => sweepOne(rt, conversation.id, before, now));
        if (sent) out.push(sent);
      }
      return out;
    },

    ticketUpdate(update: TicketUpdate): Promise<ProactiveMessage | undefined> {
      const { packet } = update;
      return lock.run(lockKey({ channel: packet.channel, conversationId: packet.conversationId, threadId: packet.threadId }), () =>
        ticketUpdateOne(rt, update),
      );
    },

    speak(address: ConversationAddress, work: (turn: Turn) => Promise<void> | void): Promise<ProactiveMessage[] | undefined> {
      return lock.run(lockKey(address), async () => {
        const conversation = await store.findConversation(address);
        if (!conversation) return undefined;
        const turn = rt.newTurn(conversation, undefined, conversation.lang, deps.clock(), conversation.user);
        await work(turn);
        await rt.commit(turn);
        return turn.messages.map((message) => ({ address: conversation.address, message }));
      });
    },
  };
}

