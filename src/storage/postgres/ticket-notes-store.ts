import type { TicketNote, TicketNoteKind, TicketNotes } from '../../engine/ports/ticket-notes.js';
import type { PgPool } from './pool.js';
import { toNote, type TicketNoteRow } from '../rows/ticket-notes.js';

/** Technicians' internal notes and replies per ticket (see the TicketNotes port), in PostgreSQL (schema 0008_ticket_notes). */
export class PgTicketNotes implements TicketNotes {
  constructor(
    private readonly pool: PgPool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async add(input: { provider: string; ticketNumber: string; kind: TicketNoteKind; author: string; text: string }): Promise<TicketNote> {
    const { rows } = await this.pool.query<TicketNoteRow>(
      'INSERT INTO ticket_notes (provider, ticket_number, kind, author, text, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
      [input.provider, input.ticketNumber, input.kind, input.author, input.text, this.now().toISOString()],
    );
    return toNote(rows[0]!);
  }

  async markDelivery(id: number, outcome: { delivered: true } | { delivered: false; error: string }): Promise<void> {
    await this.pool.query('UPDATE ticket_notes SET delivered = $1, error = $2 WHERE id = $3', [outcome.delivered, outcome.delivered ? null : outcome.error, id]);
  }

  async list(provider: string, ticketNumber: string): Promise<TicketNote[]> {
    const { rows } = await this.pool.query<TicketNoteRow>('SELECT * FROM ticket_notes WHERE provider = $1 AND ticket_number = $2 ORDER BY id', [provider, ticketNumber]);
    return rows.map(toNote);
  }
}
