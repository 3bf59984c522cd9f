import type { ConversationAddress, ProactiveSender } from '../contract.js';
import type { ProactiveMessage } from '../dialogue/proactive.js';
import type { EngineLogger } from '../dialogue/deps.js';
import type { Turn } from '../dialogue/turn.js';
import type { EscalationPacket } from '../escalation/packet.js';
import type { DraftStore } from '../ports/drafts.js';
import type { LabelledExampleStore } from '../ports/labelled-examples.js';
import type { TicketNewsStore } from '../ports/ticket-news.js';
import type { TicketRef, TicketState } from '../ports/tickets.js';
import { redact } from '../redact.js';

/**
 * Ticket news: when a ticket the bot opened changes status, its requester hears it in the
 * conversation the ticket came from, in that conversation's language, and a ticket resolved with
 * notes becomes a draft article for technicians to review. Fed by the local provider's change feed
 * and by the signed inbound webhook; the same state is never told twice.
 */
export interface TicketStatusChange {
  ticket: TicketRef;
  state: TicketState;
  /** The ticket system's own label for the status. */
  rawStatus: string;
  title?: string;
  resolutionNotes?: string;
  /** The knowledge article the ticket was resolved with, when the ticket system says so. */
  articleId?: string;
  /** The escalation the ticket came from: who to tell, where, and the original question. */
  packet: EscalationPacket;
}

export interface TicketNewsOutcome {
  /** The user was told (false: same state as last time, or no conversation to tell). */
  notified: boolean;
  duplicate?: boolean;
  /** A draft article was proposed (created), or one already existed for this ticket (existing). */
  draft?: 'created' | 'existing';
}

export interface TicketNewsDeps {
  engine: { speak(address: ConversationAddress, work: (turn: Turn) => Promise<void> | void): Promise<ProactiveMessage[] | undefined> };
  sender: ProactiveSender;
  store: TicketNewsStore;
  drafts?: DraftStore;
  /** A ticket resolved with an article becomes a labelled example (README "Learning from the desk"). */
  labels?: LabelledExampleStore;
  clock?: () => Date;
  logger?: EngineLogger;
}

const DONE: ReadonlySet<TicketState> = new Set(['resolved', 'closed']);

/**
 * Another replica claimed the same news and has not told it yet (or died doing so: the claim is
 * taken over once stale). Thrown so the caller tries again later (the feed keeps its position, a
 * webhook gets 503 with Retry-After).
 */
export class TicketNewsPendingError extends Error {
  constructor(readonly ticketNumber: string) {
    super(`ticket ${ticketNumber}: the same news is being told by another replica`);
    this.name = 'TicketNewsPendingError';
  }
}

/**
 * The id of the n-th message of one status news: the same whichever replica sends it, so a
 * take-over of a claim whose message was already stored (the web chat's log keys messages by id)
 * stores nothing new.
 */
export function newsMessageId(provider: string, ticketNumber: string, since: string, n: number): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');
  return `ticket_status-${safe(provider)}-${safe(ticketNumber)}-${Date.parse(since) || safe(since)}${n ? `-${n}` : ''}`;
}

/** Resolution notes shown to the user are cut here; the draft keeps them whole. */
const MAX_NOTES_SHOWN = 1500;

const addressOf = (p: EscalationPacket): ConversationAddress => ({
  channel: p.channel,
  conversationId: p.conversationId,
  ...(p.threadId ? { threadId: p.threadId } : {}),
});

export class TicketNews {
  constructor(private readonly deps: TicketNewsDeps) {}

  async statusChanged(change: TicketStatusChange): Promise<TicketNewsOutcome> {
    const notes = change.resolutionNotes?.trim() ? redact(change.resolutionNotes.trim()).text : undefined;
    const draft = DONE.has(change.state) && notes ? await this.proposeDraft(change, notes) : undefined;
    if (DONE.has(change.state) && change.articleId) await this.recordLabel(change, change.articleId);
    const at = (this.deps.clock?.() ?? new Date()).toISOString();
    const { provider, number } = change.ticket;
    const claim = await this.deps.store.claimState(provider, number, change.state, at);
    if (!claim.claimed) {
      if (claim.pending) throw new TicketNewsPendingError(number);
      return { notified: false, duplicate: true, ...(draft ? { draft } : {}) };
    }
    let notified = false;
    try {
      const messages = await this.deps.engine.speak(addressOf(change.packet), (turn) => this.say(turn, change, notes));
      for (const [n, m] of (messages ?? []).entries()) await this.deps.sender.send(m.address, { ...m.message, id: newsMessageId(provider, number, claim.since, n) });
      notified = !!messages?.length;
    } catch (err) {
      // Not told: a retry (the next webhook, the next feed pass) may tell it.
      await this.deps.store.releaseState(provider, number, claim.previous);
      throw err;
    }
    // Sent. Should this fail, the claim stays pending and is taken over once stale, with the same message ids.
    await this.deps.store.markTold(provider, number, change.state, (this.deps.clock?.() ?? new Date()).toISOString());
    return { notified, ...(draft ? { draft } : {}) };
  }

  private say(turn: Turn, change: TicketStatusChange, notes: string | undefined): void {
    const t = (key: string, params?: Record<string, string>): string => turn.deps.translator.t(turn.lang, `news.${key}`, params);
    const state = turn.t(`status.state.${change.state}`, { raw: change.rawStatus });
    const { number, url } = change.ticket;
    const lines = [change.title ? t('status_titled', { number, title: change.title, state }) : t('status', { number, state })];
    if (notes && DONE.has(change.state)) lines.push(t('notes', { notes: notes.slice(0, MAX_NOTES_SHOWN) }), t('not_solved'));
    turn.send([{ kind: 'ticket', state: 'status', text: lines.join('\n\n'), number, status: change.rawStatus, ...(url ? { url } : {}) }]);
    turn.event('ticket_status', { value: change.state, data: { provider: change.ticket.provider, ticket: number, packetId: change.packet.id } });
  }

  /** Idempotent per ticket: a retried event replaces the example instead of adding a vote. */
  private async recordLabel(change: TicketStatusChange, articleId: string): Promise<void> {
    const p = change.packet;
    try {
      await this.deps.labels?.record({
        question: p.question,
        lang: p.lang,
        verdict: 'article',
        articleId,
        source: 'ticket_resolved',
        by: change.ticket.provider,
        conversationId: p.conversationId,
        ref: `ticket:${change.ticket.provider}:${change.ticket.number}`,
      });
    } catch (err) {
      this.deps.logger?.warn({ err: err instanceof Error ? err.message : String(err), ticket: change.ticket.number }, 'ticket news: labelled example not recorded');
    }
  }

  private async proposeDraft(change: TicketStatusChange, notes: string): Promise<'created' | 'existing' | undefined> {
    const drafts = this.deps.drafts;
    if (!drafts) return undefined;
    const p = change.packet;
    try {
      const { created } = await drafts.createFromResolvedTicket({
        provider: change.ticket.provider,
        ticketNumber: change.ticket.number,
        lang: p.lang,
        question: p.question,
        resolutionNotes: notes,
        ...(change.title ? { title: change.title } : {}),
        ...(p.category ? { category: p.category } : {}),
      });
      return created ? 'created' : 'existing';
    } catch (err) {
      this.deps.logger?.warn({ err: err instanceof Error ? err.message : String(err), ticket: change.ticket.number }, 'ticket news: draft article not created');
      return undefined;
    }
  }
}
