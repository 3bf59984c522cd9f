import { STALE_CLAIM_MS, type StateClaim, type TicketNewsStore } from '../../engine/ports/ticket-news.js';
import type { TicketState } from '../../engine/ports/tickets.js';
import { decideClaim, type TicketNewsStateRow } from '../rows/ticket-news.js';
import { type Db } from './database.js';
import { migrateSqlite } from './migrations.js';

/** Change-feed cursors and the last state told per ticket, in the embedded SQLite database. */

export class SqliteTicketNewsStore implements TicketNewsStore {
  constructor(private readonly db: Db) {}

  async cursor(feed: string): Promise<number | undefined> {
    const row = this.db.prepare('SELECT position FROM ticket_news_cursors WHERE feed = ?').get(feed) as { position: number } | undefined;
    return row?.position;
  }

  async setCursor(feed: string, position: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO ticket_news_cursors (feed, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (feed) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      )
      .run(feed, position, new Date().toISOString());
  }

  async claimState(provider: string, ticketNumber: string, state: TicketState, at: string, staleAfterMs = STALE_CLAIM_MS): Promise<StateClaim> {
    return this.db
      .transaction((): StateClaim => {
        const row = this.db
          .prepare('SELECT state, at, told_at, claimed_at, previous_state FROM ticket_news_states WHERE provider = ? AND ticket_number = ?')
          .get(provider, ticketNumber) as TicketNewsStateRow | undefined;
        const decision = decideClaim(row, state, at, staleAfterMs);
        if (decision.write === 'reclaim') {
          this.db.prepare('UPDATE ticket_news_states SET claimed_at = ? WHERE provider = ? AND ticket_number = ?').run(at, provider, ticketNumber);
        } else if (decision.write === 'new') {
          this.db
            .prepare(
              `INSERT INTO ticket_news_states (provider, ticket_number, state, at, claimed_at, told_at, previous_state) VALUES (?, ?, ?, ?, ?, NULL, ?)
               ON CONFLICT (provider, ticket_number) DO UPDATE SET state = excluded.state, at = excluded.at, claimed_at = excluded.claimed_at,
                 told_at = NULL, previous_state = excluded.previous_state`,
            )
            .run(provider, ticketNumber, state, at, at, decision.claim.previous ?? null);
        }
        return decision.claim;
      })
      .immediate();
  }

  async markTold(provider: string, ticketNumber: string, state: TicketState, at: string): Promise<void> {
    this.db
      .prepare('UPDATE ticket_news_states SET told_at = ? WHERE provider = ? AND ticket_number = ? AND state = ? AND told_at IS NULL')
      .run(at, provider, ticketNumber, state);
  }

  async releaseState(provider: string, ticketNumber: string, previous: TicketState | undefined): Promise<void> {
    if (previous === undefined) {
      this.db.prepare('DELETE FROM ticket_news_states WHERE provider = ? AND ticket_number = ?').run(provider, ticketNumber);
    } else {
      // The previous state was told: the row is settled again.
      this.db
        .prepare('UPDATE ticket_news_states SET state = ?, told_at = COALESCE(told_at, claimed_at, at), previous_state = NULL WHERE provider = ? AND ticket_number = ?')
        .run(previous, provider, ticketNumber);
    }
  }
}

export function openTicketNewsStore(db: Db): SqliteTicketNewsStore {
  migrateSqlite(db);
  return new SqliteTicketNewsStore(db);
}
