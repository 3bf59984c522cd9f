import type { TicketNote, TicketNoteKind, TicketNotes } from '../../engine/ports/ticket-notes.js';
import { type Db } from './database.js';
import { migrateSqlite } from './migrations.js';
import { toNote, type TicketNoteRow } from '../rows/ticket-notes.js';

/** Technicians' internal notes and replies per ticket (see the TicketNotes port), in SQLite. */
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
    return toNote(this.db.prepare('SELECT * FROM ticket_notes WHERE id = ?').get(Number(lastInsertRowid)) as TicketNoteRow);
  }

  async markDelivery(id: number, outcome: { delivered: true } | { delivered: false; error: string }): Promise<void> {
    this.db.prepare('UPDATE ticket_notes SET delivered = ?, error = ? WHERE id = ?').run(outcome.delivered ? 1 : 0, outcome.delivered ? null : outcome.error, id);
  }

  async list(provider: string, ticketNumber: string): Promise<TicketNote[]> {
    return (this.db.prepare('SELECT * FROM ticket_notes WHERE provider = ? AND ticket_number = ? ORDER BY id').all(provider, ticketNumber) as TicketNoteRow[]).map(toNote);
  }
}

export function openTicketNotes(db: Db, now?: () => Date): SqliteTicketNotes {
  migrateSqlite(db);
  return new SqliteTicketNotes(db, now);
}
