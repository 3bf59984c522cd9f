import type { TicketNewsStore } from '../engine/ports/ticket-news.js';
import type { TicketNews } from '../engine/tickets/news.js';
import type { Logger } from '../log.js';
import type { LocalTicketEvent, TicketStore } from '../storage/sqlite/ticket-store.js';

/**
 * Follows the local ticket store's change history (eventsSince) for ticket news. The position
 * reached is stored after each event, so a restart neither loses a change made while the bot was
 * down nor tells one twice. A first start begins at the end of the history (no news about the past).
 * Changes made in this process wake it at once (onChange); `poll()` also runs on the sweep timer.
 */
export const LOCAL_FEED = 'local';
const BATCH = 100;

export class LocalTicketFeed {
  private draining: Promise<number> | undefined;
  private again = false;

  constructor(
    private readonly tickets: TicketStore,
    private readonly news: TicketNews,
    private readonly cursors: TicketNewsStore,
    private readonly logger?: Logger,
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
      position = this.end();
      await this.cursors.setCursor(LOCAL_FEED, position);
    }
    do {
      this.again = false;
      for (let events = this.tickets.eventsSince(position, BATCH); events.length; events = this.tickets.eventsSince(position, BATCH)) {
        for (const event of events) {
          await this.tell(event);
          position = event.id;
          await this.cursors.setCursor(LOCAL_FEED, position);
          read += 1;
        }
      }
    } while (this.again);
    return read;
  }

  /** The last event id in the history. */
  private end(): number {
    let position = 0;
    for (let events = this.tickets.eventsSince(0, 1000); events.length; events = this.tickets.eventsSince(position, 1000)) {
      position = events[events.length - 1]?.id ?? position;
    }
    return position;
  }

  private async tell(event: LocalTicketEvent): Promise<void> {
    if (event.kind === 'created' || event.fromState === event.toState) return;
    const ticket = this.tickets.get(String(event.ticketId));
    if (!ticket) return;
    try {
      await this.news.statusChanged({
        ticket: { provider: 'local', id: String(ticket.id), number: ticket.number },
        state: event.toState,
        rawStatus: event.toState,
        title: ticket.title,
        ...(event.toState === 'resolved' || event.toState === 'closed' ? { resolutionNotes: ticket.resolutionNotes } : {}),
        packet: ticket.packet,
      });
    } catch (err) {
      // The user's channel did not take it (it is kept in the transcript); the feed moves on.
      this.logger?.warn({ err: err instanceof Error ? err.message : String(err), ticket: ticket.number }, 'ticket news: status change not delivered');
    }
  }
}
