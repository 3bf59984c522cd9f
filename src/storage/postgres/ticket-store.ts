import type { EscalationPacket } from '../../engine/escalation/packet.js';
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
import type { TicketState } from '../../engine/ports/tickets.js';
import { redact } from '../../engine/redact.js';
import { withTransaction, type PgClient, type PgPool } from './pool.js';
import { toEvent, toTicket, type EventRow, type TicketRow } from '../rows/tickets.js';

/**
 * The embedded ticket system in PostgreSQL (schema 0007_local_tickets). Numbers come from the
 * table's identity sequence, so replicas never hand out the same HD-number. Every write takes one
 * transaction-scoped advisory lock: history events then commit in id order, which is what lets a
 * notifier on any replica follow `eventsSince(cursor)` without skipping an event whose id was taken
 * earlier but committed later.
 */
const TICKET_WRITE_LOCK = 724_190_019;

export interface PgTicketStoreOptions {
  prefix?: string;
  now?: () => Date;
  onListenerError?: (err: unknown) => void;
}

type Decision = { kind: TicketEventKind; state?: TicketState; assignee?: string | null; resolutionNotes?: string } | undefined;

export class PgTicketStore implements LocalTicketStore {
  private readonly prefix: string;
  private readonly now: () => Date;
  private readonly listeners = new Set<TicketChangeListener>();

  constructor(
    private readonly pool: PgPool,
    private readonly options: PgTicketStoreOptions = {},
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

  async create(input: { idempotencyKey: string; packet: EscalationPacket; title: string; body: string }): Promise<{ ticket: LocalTicket; created: boolean }> {
    const result = await withTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [TICKET_WRITE_LOCK]);
      const existing = (await c.query<TicketRow>('SELECT * FROM local_tickets WHERE idempotency_key = $1', [input.idempotencyKey])).rows[0];
      if (existing) return { ticket: toTicket(existing), created: false, event: undefined };
      const at = this.now().toISOString();
      const p = input.packet;
      const { rows } = await c.query<{ id: string }>(
        `INSERT INTO local_tickets (idempotency_key, state, title, body, priority, category, lang, channel,
           conversation_id, requester_id, requester_email, requester_name, packet_json, created_at, updated_at)
         VALUES ($1, 'new', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
        [input.idempotencyKey, input.title, input.body, p.priority, p.category ?? null, p.lang, p.channel,
          p.conversationId, p.user.id, p.user.email ?? null, p.user.name ?? null, JSON.stringify(p), at],
      );
      const id = Number(rows[0]!.id);
      await c.query('UPDATE local_tickets SET number = $1 WHERE id = $2', [this.formatNumber(id), id]);
      const event = await this.insertEvent(c, id, 'created', at, undefined, 'new', {});
      return { ticket: await this.mustGet(c, String(id)), created: true, event };
    });
    if (result.event) this.emit(result.event, result.ticket);
    return { ticket: result.ticket, created: result.created };
  }

  async get(numberOrId: string): Promise<LocalTicket | undefined> {
    const id = this.parseNumber(numberOrId);
    if (id === undefined) return undefined;
    const row = (await this.pool.query<TicketRow>('SELECT * FROM local_tickets WHERE id = $1', [id])).rows[0];
    return row && toTicket(row);
  }

  async getByIdempotencyKey(key: string): Promise<LocalTicket | undefined> {
    const row = (await this.pool.query<TicketRow>('SELECT * FROM local_tickets WHERE idempotency_key = $1', [key])).rows[0];
    return row && toTicket(row);
  }

  async list(filter: TicketFilter = {}): Promise<LocalTicket[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown): string => `$${params.push(v)}`;
    if (filter.states?.length) where.push(`state = ANY(${p(filter.states)}::text[])`);
    const who: string[] = [];
    if (filter.requesterId) who.push(`requester_id = ${p(filter.requesterId)}`);
    if (filter.requesterEmail) who.push(`lower(requester_email) = lower(${p(filter.requesterEmail)})`);
    // The same person may be known by channel id in one place and by e-mail in another.
    if (who.length) where.push(`(${who.join(' OR ')})`);
    if (filter.conversationId) where.push(`conversation_id = ${p(filter.conversationId)}`);
    const { rows } = await this.pool.query<TicketRow>(
      `SELECT * FROM local_tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT ${p(filter.limit ?? 50)} OFFSET ${p(filter.offset ?? 0)}`,
      params,
    );
    return rows.map(toTicket);
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
    const { rows } = await this.pool.query<EventRow>(
      `SELECT e.*, t.number FROM local_ticket_events e JOIN local_tickets t ON t.id = e.ticket_id WHERE e.ticket_id = $1 ORDER BY e.id`,
      [id],
    );
    return rows.map(toEvent);
  }

  async eventsSince(afterEventId: number, limit = 100): Promise<LocalTicketEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT e.*, t.number FROM local_ticket_events e JOIN local_tickets t ON t.id = e.ticket_id WHERE e.id > $1 ORDER BY e.id LIMIT $2`,
      [afterEventId, limit],
    );
    return rows.map(toEvent);
  }

  onChange(listener: TicketChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async mustGet(c: PgClient, numberOrId: string): Promise<LocalTicket> {
    const id = this.parseNumber(numberOrId);
    const row = id === undefined ? undefined : (await c.query<TicketRow>('SELECT * FROM local_tickets WHERE id = $1', [id])).rows[0];
    if (!row) throw new TicketNotFoundError(numberOrId);
    return toTicket(row);
  }

  private async update(numberOrId: string, decide: (t: LocalTicket) => Decision, change: ChangeOptions): Promise<LocalTicket> {
    const result = await withTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [TICKET_WRITE_LOCK]);
      const current = await this.mustGet(c, numberOrId);
      const next = decide(current);
      if (!next) return { ticket: current, event: undefined };
      const at = this.now().toISOString();
      const state = next.state ?? current.state;
      const assignee = next.assignee === undefined ? (current.assignee ?? null) : next.assignee;
      const notes = next.resolutionNotes ?? current.resolutionNotes ?? null;
      await c.query('UPDATE local_tickets SET state = $1, assignee = $2, resolution_notes = $3, updated_at = $4 WHERE id = $5', [
        state, assignee, notes, at, current.id,
      ]);
      const event = await this.insertEvent(c, current.id, next.kind, at, current.state, state, { ...change, assignee: assignee ?? undefined });
      return { ticket: await this.mustGet(c, String(current.id)), event };
    });
    if (result.event) this.emit(result.event, result.ticket);
    return result.ticket;
  }

  private async insertEvent(
    c: PgClient,
    ticketId: number,
    kind: TicketEventKind,
    at: string,
    from: TicketState | undefined,
    to: TicketState,
    extra: ChangeOptions & { assignee?: string },
  ): Promise<LocalTicketEvent> {
    const { rows } = await c.query<EventRow>(
      `WITH e AS (
         INSERT INTO local_ticket_events (ticket_id, kind, at, from_state, to_state, assignee, actor, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *)
       SELECT e.*, t.number FROM e JOIN local_tickets t ON t.id = e.ticket_id`,
      // Technicians type notes ("temp password is …"): redacted like user text before it is stored.
      [ticketId, kind, at, from ?? null, to, extra.assignee ?? null, extra.actor ?? null, extra.note === undefined ? null : redact(extra.note).text],
    );
    return toEvent(rows[0]!);
  }

  private emit(event: LocalTicketEvent, ticket: LocalTicket): void {
    for (const listener of this.listeners) {
      try {
        listener(event, ticket);
      } catch (err) {
        this.options.onListenerError?.(err);
      }
    }
  }
}
