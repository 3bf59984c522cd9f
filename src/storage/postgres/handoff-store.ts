import type { ConversationAddress } from '../../engine/contract.js';
import type { HandoffEnd, HandoffRecord, HandoffState, HandoffStore, NewHandoff, Technician } from '../../engine/ports/handoff.js';
import type { PgPool } from './pool.js';
import { toHandoff, type HandoffRow } from '../rows/handoffs.js';

/**
 * Live handoffs in PostgreSQL (schema 0002_handoffs). Every transition is one conditional UPDATE
 * (`WHERE state = ANY(…)`): under READ COMMITTED the second of two racing UPDATEs re-checks the
 * condition after the first commits, so "Take it" pressed on two replicas has exactly one winner.
 */
export class PgHandoffStore implements HandoffStore {
  constructor(private readonly pool: PgPool) {}

  private async row(id: string): Promise<HandoffRecord | undefined> {
    const r = (await this.pool.query<HandoffRow>('SELECT * FROM handoffs WHERE id = $1', [id])).rows[0];
    return r && toHandoff(r);
  }

  async create(h: NewHandoff, at: string): Promise<{ record: HandoffRecord; created: boolean }> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO handoffs (id, user_channel, user_conversation_id, user_thread_id, tech_channel,
         tech_conversation_id, tech_thread_id, tech_lang, packet_json, state, last_reminder_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $10, $10)
       ON CONFLICT (id) DO NOTHING`,
      [h.id, h.user.channel, h.user.conversationId, h.user.threadId ?? '', h.technicians.channel,
        h.technicians.conversationId, h.technicians.threadId ?? null, h.techniciansLang, JSON.stringify(h.packet), at],
    );
    return { record: (await this.row(h.id)) as HandoffRecord, created: rowCount === 1 };
  }

  async get(id: string): Promise<HandoffRecord | undefined> {
    return this.row(id);
  }

  private async newest(user: ConversationAddress, onlyActive: boolean): Promise<HandoffRecord | undefined> {
    const r = (
      await this.pool.query<HandoffRow>(
        `SELECT * FROM handoffs WHERE user_channel = $1 AND user_conversation_id = $2 AND user_thread_id = $3
         ${onlyActive ? "AND state IN ('queued', 'taken')" : ''} ORDER BY created_at DESC, seq DESC LIMIT 1`,
        [user.channel, user.conversationId, user.threadId ?? ''],
      )
    ).rows[0];
    return r && toHandoff(r);
  }

  async active(user: ConversationAddress): Promise<HandoffRecord | undefined> {
    return this.newest(user, true);
  }

  async latest(user: ConversationAddress): Promise<HandoffRecord | undefined> {
    return this.newest(user, false);
  }

  async byThread(a: ConversationAddress): Promise<HandoffRecord | undefined> {
    if (!a.threadId) return undefined;
    const r = (
      await this.pool.query<HandoffRow>('SELECT * FROM handoffs WHERE tech_channel = $1 AND tech_conversation_id = $2 AND tech_thread_id = $3', [
        a.channel, a.conversationId, a.threadId,
      ])
    ).rows[0];
    return r && toHandoff(r);
  }

  async setCard(id: string, messageId: string, at: string): Promise<void> {
    await this.pool.query('UPDATE handoffs SET tech_thread_id = $1, updated_at = $2 WHERE id = $3', [messageId, at, id]);
  }

  async setTicket(id: string, ticketNumber: string, at: string): Promise<void> {
    await this.pool.query('UPDATE handoffs SET ticket_number = $1, updated_at = $2 WHERE id = $3', [ticketNumber, at, id]);
  }

  async take(id: string, technician: Technician, at: string): Promise<{ won: boolean; record: HandoffRecord | undefined }> {
    const { rowCount } = await this.pool.query(
      `UPDATE handoffs SET state = 'taken', technician_id = $1, technician_name = $2, taken_at = $3, updated_at = $3
       WHERE id = $4 AND state = 'queued'`,
      [technician.id, technician.name, at, id],
    );
    return { won: rowCount === 1, record: await this.row(id) };
  }

  async end(id: string, to: HandoffEnd, from: readonly HandoffState[], endedBy: string, at: string): Promise<{ won: boolean; record: HandoffRecord | undefined }> {
    const { rowCount } = await this.pool.query(
      `UPDATE handoffs SET state = $1, ended_by = $2, ended_at = $3, updated_at = $3 WHERE id = $4 AND state = ANY($5::text[])`,
      [to, endedBy, at, id, [...from]],
    );
    return { won: rowCount === 1, record: await this.row(id) };
  }

  async dueReminders(before: string, maxReminders: number): Promise<HandoffRecord[]> {
    const { rows } = await this.pool.query<HandoffRow>(
      `SELECT * FROM handoffs WHERE state = 'queued' AND tech_thread_id IS NOT NULL AND last_reminder_at <= $1 AND reminders_sent < $2
       ORDER BY last_reminder_at`,
      [before, maxReminders],
    );
    return rows.map(toHandoff);
  }

  async recordReminder(id: string, seen: number, at: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE handoffs SET reminders_sent = reminders_sent + 1, last_reminder_at = $1, updated_at = $1
       WHERE id = $2 AND reminders_sent = $3 AND state = 'queued'`,
      [at, id, seen],
    );
    return rowCount === 1;
  }

  async withoutCard(): Promise<HandoffRecord[]> {
    const { rows } = await this.pool.query<HandoffRow>(`SELECT * FROM handoffs WHERE state IN ('queued', 'taken') AND tech_thread_id IS NULL ORDER BY created_at`);
    return rows.map(toHandoff);
  }

  async setRatingNonce(id: string, nonce: string, at: string): Promise<void> {
    await this.pool.query('UPDATE handoffs SET rating_nonce = $1, updated_at = $2 WHERE id = $3', [nonce, at, id]);
  }

  async rate(id: string, nonce: string, rating: number, at: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE handoffs SET rating = $1, updated_at = $2 WHERE id = $3 AND rating_nonce = $4 AND rating IS NULL',
      [rating, at, id, nonce],
    );
    return rowCount === 1;
  }
}
