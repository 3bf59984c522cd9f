import type { Db } from './database.js';
import type { EscalationPacket } from '../../engine/escalation/packet.js';
import type { TicketRef } from '../../engine/ports/tickets.js';
import type { OutboxFilter, OutboxItem, OutboxStatus, OutboxStore } from '../../engine/ports/outbox.js';
import { toItem, type OutboxRow } from '../rows/outbox.js';

/**
 * The ticket outbox table. An escalation is a row here before the user is told anything; workers
 * claim due rows with a lease (one atomic UPDATE … RETURNING, so two workers or two processes can
 * never hold the same row), and every state change is fenced on the lease owner so a worker that
 * lost its lease cannot overwrite the one that took over.
 *
 * Lifecycle: pending → delivering → delivered | pending (retry later) | dead (console can retry).
 * `notified_at` records that the user was told the outcome, so a crash between "delivered" and
 * "told the user" is replayed on restart instead of being forgotten.
 */

export class SqliteOutboxStore implements OutboxStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Durable once this returns (WAL + synchronous=FULL). Returns false when the packet was already there. */
  async insert(packet: EscalationPacket): Promise<boolean> {
    const at = this.iso();
    const r = this.db
      .prepare(
        `INSERT INTO ticket_outbox (id, conversation_id, channel, user_id, packet_json, status, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      )
      .run(packet.id, packet.conversationId, packet.channel, packet.user.id, JSON.stringify(packet), this.now(), at, at);
    return r.changes === 1;
  }

  /**
   * Claims the next due item for `owner` until now + leaseMs, counting the attempt. Due means pending
   * and scheduled, or delivering with an expired lease (its worker died).
   */
  async claim(owner: string, leaseMs: number): Promise<OutboxItem | undefined> {
    const now = this.now();
    const row = this.db
      .prepare(
        `UPDATE ticket_outbox
            SET status = 'delivering', lease_owner = @owner, lease_until = @until, attempts = attempts + 1,
                total_attempts = total_attempts + 1, updated_at = @iso
          WHERE id = (SELECT id FROM ticket_outbox
                       WHERE (status = 'pending' AND next_attempt_at <= @now)
                          OR (status = 'delivering' AND lease_until <= @now)
                       ORDER BY next_attempt_at LIMIT 1)
        RETURNING *`,
      )
      .get({ owner, until: now + leaseMs, now, iso: this.iso() }) as OutboxRow | undefined;
    return row && toItem(row);
  }

  /**
   * Makes the items leased by owners that `isGone` says no longer run due now, instead of when their
   * lease runs out; returns how many. The attempt each was making still counts.
   */
  async releaseLeases(isGone: (owner: string) => boolean): Promise<number> {
    const owners = (
      this.db.prepare(`SELECT DISTINCT lease_owner FROM ticket_outbox WHERE status = 'delivering' AND lease_owner IS NOT NULL`).all() as {
        lease_owner: string;
      }[]
    )
      .map((r) => r.lease_owner)
      .filter(isGone);
    const release = this.db.prepare(`UPDATE ticket_outbox SET lease_until = ?, updated_at = ? WHERE status = 'delivering' AND lease_owner = ?`);
    return owners.reduce((n, owner) => n + release.run(this.now(), this.iso(), owner).changes, 0);
  }

  /** Fenced on the lease: false when another worker took the item over. */
  async markDelivered(id: string, owner: string, ticket: TicketRef): Promise<boolean> {
    const at = this.iso();
    return (
      this.db
        .prepare(
          `UPDATE ticket_outbox
              SET status = 'delivered', provider = ?, ticket_id = ?, ticket_number = ?, ticket_url = ?,
                  delivered_at = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
            WHERE id = ? AND status = 'delivering' AND lease_owner = ?`,
        )
        .run(ticket.provider, ticket.id, ticket.number, ticket.url ?? null, at, at, id, owner).changes === 1
    );
  }

  /** Schedules another attempt at `nextAttemptAt`, fenced on the lease. */
  async markRetry(id: string, owner: string, error: string, nextAttemptAt: number): Promise<boolean> {
    return (
      this.db
        .prepare(
          `UPDATE ticket_outbox
              SET status = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL
            WHERE id = ? AND status = 'delivering' AND lease_owner = ?`,
        )
        .run(nextAttemptAt, error, this.iso(), id, owner).changes === 1
    );
  }

  async markDead(id: string, owner: string, error: string): Promise<boolean> {
    return (
      this.db
        .prepare(
          `UPDATE ticket_outbox
              SET status = 'dead', last_error = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL, notified_at = NULL
            WHERE id = ? AND status = 'delivering' AND lease_owner = ?`,
        )
        .run(error, this.iso(), id, owner).changes === 1
    );
  }

  /**
   * Console action. A dead item goes back to pending with a fresh attempt budget; a pending item is
   * made due now. Returns the item, or undefined when it is neither (delivered, or being delivered).
   */
  async retry(id: string): Promise<OutboxItem | undefined> {
    const row = this.db
      .prepare(
        `UPDATE ticket_outbox
            SET attempts = CASE status WHEN 'dead' THEN 0 ELSE attempts END,
                status = 'pending', next_attempt_at = ?, updated_at = ?, notified_at = NULL
          WHERE id = ? AND status IN ('dead', 'pending')
        RETURNING *`,
      )
      .get(this.now(), this.iso(), id) as OutboxRow | undefined;
    return row && toItem(row);
  }

  async markNotified(id: string): Promise<void> {
    this.db.prepare('UPDATE ticket_outbox SET notified_at = ? WHERE id = ?').run(this.iso(), id);
  }

  /** Delivered or dead items whose outcome has not reached the user yet (e.g. the process died in between). */
  async unnotified(limit = 100): Promise<OutboxItem[]> {
    return (
      this.db
        .prepare(
          `SELECT * FROM ticket_outbox WHERE status IN ('delivered', 'dead') AND notified_at IS NULL
           ORDER BY updated_at LIMIT ?`,
        )
        .all(limit) as OutboxRow[]
    ).map(toItem);
  }

  async get(id: string): Promise<OutboxItem | undefined> {
    const row = this.db.prepare('SELECT * FROM ticket_outbox WHERE id = ?').get(id) as OutboxRow | undefined;
    return row && toItem(row);
  }

  /** Delivered escalations that became this ticket (by number, case-insensitive, or provider id), newest first. */
  async findByTicket(ticket: { number?: string; id?: string; provider?: string }): Promise<OutboxItem[]> {
    if (!ticket.number && !ticket.id) return [];
    return (
      this.db
        .prepare(
          `SELECT * FROM ticket_outbox WHERE status = 'delivered' AND (ticket_number = ? COLLATE NOCASE OR ticket_id = ?)
             AND (? IS NULL OR provider = ?)
           ORDER BY created_at DESC LIMIT 20`,
        )
        .all(ticket.number ?? null, ticket.id ?? null, ticket.provider ?? null, ticket.provider ?? null) as OutboxRow[]
    ).map(toItem);
  }

  /** Newest first. */
  async list(filter: OutboxFilter = {}): Promise<OutboxItem[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.statuses?.length) {
      where.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
      args.push(...filter.statuses);
    }
    if (filter.conversationId) {
      where.push('conversation_id = ?');
      args.push(filter.conversationId);
    }
    if (filter.userId) {
      where.push('user_id = ?');
      args.push(filter.userId);
    }
    args.push(filter.limit ?? 50, filter.offset ?? 0);
    return (
      this.db
        .prepare(
          `SELECT * FROM ticket_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
        )
        .all(...args) as OutboxRow[]
    ).map(toItem);
  }

  async counts(): Promise<Record<OutboxStatus, number>> {
    const out: Record<OutboxStatus, number> = { pending: 0, delivering: 0, delivered: 0, dead: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n FROM ticket_outbox GROUP BY status').all() as {
      status: OutboxStatus;
      n: number;
    }[]) {
      out[r.status] = r.n;
    }
    return out;
  }

  /** Earliest time (epoch ms) something becomes due, for the worker's next wake-up. */
  async nextDueAt(): Promise<number | undefined> {
    const r = this.db
      .prepare(
        `SELECT MIN(CASE status WHEN 'pending' THEN next_attempt_at ELSE lease_until END) AS due
           FROM ticket_outbox WHERE status IN ('pending', 'delivering')`,
      )
      .get() as { due: number | null };
    return r.due ?? undefined;
  }
}
