import type {
  ConversationAddress,
  ProactiveSender,
  ReplyPart,
  TechnicianAction,
  TechnicianEvents,
  TechnicianMessage,
  UserRef,
} from '../contract.js';
import type { ProactiveMessage } from '../dialogue/proactive.js';
import type { EngineLogger } from '../dialogue/deps.js';
import type { TurnInput } from '../dialogue/intercept.js';
import { classifyIntent } from '../dialogue/intents.js';
import { actionPayloadSchema, payload, type EnginePayload } from '../dialogue/payload.js';
import type { Turn } from '../dialogue/turn.js';
import type { EscalationPacket } from '../escalation/packet.js';
import type { Params, Translator } from '../i18n.js';
import type { Lang } from '../lang.js';
import type { EscalationSink } from '../ports/escalation.js';
import type { HandoffEnd, HandoffRecord, HandoffState, HandoffStore, Technician } from '../ports/handoff.js';
import type { TicketRef } from '../ports/tickets.js';
import { onlySecrets, redact } from '../redact.js';
import { parseTechnicianPayload, technicianCommand, technicianPayload, typedRating, userWantsToEnd, type TechnicianCommand } from './actions.js';

/**
 * The live handoff relay, channel-neutral: it speaks to users and technicians only through
 * ProactiveSenders and the engine, so a web-chat user can be helped from Slack, a Slack user from
 * Teams, and so on.
 *
 * - An escalation (once durably queued for its ticket) also becomes a queued handoff: the summary
 *   card with "Take it" goes to the technicians' channel, and the user hears that technicians were
 *   alerted. Until someone takes it the bot carries on as usual.
 * - "Take it" (or "take" in the thread) is a compare-and-set: one technician wins, the card shows
 *   "Taken by …", the user is told who. From then on the user's messages go to the card's thread
 *   (already redacted) and the technician's thread replies come back to the user; the bot answers
 *   nothing until the technician closes or hands back ("close" / "hand back", or the buttons), or
 *   the user ends it ("end", "cancel", or the button).
 * - Then the user is asked for a 1–5 rating, stored as a `satisfaction` analytics event.
 * - The watchdog (`sweep`, on the engine's sweep timer) reminds the thread and tells the user the
 *   request is queued, once per interval, a bounded number of times.
 */

export interface HandoffSettings {
  /** Minutes without a taker before a reminder (and between reminders). */
  watchdogMinutes: number;
  /** Reminders at most per handoff. */
  maxReminders: number;
  /** Language of the technicians' channel. */
  techniciansLang: Lang;
}

export interface HandoffRelayDeps {
  /** The engine's proactive turns, so what is said to the user is in the transcript and ordered with the user's turns. */
  engine: { speak(address: ConversationAddress, work: (turn: Turn) => Promise<void> | void): Promise<ProactiveMessage[] | undefined> };
  store: HandoffStore;
  /** Posts to users and to technicians' threads, and the technicians' card. */
  sender: ProactiveSender;
  translator: Translator;
  settings: HandoffSettings;
  /** The technicians' channel for a user's conversation; undefined: no live handoff. */
  techniciansFor(user: ConversationAddress): ConversationAddress | undefined;
  /** Wraps background work (posting the card) so a graceful shutdown waits for it. */
  track?: <T>(work: () => Promise<T>) => Promise<T>;
  clock?: () => Date;
  logger?: EngineLogger;
}

/** Relayed messages are cut like any inbound text. */
const MAX_RELAY_CHARS = 4000;
const RATINGS = [1, 2, 3, 4, 5] as const;
const ENDS_FROM_TAKEN: readonly HandoffState[] = ['taken'];
const CANCELS_FROM: readonly HandoffState[] = ['queued'];

const addressOf = (p: EscalationPacket): ConversationAddress => ({
  channel: p.channel,
  conversationId: p.conversationId,
  ...(p.threadId ? { threadId: p.threadId } : {}),
});

const sameAddress = (a: ConversationAddress, b: ConversationAddress): boolean =>
  a.channel === b.channel && a.conversationId === b.conversationId && (a.threadId ?? '') === (b.threadId ?? '');

