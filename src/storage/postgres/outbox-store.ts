import type { EscalationPacket } from '../../engine/escalation/packet.js';
import type { OutboxFilter, OutboxItem, OutboxStatus, OutboxStore } from '../../engine/ports/outbox.js';
import type { TicketRef } from '../../engine/ports/tickets.js';
import type { PgPool } from './pool.js';
import { toItem, type OutboxRow } from '../rows/outbox.js';

/**
 * The ticket outbox in PostgreSQL (schema 0006_ticket_outbox). Replicas claim due rows with
 * `FOR UPDATE SKIP LOCKED` under a lease: two claimers never get the same row and never wait on
 * each other; a replica killed mid-delivery leaves a `delivering` row whose lease runs out, and the
 * next claim anywhere takes it over. Every later change is fenced on the lease owner.
 */
const DUE = `((status = 'pending' AND next_attempt_at <= $1) OR (status = 'delivering' AND lease_until <= $1))`;

export class PgOutboxStore implements OutboxStore {
  constructor(
    private readonly pool: PgPool,
    private readonly now: () => number = Date.now,
  ) {}

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  async insert(packet: EscalationPacket): Promise<boolean> {
    const at = this.iso();
    const { rowCount } = await this.pool.query(
      `INSERT INTO ticket_outbox (id, conversation_id, channel, user_id, packet_json, status, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7) ON CONFLICT (id) DO NOTHING`,
      [packet.id, packet.conversationId, packet.channel, packet.user.id, JSON.stringify(packet), this.now(), at],
    );
    return rowCount === 1;
  }

  async claim(owner: string, leaseMs: number): Promise<OutboxItem | undefined> {
    const now = this.now();
    // The outer WHERE repeats the due test: the row a concurrent claimer just took is no longer due.
    const { rows } = await this.pool.query<OutboxRow>(
      `UPDATE ticket_outbox
          SET status = 'delivering', lease_owner = $2, lease_until = $3, attempts = attempts + 1,
              total_attempts = total_attempts + 1, updated_at = $4
        WHERE id = (SELECT id FROM ticket_outbox WHERE ${DUE}
                     ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
          AND ${DUE}
      RETURNING *`,
      [now, owner, now + leaseMs, this.iso()],
    );
    return rows[0] && toItem(rows[0]);
  }

  async releaseLeases(isGone: (owner: string) => boolean): Promise<number> {
    const { rows } = await this.pool.query<{ lease_owner: string }>(
      `SELECT DISTINCT lease_owner FROM ticket_outbox WHERE status = 'delivering' AND lease_owner IS NOT NULL`,
    );
    const gone = rows.map((r) => r.lease_owner).filter(isGone);
    if (gone.length === 0) return 0;
    const { rowCount } = await this.pool.query(
      `UPDATE ticket_outbox SET lease_until = $1, updated_at = $2 WHERE status = 'delivering' AND lease_owner = ANY($3::text[])`,
      [this.now(), this.iso(), gone],
    );
    return rowCount ?? 0;
  }

  async markDelivered(id: string, owner: string, ticket: TicketRef): Promise<boolean> {
    const at = this.iso();
    const { rowCount } = await this.pool.query(
      `UPDATE ticket_outbox
          SET status = 'delivered', provider = $1, ticket_id = $2, ticket_number = $3, ticket_url = $4,
              delivered_at = $5, updated_at = $5, lease_owner = NULL, lease_until = NULL, last_error = NULL
        WHERE id = $6 AND status = 'delivering' AND lease_owner = $7`,
      [ticket.provider, ticket.id, ticket.number, ticket.url ?? null, at, id, owner],
    );
    return rowCount === 1;
  }

  async markRetry(id: string, owner: string, error: string, nextAttemptAt: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE ticket_outbox
          SET status = 'pending', next_attempt_at = $1, last_error = $2, updated_at = $3, lease_owner = NULL, lease_until = NULL
        WHERE id = $4 AND status = 'delivering' AND lease_owner = $5`,
      [nextAttemptAt, error, this.iso(), id, owner],
    );
    return rowCount === 1;
  }

  async markDead(id: string, owner: string, error: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE ticket_outbox
          SET status = 'dead', last_error = $1, updated_at = $2, lease_owner = NULL, lease_until = NULL, notified_at = NULL
        WHERE id = $3 AND status = 'delivering' AND lease_owner = $4`,
      [error, this.iso(), id, owner],
    );
    return rowCount === 1;
  }

  async retry(id: string): Promise<OutboxItem | undefined> {
    const { rows } = await this.pool.query<OutboxRow>(
      `UPDATE ticket_outbox
          SET attempts = CASE status WHEN 'dead' THEN 0 ELSE attempts END,
              status = 'pending', next_attempt_at = $1, updated_at = $2, notified_at = NULL
        WHERE id = $3 AND status IN ('dead', 'pending')
      RETURNING *`,
      [this.now(), this.iso(), id],
    );
    return rows[0] && toItem(rows[0]);
  }

  async markNotified(id: string): Promise<void> {
    await this.pool.query('UPDATE ticket_outbox SET notified_at = $1 WHERE id = $2', [this.iso(), id]);
  }

  async unnotified(limit = 100): Promise<OutboxItem[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `SELECT * FROM ticket_outbox WHERE status IN ('delivered', 'dead') AND notified_at IS NULL ORDER BY updated_at LIMIT $1`,
      [limit],
    );
    return rows.map(toItem);
  }

  async get(id: string): Promise<OutboxItem | undefined> {
    const row = (await this.pool.query<OutboxRow>('SELECT * FROM ticket_outbox WHERE id = $1', [id])).rows[0];
    return row && toItem(row);
  }

  async findByTicket(ticket: { number?: string; id?: string; provider?: string }): Promise<OutboxItem[]> {
    if (!ticket.number && !ticket.id) return [];
    const { rows } = await this.pool.query<OutboxRow>(
      `SELECT * FROM ticket_outbox WHERE status = 'delivered' AND (lower(ticket_number) = lower($1) OR ticket_id = $2)
         AND ($3::text IS NULL OR provider = $3)
       ORDER BY created_at DESC LIMIT 20`,
      [ticket.number ?? null, ticket.id ?? null, ticket.provider ?? null],
    );
    return rows.map(toItem);
  }

  async list(filter: OutboxFilter = {}): Promise<OutboxItem[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown): string => `$${params.push(v)}`;
    if (filter.statuses?.length) where.push(`status = ANY(${p(filter.statuses)}::text[])`);
    if (filter.conversationId) where.push(`conversation_id = ${p(filter.conversationId)}`);
    if (filter.userId) where.push(`user_id = ${p(filter.userId)}`);
    const { rows } = await this.pool.query<OutboxRow>(
      `SELECT * FROM ticket_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id LIMIT ${p(filter.limit ?? 50)} OFFSET ${p(filter.offset ?? 0)}`,
      params,
    );
    return rows.map(toItem);
  }

  async counts(): Promise<Record<OutboxStatus, number>> {
    const out: Record<OutboxStatus, number> = { pending: 0, delivering: 0, delivered: 0, dead: 0 };
    const { rows } = await this.pool.query<{ status: OutboxStatus; n: number }>('SELECT status, COUNT(*)::int AS n FROM ticket_outbox GROUP BY status');
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  async nextDueAt(): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ due: string | null }>(
      `SELECT MIN(CASE status WHEN 'pending' THEN next_attempt_at ELSE lease_until END) AS due
         FROM ticket_outbox WHERE status IN ('pending', 'delivering')`,
    );
    return rows[0]?.due == null ? undefined : Number(rows[0].due);
  }
}
