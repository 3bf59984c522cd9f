import type { TicketNote, TicketNoteKind, TicketNotes } from '../../engine/ports/ticket-notes.js';
import type { PgPool } from './pool.js';

/** Technicians' internal notes and replies per ticket (see the TicketNotes port), in PostgreSQL (schema 0008_ticket_notes). */
interface Row {
  id: string;
  provider: string;
  ticket_number: string;
  kind: string;
  author: string;
  text: string;
  at: string;
  delivered: boolean | null;
  error: string | null;
}

function toNote(r: Row): TicketNote {
  return {
    id: Number(r.id),
    provider: r.provider,
    ticketNumber: r.ticket_number,
    kind: r.kind as TicketNoteKind,
    author: r.author,
    text: r.text,
    at: r.at,
    ...(r.delivered === null ? {} : { delivered: r.delivered }),
    ...(r.error === null ? {} : { error: r.error }),
  };
}

export class PgTicketNotes implements TicketNotes {
  constructor(
    private readonly pool: PgPool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async add(input: { provider: string; ticketNumber: string; kind: TicketNoteKind; author: string; text: string }): Promise<TicketNote> {
    const { rows } = await this.pool.query<Row>(
      'INSERT INTO ticket_notes (provider, ticket_number, kind, author, text, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
      [input.provider, input.ticketNumber, input.kind, input.author, input.text, this.now().toISOString()],
    );
    return toNote(rows[0]!);
  }

  async markDelivery(id: number, outcome: { delivered: true } | { delivered: false; error: string }): Promise<void> {
    await this.pool.query('UPDATE ticket_notes SET delivered = $1, error = $2 WHERE id = $3', [outcome.delivered, outcome.delivered ? null : outcome.error, id]);
  }

  async list(provider: string, ticketNumber: string): Promise<TicketNote[]> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM ticket_notes WHERE provider = $1 AND ticket_number = $2 ORDER BY id', [provider, ticketNumber]);
    return rows.map(toNote);
  }
}