/** The channel itself, without the card's thread: where the card is posted and updated. */
const channelOf = (a: ConversationAddress): ConversationAddress => ({ channel: a.channel, conversationId: a.conversationId });

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function technicianOf(user: UserRef): Technician {
  return { id: user.id, name: user.name?.trim() || user.email || user.id };
}

export class HandoffRelay implements TechnicianEvents {
  private readonly clock: () => Date;
  /** Cards being posted by this process, so the watchdog's retry never races the first attempt. */
  private readonly posting = new Set<string>();

  constructor(private readonly deps: HandoffRelayDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private tt(key: string, params?: Params): string {
    return this.deps.translator.t(this.deps.settings.techniciansLang, `handoff.technicians.${key}`, params);
  }

  private ut(lang: Lang, key: string, params?: Params): string {
    return this.deps.translator.t(lang, `handoff.user.${key}`, params);
  }

  private background(what: string, work: () => Promise<unknown>): void {
    const run = (): Promise<void> =>
      work().then(
        () => undefined,
        (err: unknown) => this.deps.logger?.warn({ err: errorText(err) }, `handoff: ${what} failed`),
      );
    void (this.deps.track ? this.deps.track(run) : run());
  }

  /** Runs a side message; a failure is logged, the state change it follows stands. */
  private async safely(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.deps.logger?.warn({ err: errorText(err) }, `handoff: ${what} failed`);
    }
  }

  private threadOf(record: HandoffRecord): ConversationAddress {
    if (!record.technicians.threadId) throw new Error(`handoff ${record.id}: the technicians' card is not posted yet`);
    return record.technicians;
  }

  private toThread(record: HandoffRecord, parts: ReplyPart[]): Promise<unknown> {
    return this.deps.sender.send(this.threadOf(record), { lang: this.deps.settings.techniciansLang, parts });
  }

  private noteInThread(record: HandoffRecord, key: string, params?: Params): Promise<void> {
    return this.safely(`thread note ${key}`, () => this.toThread(record, [{ kind: 'text', text: this.tt(key, params) }]));
  }

  /** A proactive turn in the user's conversation, then its delivery. */
  private async tellUser(record: HandoffRecord, work: (turn: Turn) => Promise<void> | void): Promise<void> {
    const messages = await this.deps.engine.speak(record.user, work);
    for (const m of messages ?? []) await this.deps.sender.send(m.address, m.message);
  }

  // -------------------------------------------------------------------------------------------
  // Escalation → queued handoff

  /**
   * Called once an escalation is durably queued for its ticket. Queues the handoff when a
   * technicians' channel is configured and the conversation has none in progress; the card is
   * posted in the background (the user's turn is still running). Never throws: the ticket is the
   * guarantee, the live handoff a bonus.
   */
  async start(packet: EscalationPacket): Promise<void> {
    try {
      const user = addressOf(packet);
      const technicians = this.deps.techniciansFor(user);
      if (!technicians) return;
      const active = await this.deps.store.active(user);
      if (active && active.id !== packet.id) {
        this.deps.logger?.info({ handoffId: active.id, packetId: packet.id }, 'handoff: one is already in progress for this conversation');
        return;
      }
      const { record, created } = await this.deps.store.create(
        { id: packet.id, user, technicians: channelOf(technicians), techniciansLang: this.deps.settings.techniciansLang, packet },
        this.now(),
      );
      if (created) this.background('card', () => this.postCard(record));
    } catch (err) {
      this.deps.logger?.error({ err: errorText(err), packetId: packet.id }, 'handoff: could not queue the live handoff');
    }
  }

  private async postCard(record: HandoffRecord): Promise<void> {
    if (this.posting.has(record.id)) return;
    this.posting.add(record.id);
    try {
      const send = this.deps.sender.sendHandoffCard?.bind(this.deps.sender);
      if (!send) throw new Error(`channel ${record.technicians.channel} cannot show the technicians' card`);
      const sent = await send(record.technicians, record.packet, { lang: this.deps.settings.techniciansLang });
      if (!sent.messageId) throw new Error('the channel did not return the card message id');
      await this.deps.store.setCard(record.id, sent.messageId, this.now());
    } finally {
      this.posting.delete(record.id);
    }
    const posted = await this.deps.store.get(record.id);
    if (!posted) return;
    if (posted.ticketNumber) await this.noteInThread(posted, 'ticket', { number: posted.ticketNumber });
    await this.safely('user told it is queued', () =>
      this.tellUser(posted, (turn) => {
        turn.send([{ kind: 'handoff', state: 'queued', text: this.ut(turn.lang, 'queued') }]);
        turn.event('handoff_queued', { data: { handoffId: posted.id, technicians: posted.technicians.channel } });
      }),
    );
  }

