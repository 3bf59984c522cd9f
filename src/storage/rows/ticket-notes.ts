import type { TicketNote, TicketNoteKind } from '../../engine/ports/ticket-notes.js';
import type { RowId } from './columns.js';

/** The ticket_notes row and its mapping to a note, shared by the SQLite and PostgreSQL stores. */
export interface TicketNoteRow {
  id: RowId;
  provider: string;
  ticket_number: string;
  kind: string;
  author: string;
  text: string;
  at: string;
  /** SQLite has no boolean type (0 / 1); PostgreSQL returns a boolean. */
  delivered: boolean | number | null;
  error: string | null;
}

export function toNote(r: TicketNoteRow): TicketNote {
  return {
    id: Number(r.id),
    provider: r.provider,
    ticketNumber: r.ticket_number,
    kind: r.kind as TicketNoteKind,
    author: r.author,
    text: r.text,
    at: r.at,
    ...(r.delivered === null ? {} : { delivered: r.delivered === true || r.delivered === 1 }),
    ...(r.error === null ? {} : { error: r.error }),
  };
}
