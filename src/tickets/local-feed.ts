import type { TicketNewsStore } from '../engine/ports/ticket-news.js';
import { TicketNewsPendingError, type TicketNews } from '../engine/tickets/news.js';
import type { Logger } from '../log.js';
import type { LocalTicketEvent, LocalTicketStore as TicketStore } from '../engine/ports/local-tickets.js';

/**
 * Follows the local ticket store's change history (eventsSince) for ticket news. The position
 * reached is stored after each event, so a restart neither loses a change made while the bot was
 * down nor tells one twice. A first start begins at the end of the history (no news about the past).
 * Changes made in this process wake it at once (onChange); `poll()` also runs on the sweep timer.
 * A change the user's channel did not take (Teams or Slack briefly unreachable) holds the position:
 * the next passes try it again, in order, up to `maxAttempts` times before it is given up on (logged),
 * so one unreachable conversation cannot stop everyone's news for long.
 */
export const LOCAL_FEED = 'local';
const BATCH = 100;
export const DEFAULT_NEWS_ATTEMPTS = 5;

export class LocalTicketFeed {
  private draining: Promise<number> | undefined;
  private again = false;
  /** Failed deliveries by event id (in memory: a restart gives a held change fresh attempts). */
  private readonly failures = new Map<number, number>();

  constructor(
    private readonly tickets: TicketStore,
    private readonly news: Pick<TicketNews, 'statusChanged'>,
    private readonly cursors: TicketNewsStore,
    private readonly logger?: Logger,
    private readonly maxAttempts = DEFAULT_NEWS_ATTEMPTS,
  ) {}

  /** Catches up now and then follows changes; returns the unsubscribe function. */
  start(track: <T>(work: () => Promise<T>) => Promise<T> = (work) => work()): () => void {
    const wake = (): void => {
      void track(() => this.poll()).catch((err: unknown) => this.logger?.error({ err: String(err) }, 'ticket news: feed pass failed'));
    };
    const off = this.tickets.onChange(() => queueMicrotask(wake));
    wake();
    return off;
  }

  /** Reads what happened since the stored position and tells users; resolves with the events read. */
  poll(): Promise<number> {
    if (this.draining) {
      // A change arrived during a pass: one more pass after it.
      this.again = true;
      return this.draining;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drain(): Promise<number> {
    let read = 0;
    let position = await this.cursors.cursor(LOCAL_FEED);
    if (position === undefined) {
      position = await this.end();
      await this.cursors.setCursor(LOCAL_FEED, position);
    }
    do {
      this.again = false;
      for (let events = await this.tickets.eventsSince(position, BATCH); events.length; events = await this.tickets.eventsSince(position, BATCH)) {
        for (const event of events) {
          if (!(await this.tell(event))) return read;
          position = event.id;
          await this.cursors.setCursor(LOCAL_FEED, position);
          read += 1;
        }
      }
    } while (this.again);
    return read;
  }

  /** The last event id in the history. */
  private async end(): Promise<number> {
    let position = 0;
    for (let events = await this.tickets.eventsSince(0, 1000); events.length; events = await this.tickets.eventsSince(position, 1000)) {
      position = events[events.length - 1]?.id ?? position;
    }
    return position;
  }

  /** False when the change should be tried again on a later pass (the position stays before it). */
  private async tell(event: LocalTicketEvent): Promise<boolean> {
    if (event.kind === 'created' || event.fromState === event.toState) return true;
    const ticket = await this.tickets.get(String(event.ticketId));
    if (!ticket) return true;
    try {
      await this.news.statusChanged({
        ticket: { provider: 'local', id: String(ticket.id), number: ticket.number },
        state: event.toState,
        rawStatus: event.toState,
        title: ticket.title,
        ...(event.toState === 'resolved' || event.toState === 'closed' ? { resolutionNotes: ticket.resolutionNotes } : {}),
        packet: ticket.packet,
      });
      this.failures.delete(event.id);
      return true;
    } catch (err) {
      if (err instanceof TicketNewsPendingError) {
        // Another replica is telling it (or died doing so: its claim is taken over once stale). Not a
        // failed attempt: the position holds and a later pass (the sweep timer) tries again.
        this.logger?.info({ ticket: ticket.number }, 'ticket news: being told by another replica, trying again later');
        return false;
      }
      const attempts = (this.failures.get(event.id) ?? 0) + 1;
      const detail = { err: err instanceof Error ? err.message : String(err), ticket: ticket.number, attempts };
      if (attempts < this.maxAttempts) {
        this.failures.set(event.id, attempts);
        this.logger?.warn(detail, 'ticket news: status change not delivered, trying again on the next pass');
        return false;
      }
      this.failures.delete(event.id);
      // Given up (it stays in the transcript): the feed moves on.
      this.logger?.error(detail, 'ticket news: status change not delivered, given up');
      return true;
    }
  }
}