  /** The ticket number, once the outbox knows it, goes into the card's thread. */
  async ticketOpened(packetId: string, ticket: TicketRef): Promise<void> {
    const record = await this.deps.store.get(packetId);
    if (!record) return;
    await this.deps.store.setTicket(record.id, ticket.number, this.now());
    if (record.technicians.threadId) await this.noteInThread(record, 'ticket', { number: ticket.number });
  }

  // -------------------------------------------------------------------------------------------
  // Technicians' side (TechnicianEvents)

  async onTechnicianAction(action: TechnicianAction): Promise<void> {
    const parsed = parseTechnicianPayload(action.payload);
    if (!parsed) {
      this.deps.logger?.info({ channel: action.address.channel }, 'handoff: technicians\' click without a handoff action ignored');
      return;
    }
    const record = await this.deps.store.get(parsed.escalationId);
    if (!record) {
      this.deps.logger?.warn({ handoffId: parsed.escalationId }, 'handoff: click for an unknown handoff');
      return;
    }
    await this.command(record, parsed.command, technicianOf(action.user));
  }

  async onTechnicianMessage(message: TechnicianMessage): Promise<void> {
    const record = await this.deps.store.byThread(message.address);
    // Anything outside a card's thread is the technicians talking among themselves.
    if (!record) return;
    const technician = technicianOf(message.user);
    const command = technicianCommand(message.text);
    if (command) return this.command(record, command, technician);
    if (record.state === 'queued') return this.noteInThread(record, 'take_first');
    if (record.state !== 'taken') return this.noteInThread(record, 'ended_hint');
    const text = redact(message.text.slice(0, MAX_RELAY_CHARS)).text.trim();
    if (!text) return;
    try {
      await this.tellUser(record, (turn) => {
        turn.send([{ kind: 'handoff', state: 'relay', technician: technician.name, text }]);
      });
    } catch (err) {
      this.deps.logger?.warn({ err: errorText(err), handoffId: record.id }, 'handoff: technician message not delivered to the user');
      await this.noteInThread(record, 'relay_failed', { channel: record.user.channel });
    }
  }

  private command(record: HandoffRecord, command: TechnicianCommand, technician: Technician): Promise<void> {
    switch (command) {
      case 'take':
        return this.take(record, technician);
      case 'close':
        return this.endByTechnician(record, 'closed', technician);
      case 'hand_back':
        return this.endByTechnician(record, 'handed_back', technician);
    }
  }

  private async take(record: HandoffRecord, technician: Technician): Promise<void> {
    const { won, record: current } = await this.deps.store.take(record.id, technician, this.now());
    if (!current) return;
    if (!won) {
      if (current.state === 'taken' && current.technician?.id === technician.id) return;
      if (current.state === 'taken') return this.noteInThread(current, 'already_taken', { technician: current.technician?.name });
      return this.noteInThread(current, 'not_waiting', { state: this.tt(`state.${current.state}`) });
    }
    await this.safely('card update', async () => {
      const send = this.deps.sender.sendHandoffCard?.bind(this.deps.sender);
      await send?.(channelOf(current.technicians), current.packet, {
        lang: this.deps.settings.techniciansLang,
        takenBy: technician.name,
        replaceMessageId: this.threadOf(current).threadId,
      });
    });
    await this.safely('thread note taken', () =>
      this.toThread(current, [
        {
          kind: 'choices',
          prompt: this.tt('taken', { technician: technician.name }),
          choices: [
            { label: this.tt('close'), value: technicianPayload('close', current.id), style: 'primary' },
            { label: this.tt('hand_back'), value: technicianPayload('hand_back', current.id) },
          ],
        },
      ]),
    );
    await this.safely('user told who took it', () =>
      this.tellUser(current, (turn) => {
        turn.send([
          { kind: 'handoff', state: 'taken', technician: technician.name, text: this.ut(turn.lang, 'taken', { technician: technician.name }) },
          { kind: 'choices', choices: [{ label: this.ut(turn.lang, 'end_button'), value: payload({ a: 'handoff.end', h: current.id }) }] },
        ]);
        turn.event('handoff_taken', { data: { handoffId: current.id, technician: technician.name } });
      }),
    );
  }

