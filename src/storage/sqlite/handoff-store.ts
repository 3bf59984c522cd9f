import type { ConversationAddress } from '../../engine/contract.js';
import type {
  HandoffEnd,
  HandoffRecord,
  HandoffState,
  HandoffStore,
  NewHandoff,
  Technician,
} from '../../engine/ports/handoff.js';
import { type Db } from './database.js';
import { migrateSqlite } from './migrations.js';
import { toHandoff, type HandoffRow } from '../rows/handoffs.js';

/**
 * Live handoffs in the embedded SQLite database. State changes are single conditional UPDATEs
 * (`WHERE state IN (…)`), so concurrent "Take it" clicks, in one process or several, have exactly
 * one winner: the one whose UPDATE changed a row.
 */

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export class SqliteHandoffStore implements HandoffStore {
  constructor(private readonly db: Db) {}

  private row(id: string): HandoffRecord | undefined {
    const r = this.db.prepare('SELECT * FROM handoffs WHERE id = ?').get(id) as HandoffRow | undefined;
    return r && toHandoff(r);
  }

  async create(h: NewHandoff, at: string): Promise<{ record: HandoffRecord; created: boolean }> {
    const { changes } = this.db
      .prepare(
        `INSERT INTO handoffs (id, user_channel, user_conversation_id, user_thread_id, tech_channel,
           tech_conversation_id, tech_thread_id, tech_lang, packet_json, state, last_reminder_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
      )
      .run(
        h.id, h.user.channel, h.user.conversationId, h.user.threadId ?? '', h.technicians.channel,
        h.technicians.conversationId, h.technicians.threadId ?? null, h.techniciansLang, JSON.stringify(h.packet), at, at, at,
      );
    return { record: this.row(h.id) as HandoffRecord, created: changes === 1 };
  }

  async get(id: string): Promise<HandoffRecord | undefined> {
    return this.row(id);
  }

  private newest(user: ConversationAddress, onlyActive: boolean): HandoffRecord | undefined {
    const r = this.db
      .prepare(
        `SELECT * FROM handoffs WHERE user_channel = ? AND user_conversation_id = ? AND user_thread_id = ?
         ${onlyActive ? "AND state IN ('queued', 'taken')" : ''} ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      )
      .get(user.channel, user.conversationId, user.threadId ?? '') as HandoffRow | undefined;
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
    const r = this.db
      .prepare('SELECT * FROM handoffs WHERE tech_channel = ? AND tech_conversation_id = ? AND tech_thread_id = ?')
      .get(a.channel, a.conversationId, a.threadId) as HandoffRow | undefined;
    return r && toHandoff(r);
  }

  async setCard(id: string, messageId: string, at: string): Promise<void> {
    this.db.prepare('UPDATE handoffs SET tech_thread_id = ?, updated_at = ? WHERE id = ?').run(messageId, at, id);
  }

  async setTicket(id: string, ticketNumber: string, at: string): Promise<void> {
    this.db.prepare('UPDATE handoffs SET ticket_number = ?, updated_at = ? WHERE id = ?').run(ticketNumber, at, id);
  }

  async take(id: string, technician: Technician, at: string): Promise<{ won: boolean; record: HandoffRecord | undefined }> {
    const { changes } = this.db
      .prepare(
        `UPDATE handoffs SET state = 'taken', technician_id = ?, technician_name = ?, taken_at = ?, updated_at = ?
         WHERE id = ? AND state = 'queued'`,
      )
      .run(technician.id, technician.name, at, at, id);
    return { won: changes === 1, record: this.row(id) };
  }

  async end(id: string, to: HandoffEnd, from: readonly HandoffState[], endedBy: string, at: string): Promise<{ won: boolean; record: HandoffRecord | undefined }> {
    const { changes } = this.db
      .prepare(`UPDATE handoffs SET state = ?, ended_by = ?, ended_at = ?, updated_at = ? WHERE id = ? AND state IN (${placeholders(from.length)})`)
      .run(to, endedBy, at, at, id, ...from);
    return { won: changes === 1, record: this.row(id) };
  }

  async dueReminders(before: string, maxReminders: number): Promise<HandoffRecord[]> {
    return (
      this.db
        .prepare(
          `SELECT * FROM handoffs WHERE state = 'queued' AND tech_thread_id IS NOT NULL AND last_reminder_at <= ? AND reminders_sent < ?
           ORDER BY last_reminder_at`,
        )
        .all(before, maxReminders) as HandoffRow[]
    ).map(toHandoff);
  }

  async recordReminder(id: string, seen: number, at: string): Promise<boolean> {
    const { changes } = this.db
      .prepare(`UPDATE handoffs SET reminders_sent = reminders_sent + 1, last_reminder_at = ?, updated_at = ? WHERE id = ? AND reminders_sent = ? AND state = 'queued'`)
      .run(at, at, id, seen);
    return changes === 1;
  }

  async withoutCard(): Promise<HandoffRecord[]> {
    return (this.db.prepare(`SELECT * FROM handoffs WHERE state IN ('queued', 'taken') AND tech_thread_id IS NULL ORDER BY created_at`).all() as HandoffRow[]).map(toHandoff);
  }

  async setRatingNonce(id: string, nonce: string, at: string): Promise<void> {
    this.db.prepare('UPDATE handoffs SET rating_nonce = ?, updated_at = ? WHERE id = ?').run(nonce, at, id);
  }

  async rate(id: string, nonce: string, rating: number, at: string): Promise<boolean> {
    const { changes } = this.db
      .prepare('UPDATE handoffs SET rating = ?, updated_at = ? WHERE id = ? AND rating_nonce = ? AND rating IS NULL')
      .run(rating, at, id, nonce);
    return changes === 1;
  }
}

/** Applies this module's migrations and returns the store. */
export function openHandoffStore(db: Db): SqliteHandoffStore {
  migrateSqlite(db);
  return new SqliteHandoffStore(db);
}
