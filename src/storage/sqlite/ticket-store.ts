import type { Db } from './database.js';
import type { EscalationPacket } from '../../engine/escalation/packet.js';
import type { TicketState } from '../../engine/ports/tickets.js';
import {
  formatTicketNumber,
  parseTicketNumber,
  TicketNotFoundError,
  type ChangeOptions,
  type LocalTicket,
  type LocalTicketEvent,
  type LocalTicketStore,
  type TicketChangeListener,
  type TicketEventKind,
  type TicketFilter,
} from '../../engine/ports/local-tickets.js';
import { redact } from '../../engine/redact.js';
import { toEvent, toTicket, type EventRow, type TicketRow } from '../rows/tickets.js';

/**
 * The embedded ticket system (TICKET_PROVIDER=local): tickets numbered HD-000123 with status,
 * assignee and resolution notes, plus an append-only history of every change. The history is what a
 * notifier reads ("your ticket is now in progress") and what the console shows; `eventsSince` lets a
 * notifier in another process follow it, `onChange` serves listeners in this one.
 */

export interface TicketStoreOptions {
  /** Number prefix: HD gives HD-000123. */
  prefix?: string;
  now?: () => Date;
  /** Called when a listener throws; listeners never break a write. */
  onListenerError?: (err: unknown) => void;
}

export class SqliteTicketStore implements LocalTicketStore {
  private readonly prefix: string;
  private readonly now: () => Date;
  private readonly listeners = new Set<TicketChangeListener>();

  constructor(
    private readonly db: Db,
    private readonly options: TicketStoreOptions = {},
  ) {
    this.prefix = (options.prefix ?? 'HD').toUpperCase();
    this.now = options.now ?? (() => new Date());
  }

  formatNumber(id: number): string {
    return formatTicketNumber(this.prefix, id);
  }

  parseNumber(numberOrId: string): number | undefined {
    return parseTicketNumber(this.prefix, numberOrId);
  }