  private async endByTechnician(record: HandoffRecord, to: Extract<HandoffEnd, 'closed' | 'handed_back'>, technician: Technician): Promise<void> {
    const { won, record: ended } = await this.deps.store.end(record.id, to, ENDS_FROM_TAKEN, technician.name, this.now());
    if (!ended) return;
    if (!won) {
      if (ended.state === 'queued') return this.noteInThread(ended, 'take_first');
      return this.noteInThread(ended, 'not_waiting', { state: this.tt(`state.${ended.state}`) });
    }
    await this.noteInThread(ended, to === 'closed' ? 'ended_closed' : 'ended_handed_back', { technician: technician.name });
    await this.safely('user told the end', () => this.tellUser(ended, (turn) => this.sayEnded(turn, ended, to === 'closed' ? 'ended_closed' : 'ended_handed_back')));
  }

  /** The end of a taken handoff, said to the user, with the 1–5 rating buttons. */
  private async sayEnded(turn: Turn, record: HandoffRecord, key: 'ended_closed' | 'ended_handed_back' | 'ended_by_user'): Promise<void> {
    const technician = record.technician?.name ?? '';
    const nonce = turn.nonce();
    await this.deps.store.setRatingNonce(record.id, nonce, turn.at);
    turn.send([
      { kind: 'handoff', state: 'ended', ...(technician ? { technician } : {}), text: this.ut(turn.lang, key, { technician }) },
      {
        kind: 'choices',
        prompt: this.ut(turn.lang, 'rating_prompt', { technician }),
        choices: RATINGS.map((v) => ({ label: String(v), value: payload({ a: 'handoff.rate', h: record.id, v, n: nonce }) })),
      },
    ]);
    turn.event('handoff_ended', { value: record.state, data: { handoffId: record.id, technician, endedBy: record.endedBy ?? null } });
  }

  // -------------------------------------------------------------------------------------------
  // Users' side: the engine's turn interceptor

  /** The engine's `beforeTurn`: true when the turn belongs to the handoff (the dialogue stays silent). */
  readonly intercept = async (turn: Turn, input: TurnInput): Promise<boolean> => {
    const parsed = input.payload === undefined ? undefined : actionPayloadSchema.safeParse(input.payload);
    const p = parsed?.success ? parsed.data : undefined;
    const active = await this.deps.store.active(turn.address);
    if (!active) return this.rating(turn, input, p);
    const text = input.redaction?.text.trim();
    if (active.state === 'queued') {
      // Nobody took it yet: the bot carries on; "cancel" also withdraws the request from the technicians.
      if (text && classifyIntent(text)?.name === 'restart') await this.cancelByUser(turn, active);
      return false;
    }
    // Taken: everything goes to the technician, and the bot says nothing of its own.
    if (p?.a === 'handoff.end' && p.h === active.id) {
      await this.endByUser(turn, active);
      return true;
    }
    if (!input.redaction || !text) return true;
    if (userWantsToEnd(text) || classifyIntent(text)?.name === 'restart') {
      await this.endByUser(turn, active);
      return true;
    }
    if (input.redaction.found.length) {
      // The same warning the bot gives outside a handoff: the secret never reaches the technician.
      turn.event('secret_redacted', { data: { kinds: [...new Set(input.redaction.found)] } });
      turn.text(input.redaction.passwordLike ? 'secret.password' : 'secret.token', { url: turn.deps.config.passwordResetUrl });
      if (onlySecrets(text)) return true;
    }
    const who = active.packet.user.name ?? turn.user.name ?? active.packet.user.id;
    try {
      await this.toThread(active, [{ kind: 'text', text: this.tt('user_says', { user: who, text }) }]);
    } catch (err) {
      this.deps.logger?.warn({ err: errorText(err), handoffId: active.id }, 'handoff: user message not delivered to the technicians');
      turn.send([{ kind: 'text', text: this.ut(turn.lang, 'relay_failed') }]);
    }
    return true;
  };

