import { STALE_CLAIM_MS, type StateClaim, type TicketNewsStore } from '../../engine/ports/ticket-news.js';
import type { TicketState } from '../../engine/ports/tickets.js';
import { decideClaim, type TicketNewsStateRow } from '../rows/ticket-news.js';
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

  async claimState(provider: string, ticketNumber: string, state: TicketState, at: string, staleAfterMs = STALE_CLAIM_MS): Promise<StateClaim> {
    return withTransaction(this.pool, async (c) => {
      // Make sure a row exists, then lock it: two replicas told of the same change claim it one after the other.
      await c.query(
        `INSERT INTO ticket_news_states (provider, ticket_number, state, at) VALUES ($1, $2, '', $3) ON CONFLICT DO NOTHING`,
        [provider, ticketNumber, at],
      );
      const row = (
        await c.query<TicketNewsStateRow>(
          'SELECT state, at, told_at, claimed_at, previous_state FROM ticket_news_states WHERE provider = $1 AND ticket_number = $2 FOR UPDATE',
          [provider, ticketNumber],
        )
      ).rows[0]!;
      const decision = decideClaim(row, state, at, staleAfterMs);
      if (decision.write === 'reclaim') {
        await c.query('UPDATE ticket_news_states SET claimed_at = $1 WHERE provider = $2 AND ticket_number = $3', [at, provider, ticketNumber]);
      } else if (decision.write === 'new') {
        await c.query(
          'UPDATE ticket_news_states SET state = $1, at = $2, claimed_at = $2, told_at = NULL, previous_state = $3 WHERE provider = $4 AND ticket_number = $5',
          [state, at, decision.claim.previous ?? null, provider, ticketNumber],
        );
      }
      return decision.claim;
    });
  }

  async markTold(provider: string, ticketNumber: string, state: TicketState, at: string): Promise<void> {
    await this.pool.query(
      'UPDATE ticket_news_states SET told_at = $1 WHERE provider = $2 AND ticket_number = $3 AND state = $4 AND told_at IS NULL',
      [at, provider, ticketNumber, state],
    );
  }

  async releaseState(provider: string, ticketNumber: string, previous: TicketState | undefined): Promise<void> {
    if (previous === undefined) {
      await this.pool.query('DELETE FROM ticket_news_states WHERE provider = $1 AND ticket_number = $2', [provider, ticketNumber]);
    } else {
      // The previous state was told: the row is settled again.
      await this.pool.query(
        'UPDATE ticket_news_states SET state = $1, told_at = COALESCE(told_at, claimed_at, at), previous_state = NULL WHERE provider = $2 AND ticket_number = $3',
        [previous, provider, ticketNumber],
      );
    }
  }
}