  /** Idempotent on `idempotencyKey`: a second call returns the first ticket with `created: false`. */
  async create(input: { idempotencyKey: string; packet: EscalationPacket; title: string; body: string }): Promise<{
    ticket: LocalTicket;
    created: boolean;
  }> {
    const result = this.db
      .transaction(() => {
        const existing = this.db
          .prepare('SELECT * FROM local_tickets WHERE idempotency_key = ?')
          .get(input.idempotencyKey) as TicketRow | undefined;
        if (existing) return { ticket: toTicket(existing), created: false };
        const at = this.now().toISOString();
        const p = input.packet;
        const { lastInsertRowid } = this.db
          .prepare(
            `INSERT INTO local_tickets (idempotency_key, state, title, body, priority, category, lang, channel,
               conversation_id, requester_id, requester_email, requester_name, packet_json, created_at, updated_at)
             VALUES (?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            input.idempotencyKey, input.title, input.body, p.priority, p.category ?? null, p.lang, p.channel,
            p.conversationId, p.user.id, p.user.email ?? null, p.user.name ?? null, JSON.stringify(p), at, at,
          );
        const id = Number(lastInsertRowid);
        this.db.prepare('UPDATE local_tickets SET number = ? WHERE id = ?').run(this.formatNumber(id), id);
        this.insertEvent(id, 'created', at, undefined, 'new', {});
        return { ticket: this.mustGet(String(id)), created: true };
      })
      .immediate();
    if (result.created) this.emitLatest(result.ticket);
    return result;
  }

  async get(numberOrId: string): Promise<LocalTicket | undefined> {
    return this.getNow(numberOrId);
  }

  /** Synchronous read, for use inside a transaction. */
  private getNow(numberOrId: string): LocalTicket | undefined {
    const id = this.parseNumber(numberOrId);
    if (id === undefined) return undefined;
    const row = this.db.prepare('SELECT * FROM local_tickets WHERE id = ?').get(id) as TicketRow | undefined;
    return row && toTicket(row);
  }

  async getByIdempotencyKey(key: string): Promise<LocalTicket | undefined> {
    const row = this.db.prepare('SELECT * FROM local_tickets WHERE idempotency_key = ?').get(key) as TicketRow | undefined;
    return row && toTicket(row);
  }

  /** Newest first. */
  async list(filter: TicketFilter = {}): Promise<LocalTicket[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.states?.length) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      args.push(...filter.states);
    }
    const who: string[] = [];
    if (filter.requesterId) {
      who.push('requester_id = ?');
      args.push(filter.requesterId);
    }
    if (filter.requesterEmail) {
      who.push('requester_email = ? COLLATE NOCASE');
      args.push(filter.requesterEmail);
    }
    // The same person may be known by channel id in one place and by e-mail in another.
    if (who.length) where.push(`(${who.join(' OR ')})`);
    if (filter.conversationId) {
      where.push('conversation_id = ?');
      args.push(filter.conversationId);
    }
    const sql = `SELECT * FROM local_tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY id DESC LIMIT ? OFFSET ?`;
    args.push(filter.limit ?? 50, filter.offset ?? 0);
    return (this.db.prepare(sql).all(...args) as TicketRow[]).map(toTicket);
  }

  async setState(numberOrId: string, state: TicketState, change: ChangeOptions = {}): Promise<LocalTicket> {
    return this.update(numberOrId, (t) => (t.state === state ? undefined : { state, kind: 'status' }), change);
  }

  async assign(numberOrId: string, assignee: string | null, change: ChangeOptions = {}): Promise<LocalTicket> {
    return this.update(
      numberOrId,
      (t) =>
        (t.assignee ?? null) === assignee
          ? undefined
          : { assignee, kind: 'assigned', state: t.state === 'new' && assignee ? 'in_progress' : t.state },
      change,
    );
  }

  /** Resolves with notes: what the technician did, later offered as a draft article. Secrets in them are never stored. */
  async resolve(numberOrId: string, notes: string, change: ChangeOptions = {}): Promise<LocalTicket> {
    const clean = redact(notes).text;
    return this.update(numberOrId, () => ({ state: 'resolved', resolutionNotes: clean, kind: 'status' }), {
      ...change,
      note: change.note ?? clean,
    });
  }

  /** The requester's comment (Slack's Home tab): into the history, state and assignee unchanged. */
  async comment(numberOrId: string, text: string, change: ChangeOptions = {}): Promise<LocalTicket> {
    return this.update(numberOrId, () => ({ kind: 'commented' }), { ...change, note: text });
  }

  async history(numberOrId: string): Promise<LocalTicketEvent[]> {
    const id = this.parseNumber(numberOrId);
    if (id === undefined) return [];
    return (
      this.db
        .prepare(
          `SELECT e.*, t.number FROM local_ticket_events e JOIN local_tickets t ON t.id = e.ticket_id
           WHERE e.ticket_id = ? ORDER BY e.id`,
        )
        .all(id) as EventRow[]
    ).map(toEvent);
  }

  /** Events after a cursor, oldest first: how a notifier in another process follows changes. */
  async eventsSince(afterEventId: number, limit = 100): Promise<LocalTicketEvent[]> {
    return (
      this.db
        .prepare(
          `SELECT e.*, t.number FROM local_ticket_events e JOIN local_tickets t ON t.id = e.ticket_id
           WHERE e.id > ? ORDER BY e.id LIMIT ?`,
        )
        .all(afterEventId, limit) as EventRow[]
    ).map(toEvent);
  }

  onChange(listener: TicketChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private mustGet(numberOrId: string): LocalTicket {
    const t = this.getNow(numberOrId);
    if (!t) throw new TicketNotFoundError(numberOrId);
    return t;
  }

  private update(
    numberOrId: string,
    decide: (t: LocalTicket) =>
      | { kind: TicketEventKind; state?: TicketState; assignee?: string | null; resolutionNotes?: string }
      | undefined,
    change: ChangeOptions,
  ): LocalTicket {
    let changed = false;
    const ticket = this.db
      .transaction(() => {
        const current = this.mustGet(numberOrId);
        const next = decide(current);
        if (!next) return current;
        changed = true;
        const at = this.now().toISOString();
        const state = next.state ?? current.state;
        const assignee = next.assignee === undefined ? (current.assignee ?? null) : next.assignee;
        const notes = next.resolutionNotes ?? current.resolutionNotes ?? null;
        this.db
          .prepare('UPDATE local_tickets SET state = ?, assignee = ?, resolution_notes = ?, updated_at = ? WHERE id = ?')
          .run(state, assignee, notes, at, current.id);
        this.insertEvent(current.id, next.kind, at, current.state, state, { ...change, assignee: assignee ?? undefined });
        return this.mustGet(String(current.id));
      })
      .immediate();
    if (changed) this.emitLatest(ticket);
    return ticket;
  }

  private insertEvent(
    ticketId: number,
    kind: TicketEventKind,
    at: string,
    from: TicketState | undefined,
    to: TicketState,
    extra: ChangeOptions & { assignee?: string },
  ): void {
    this.db
      .prepare(
        `INSERT INTO local_ticket_events (ticket_id, kind, at, from_state, to_state, assignee, actor, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      // Technicians type notes ("temp password is …"): redacted like user text before it is stored.
      .run(ticketId, kind, at, from ?? null, to, extra.assignee ?? null, extra.actor ?? null, extra.note === undefined ? null : redact(extra.note).text);
  }

  private emitLatest(ticket: LocalTicket): void {
    if (!this.listeners.size) return;
    const row = this.db
      .prepare(
        `SELECT e.*, t.number FROM local_ticket_events e JOIN local_tickets t ON t.id = e.ticket_id
         WHERE e.ticket_id = ? ORDER BY e.id DESC LIMIT 1`,
      )
      .get(ticket.id) as EventRow;
    const event = toEvent(row);
    for (const listener of this.listeners) {
      try {
        listener(event, ticket);
      } catch (err) {
        this.options.onListenerError?.(err);
      }
    }
  }
}
