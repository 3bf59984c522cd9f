import type { TicketNewsStore } from '../../engine/ports/ticket-news.js';
import type { TicketState } from '../../engine/ports/tickets.js';
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

  async claimState(provider: string, ticketNumber: string, state: TicketState, at: string): Promise<{ claimed: boolean; previous?: TicketState }> {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare('SELECT state FROM ticket_news_states WHERE provider = ? AND ticket_number = ?')
          .get(provider, ticketNumber) as { state: TicketState } | undefined;
        if (row?.state === state) return { claimed: false, previous: row.state };
        this.db
          .prepare(
            `INSERT INTO ticket_news_states (provider, ticket_number, state, at) VALUES (?, ?, ?, ?)
             ON CONFLICT (provider, ticket_number) DO UPDATE SET state = excluded.state, at = excluded.at`,
          )
          .run(provider, ticketNumber, state, at);
        return { claimed: true, ...(row ? { previous: row.state } : {}) };
      })
      .immediate();
  }

  async releaseState(provider: string, ticketNumber: string, previous: TicketState | undefined): Promise<void> {
    if (previous === undefined) {
      this.db.prepare('DELETE FROM ticket_news_states WHERE provider = ? AND ticket_number = ?').run(provider, ticketNumber);
    } else {
      this.db.prepare('UPDATE ticket_news_states SET state = ? WHERE provider = ? AND ticket_number = ?').run(previous, provider, ticketNumber);
    }
  }
}

export function openTicketNewsStore(db: Db): SqliteTicketNewsStore {
  migrateSqlite(db);
  return new SqliteTicketNewsStore(db);
}
