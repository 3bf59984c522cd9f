import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ConversationAddress, Engine, InboundEvent, OutboundMessage, UserRef } from '../contract.js';
import { DEFAULT_LANG, langFromLocale, type Lang } from '../lang.js';
import { translator as sharedTranslator } from '../i18n.js';
import { redact, type Redaction } from '../redact.js';
import { detectSensitive } from '../escalation/policy.js';
import { createActionRegistry } from '../flows/actions.js';
import { flowRunSchema } from '../flows/runner.js';
import type { ConversationRecord, FlowRunRecord } from '../ports/conversation-store.js';
import type { TicketRef } from '../ports/tickets.js';
import type { EscalationPacket } from '../escalation/packet.js';
import type { EngineDeps, ResolvedDeps } from './deps.js';
import { classifyIntent, followUp, yesNo } from './intents.js';
import { KeyedMutex } from './mutex.js';
import { onAction } from './on-action.js';
import { onText } from './on-text.js';
import { actionPayloadSchema, type EnginePayload } from './payload.js';
import { messageToText } from './plain-text.js';
import { parseState } from './state.js';
import { words } from './text.js';
import { Turn, type ActiveFlow } from './turn.js';
import { payload } from './payload.js';

export interface ProactiveMessage {
  address: ConversationAddress;
  message: OutboundMessage;
}

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
}

export type TicketUpdate = { packet: EscalationPacket; ticket: TicketRef } | { packet: EscalationPacket; failed: true };

/** Longer messages are cut: nobody describes an IT problem in more, and retrieval gains nothing. */
const MAX_TEXT_CHARS = 4000;
/** Messages this short ("ok", "PRN-0421") keep the conversation's language instead of being detected. */
const SHORT_MESSAGE_WORDS = 2;

const inboundEventSchema = z
  .object({
    address: z.object({
      channel: z.string().min(1).max(64),
      conversationId: z.string().min(1).max(512),
      threadId: z.string().min(1).max(512).optional(),
    }),
    user: z.object({
      id: z.string().min(1).max(512),
      name: z.string().max(256).optional(),
      email: z.string().max(320).optional(),
      locale: z.string().max(35).optional(),
    }),
    messageId: z.string().min(1).max(512).optional(),
    text: z.string().optional(),
    action: z.object({ payload: z.unknown(), sourceMessageId: z.string().optional() }).optional(),
    receivedAt: z.string().optional(),
  })
  .refine((e) => (e.text === undefined) !== (e.action === undefined), { message: 'exactly one of text or action must be set' });

