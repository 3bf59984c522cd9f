import type { TicketNewsStore } from '../../engine/ports/ticket-news.js';
import type { TicketState } from '../../engine/ports/tickets.js';
import { withTransaction, type PgPool } from './pool.js';

/** Change-feed cursors and the last state told per ticket, in PostgreSQL (schema 0004_ticket_news). */
export class PgTicketNewsStore implements TicketNewsStore {
  constructor(private readonly pool: PgPool) {}

  async cursor(feed: string): Promise<number | undefined> {
    const row = (await this.pool.query<{ position: string }>('SELECT position FROM ticket_news_cursors WHERE feed = $1', [feed])).rows[0];
    return row ? Number(row.position) : undefined;
  }

  async setCursor(feed: string, position: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO ticket_news_cursors (feed, position, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (feed) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      [feed, position, new Date().toISOString()],
    );
  }

  async claimState(provider: string, ticketNumber: string, state: TicketState, at: string): Promise<{ claimed: boolean; previous?: TicketState }> {
    return withTransaction(this.pool, async (c) => {
      // Make sure a row exists, then lock it: two replicas told of the same change claim it one after the other.
      await c.query(
        `INSERT INTO ticket_news_states (provider, ticket_number, state, at) VALUES ($1, $2, '', $3) ON CONFLICT DO NOTHING`,
        [provider, ticketNumber, at],
      );
      const row = (
        await c.query<{ state: string }>('SELECT state FROM ticket_news_states WHERE provider = $1 AND ticket_number = $2 FOR UPDATE', [provider, ticketNumber])
      ).rows[0]!;
      const previous = row.state === '' ? undefined : (row.state as TicketState);
      if (previous === state) return { claimed: false, previous };
      await c.query('UPDATE ticket_news_states SET state = $1, at = $2 WHERE provider = $3 AND ticket_number = $4', [state, at, provider, ticketNumber]);
      return { claimed: true, ...(previous !== undefined ? { previous } : {}) };
    });
  }

  async releaseState(provider: string, ticketNumber: string, previous: TicketState | undefined): Promise<void> {
    if (previous === undefined) {
      await this.pool.query('DELETE FROM ticket_news_states WHERE provider = $1 AND ticket_number = $2', [provider, ticketNumber]);
    } else {
      await this.pool.query('UPDATE ticket_news_states SET state = $1 WHERE provider = $2 AND ticket_number = $3', [previous, provider, ticketNumber]);
    }
  }
}