  private async endByUser(turn: Turn, record: HandoffRecord): Promise<void> {
    const { won, record: ended } = await this.deps.store.end(record.id, 'cancelled', ENDS_FROM_TAKEN, 'user', turn.at);
    if (!won || !ended) return;
    await this.noteInThread(ended, 'ended_by_user');
    await this.sayEnded(turn, ended, 'ended_by_user');
  }

  private async cancelByUser(turn: Turn, record: HandoffRecord): Promise<void> {
    const { won, record: cancelled } = await this.deps.store.end(record.id, 'cancelled', CANCELS_FROM, 'user', turn.at);
    if (!won || !cancelled) return;
    if (cancelled.technicians.threadId) await this.noteInThread(cancelled, 'cancelled');
    turn.send([{ kind: 'handoff', state: 'ended', text: this.ut(turn.lang, 'cancelled') }]);
    turn.event('handoff_ended', { value: 'cancelled', data: { handoffId: cancelled.id, technician: null, endedBy: 'user' } });
  }

  /** A rating button, or a typed "4" right after the rating question. */
  private async rating(turn: Turn, input: TurnInput, p: EnginePayload | undefined): Promise<boolean> {
    if (p?.a === 'handoff.rate') {
      const record = await this.deps.store.get(p.h);
      // Someone else's or an unknown handoff: the dialogue answers that the button is stale.
      if (!record || !sameAddress(record.user, turn.address)) return false;
      return this.rate(turn, record, p.n, p.v);
    }
    // A number typed while the bot waits for something else (a clarify pick) is not a rating.
    if (!input.redaction || turn.state.pending || turn.flow) return false;
    const value = typedRating(input.redaction.text);
    if (value === undefined) return false;
    const latest = await this.deps.store.latest(turn.address);
    if (!latest?.ratingNonce || latest.rating !== undefined) return false;
    return this.rate(turn, latest, latest.ratingNonce, value);
  }

  private async rate(turn: Turn, record: HandoffRecord, nonce: string, value: number): Promise<boolean> {
    if (!(await this.deps.store.rate(record.id, nonce, value, turn.at))) {
      turn.send([{ kind: 'text', text: this.ut(turn.lang, 'rating_done') }]);
      return true;
    }
    turn.event('satisfaction', { value: String(value), data: { handoffId: record.id, technician: record.technician?.name ?? null } });
    turn.send([{ kind: 'text', text: this.ut(turn.lang, 'rating_thanks', { rating: value }) }]);
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Watchdog

  /**
   * Posts cards that could not be posted before, then reminds the thread of every handoff nobody
   * took within the watchdog interval and tells its user it is queued; at most `maxReminders`
   * times each, once per interval. Returns how many reminders were sent.
   */
  async sweep(now: Date = this.clock()): Promise<number> {
    const { store, settings } = this.deps;
    for (const record of await store.withoutCard()) await this.safely('card retry', () => this.postCard(record));
    const before = new Date(now.getTime() - settings.watchdogMinutes * 60_000).toISOString();
    let reminded = 0;
    for (const record of await store.dueReminders(before, settings.maxReminders)) {
      // Counted first: another process sweeping the same database skips this one.
      if (!(await store.recordReminder(record.id, record.remindersSent, now.toISOString()))) continue;
      reminded += 1;
      const minutes = Math.max(1, Math.round((now.getTime() - Date.parse(record.createdAt)) / 60_000));
      await this.noteInThread(record, 'reminder', { minutes, count: record.remindersSent + 1, max: settings.maxReminders });
      await this.safely('user told it is queued', () =>
        this.tellUser(record, (turn) => {
          turn.send([{ kind: 'handoff', state: 'queued', text: this.ut(turn.lang, 'still_queued', { minutes }) }]);
        }),
      );
    }
    return reminded;
  }
}

/** What the engine's escalation sink becomes: the ticket first (durable), then the live handoff. */
export function withHandoff(sink: EscalationSink, start: (packet: EscalationPacket) => Promise<void> | undefined): EscalationSink {
  return {
    async submit(packet: EscalationPacket): Promise<void> {
      await sink.submit(packet);
      await start(packet);
    },
  };
}