const addressKey = (a: ConversationAddress): string => JSON.stringify([a.channel, a.conversationId, a.threadId ?? '']);

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
  const { store, knowledge, flows, translator } = deps;
  const mutex = new KeyedMutex();

  /** The reply language: what the message is written in, or the conversation's for very short messages. */
  function replyLang(text: string, conversationLang: Lang): Lang {
    const hinted = classifyIntent(text)?.lang ?? yesNo(text)?.lang ?? followUp(text)?.lang ?? detectSensitive(text)?.lang;
    if (hinted) return hinted;
    if (words(text).length <= SHORT_MESSAGE_WORDS) return conversationLang;
    return knowledge.detectLang(text, conversationLang);
  }

  /** The stored flow run, if its flow and step still exist (flows are content: they change between releases). */
  function activeFlowOf(record: FlowRunRecord | undefined): ActiveFlow | 'gone' | undefined {
    if (!record) return undefined;
    const flow = flows.get(record.flowId);
    const run = flowRunSchema.safeParse(record.state);
    if (!flow || !run.success || !flow.steps.some((s) => s.id === run.data.stepId)) return 'gone';
    return { flow, run: run.data };
  }

  /** A label for the transcript: what the user clicked, in words. */
  function describeAction(p: EnginePayload | undefined, lang: Lang): string {
    const t = (key: string) => translator.t(lang, key);
    if (!p) return '[button] ?';
    switch (p.a) {
      case 'feedback':
      case 'escalate':
      case 'flow.check':
        return `[button] ${t(p.v === 'yes' ? 'common.yes' : 'common.no')}`;
      case 'pick':
        return `[button] ${knowledge.article(p.art, lang)?.title ?? p.art}`;
      case 'none':
        return `[button] ${t('common.none_of_these')}`;
      case 'flow.start':
        return `[button] ${flows.get(p.f)?.title[lang] ?? p.f}`;
      case 'flow.choice': {
        const option = flows
          .all()
          .flatMap((f) => f.steps)
          .flatMap((s) => (s.type === 'choice' && s.id === p.s ? s.options : []))
          .find((o) => o.id === p.o);
        return `[button] ${option?.label[lang] ?? p.o}`;
      }
      case 'offer':
        return `[button] ${t('dialogue.clarify.open_ticket')}`;
    }
  }

  async function commit(turn: Turn, inboundTurnId?: number): Promise<void> {
    // Any message keeps a guided fix in progress alive (the inactivity timeout counts from here).
    if (turn.flow && !turn.flowWrites.some((w) => w.id === turn.flow?.run.runId)) {
      turn.saveFlow({ ...turn.flow, run: { ...turn.flow.run, updatedAt: turn.at } }, 'active');
    }
    await store.commitTurn({
      conversationId: turn.conversation.id,
      ...(inboundTurnId !== undefined ? { inboundTurnId } : {}),
      at: turn.at,
      lang: turn.lang,
      status: turn.status,
      state: turn.state,
      flows: turn.flowWrites,
      outbound: turn.messages.map((m) => ({ text: messageToText(m, translator), message: m })),
      feedback: turn.feedback,
      events: turn.events,
    });
  }

  function newTurn(conversation: ConversationRecord, flowRecord: FlowRunRecord | undefined, lang: Lang, now: Date, user: UserRef): Turn {
    const flow = activeFlowOf(flowRecord);
    const turn = new Turn(deps, conversation, parseState(conversation.state), flow === 'gone' ? undefined : flow, lang, now, user);
    if (flow === 'gone' && flowRecord) {
      turn.flowWrites.push({ ...flowRecord, status: 'abandoned', updatedAt: turn.at });
      turn.event('flow_ended', { flowId: flowRecord.flowId, stepId: flowRecord.stepId, value: 'abandoned', data: { flowChanged: true } });
      turn.text('flow.changed');
    }
    return turn;
  }

  async function process(event: z.infer<typeof inboundEventSchema>): Promise<OutboundMessage[]> {
    const now = deps.clock();
    const at = now.toISOString();
    const user: UserRef = event.user;
    const hintLang = langFromLocale(user.locale) ?? DEFAULT_LANG;

    let redaction: Redaction | undefined;
    let parsedPayload: EnginePayload | undefined;
    let storedText: string;
    let storedAction: unknown;
    if (event.text !== undefined) {
      redaction = redact(event.text.slice(0, MAX_TEXT_CHARS));
      storedText = redaction.text;
    } else {
      const parsed = actionPayloadSchema.safeParse(event.action?.payload);
      parsedPayload = parsed.success ? parsed.data : undefined;
      storedText = describeAction(parsedPayload, hintLang);
      // An unreadable payload is kept for audit, redacted and bounded like any user input.
      storedAction = parsed.success ? parsed.data : redact(JSON.stringify(event.action?.payload ?? null).slice(0, 2000)).text;
    }

    // Write before acknowledging: the inbound turn is durable before any work is done.
    const begun = await store.beginTurn({
      address: event.address,
      user,
      ...(event.messageId ? { messageId: event.messageId } : {}),
      text: storedText,
      ...(storedAction !== undefined ? { action: storedAction } : {}),
      lang: hintLang,
      at,
    });
    if (begun.replay) return begun.replay;

    const conversation = begun.conversation;
    const lang = redaction ? replyLang(redaction.text, conversation.lang) : conversation.lang;
    let turn = newTurn(conversation, begun.flow, lang, now, user);
    try {
      if (redaction) await onText(turn, redaction);
      else await onAction(turn, parsedPayload);
    } catch (err) {
      deps.logger?.error({ err: err instanceof Error ? err.message : String(err), conversationId: conversation.id }, 'turn failed');
      // Keep the state as it was before the failed turn; only the apology is recorded.
      turn = newTurn(conversation, begun.flow, lang, now, user);
      turn.text('error');
    }
    await commit(turn, begun.turnId);
    return turn.messages;
  }

  async function sweepOne(conversationId: string, before: string, now: Date): Promise<ProactiveMessage | undefined> {
    const record = await store.activeFlow(conversationId);
    const conversation = await store.getConversation(conversationId);
    if (!record || !conversation || record.updatedAt >= before) return undefined;
    const turn = newTurn(conversation, undefined, conversation.lang, now, conversation.user);
    const flow = activeFlowOf(record);
    const title = flow && flow !== 'gone' ? flow.flow.title[turn.lang] : record.flowId;
    if (flow && flow !== 'gone') {
      turn.flow = flow;
      turn.endFlow('timed_out');
    } else {
      turn.flowWrites.push({ ...record, status: 'timed_out', updatedAt: turn.at });
      turn.event('flow_ended', { flowId: record.flowId, stepId: record.stepId, value: 'timed_out' });
    }
    const nonce = turn.nonce();
    const restartable = flow && flow !== 'gone' ? record.flowId : undefined;
    turn.state.pending = { kind: 'offer', nonce, ...(restartable ? { flowId: restartable } : {}) };
    turn.send([
      {
        kind: 'choices',
        prompt: turn.t('flow.timeout', { title }),
        choices: [
          ...(restartable ? [{ label: turn.t('flow.start_again'), value: payload({ a: 'flow.start', f: restartable, n: nonce }) }] : []),
          { label: turn.t('clarify.open_ticket'), value: payload({ a: 'offer', n: nonce }) },
        ],
      },
    ]);
    await commit(turn);
    const message = turn.messages[0];
    return message ? { address: conversation.address, message } : undefined;
  }

  async function ticketUpdateOne(update: TicketUpdate): Promise<ProactiveMessage | undefined> {
    const { packet } = update;
    const address: ConversationAddress = {
      channel: packet.channel,
      conversationId: packet.conversationId,
      ...(packet.threadId ? { threadId: packet.threadId } : {}),
    };
    const conversation = await store.findConversation(address);
    if (!conversation) return undefined;
    // Told in the conversation's current language (the user may have switched since the escalation).
    const turn = newTurn(conversation, undefined, conversation.lang, deps.clock(), conversation.user);
    if ('ticket' in update) {
      const { ticket } = update;
      turn.send([
        {
          kind: 'ticket',
          state: 'opened',
          text: turn.t('escalation.opened', { number: ticket.number }),
          number: ticket.number,
          ...(ticket.url ? { url: ticket.url } : {}),
        },
      ]);
      turn.event('ticket_opened', { value: ticket.number, data: { packetId: packet.id, provider: ticket.provider } });
    } else {
      const contact = deps.config.serviceDeskContact;
      turn.send([{ kind: 'ticket', state: 'failed', text: contact ? turn.t('escalation.dead_contact', { contact }) : turn.t('escalation.dead') }]);
      turn.event('ticket_failed', { data: { packetId: packet.id } });
    }
    await commit(turn);
    const message = turn.messages[0];
    return message ? { address, message } : undefined;
  }

  return {
    async handle(event: InboundEvent): Promise<OutboundMessage[]> {
      const parsed = inboundEventSchema.safeParse(event);
      if (!parsed.success) {
        throw new TypeError(`invalid inbound event: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`);
      }
      return mutex.run(addressKey(parsed.data.address), () => process(parsed.data));
    },

    async sweep(now: Date = deps.clock()): Promise<ProactiveMessage[]> {
      const before = new Date(now.getTime() - deps.config.flowTimeoutMinutes * 60_000).toISOString();
      const out: ProactiveMessage[] = [];
      for (const { conversation } of await store.idleFlows(before)) {
        const sent = await mutex.run(addressKey(conversation.address), () => sweepOne(conversation.id, before, now));
        if (sent) out.push(sent);
      }
      return out;
    },

    ticketUpdate(update: TicketUpdate): Promise<ProactiveMessage | undefined> {
      const { packet } = update;
      return mutex.run(addressKey({ channel: packet.channel, conversationId: packet.conversationId, threadId: packet.threadId }), () =>
        ticketUpdateOne(update),
      );
    },
  };
}
