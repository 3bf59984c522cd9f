import type { TicketNote, TicketNoteKind, TicketNotes } from '../../engine/ports/ticket-notes.js';
import { type Db } from './database.js';
import { migrateSqlite } from './migrations.js';

/** Technicians' internal notes and replies per ticket (see the TicketNotes port), in SQLite. */

interface Row {
  id: number;
  provider: string;
  ticket_number: string;
  kind: string;
  author: string;
  text: string;
  at: string;
  delivered: number | null;
  error: string | null;
}

function toNote(r: Row): TicketNote {
  return {
    id: r.id,
    provider: r.provider,
    ticketNumber: r.ticket_number,
    kind: r.kind as TicketNoteKind,
    author: r.author,
    text: r.text,
    at: r.at,
    ...(r.delivered === null ? {} : { delivered: r.delivered === 1 }),
    ...(r.error === null ? {} : { error: r.error }),
  };
}

export class SqliteTicketNotes implements TicketNotes {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async add(input: { provider: string; ticketNumber: string; kind: TicketNoteKind; author: string; text: string }): Promise<TicketNote> {
    const at = this.now().toISOString();
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO ticket_notes (provider, ticket_number, kind, author, text, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(input.provider, input.ticketNumber, input.kind, input.author, input.text, at);
    return toNote(this.db.prepare('SELECT * FROM ticket_notes WHERE id = ?').get(Number(lastInsertRowid)) as Row);
  }

  async markDelivery(id: number, outcome: { delivered: true } | { delivered: false; error: string }): Promise<void> {
    this.db.prepare('UPDATE ticket_notes SET delivered = ?, error = ? WHERE id = ?').run(outcome.delivered ? 1 : 0, outcome.delivered ? null : outcome.error, id);
  }

  async list(provider: string, ticketNumber: string): Promise<TicketNote[]> {
    return (this.db.prepare('SELECT * FROM ticket_notes WHERE provider = ? AND ticket_number = ? ORDER BY id').all(provider, ticketNumber) as Row[]).map(toNote);
  }
}

export function openTicketNotes(db: Db, now?: () => Date): SqliteTicketNotes {
  migrateSqlite(db);
  return new SqliteTicketNotes(db, now);
}
