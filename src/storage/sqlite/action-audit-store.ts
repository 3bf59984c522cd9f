import type { ActionAuditEntry, ActionAuditLog } from '../../engine/ports/action-audit.js';
import { toEntry, type ActionAuditRow } from '../rows/action-audit.js';
import type { Db } from './database.js';

/** The account actions' audit log in the application database: append-only, one row per attempt. */
export class SqliteActionAuditLog implements ActionAuditLog {
  constructor(private readonly db: Db) {}

  async record(e: ActionAuditEntry): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO action_audit (at, action, provider, channel, user_id, user_name, account, conversation_id, outcome, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.at, e.action, e.provider, e.channel, e.userId, e.userName ?? null, e.account ?? null, e.conversationId, e.outcome, e.detail ?? null);
  }

  async attemptsSince(channel: string, userId: string, since: string): Promise<number> {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM action_audit WHERE channel = ? AND user_id = ? AND at >= ? AND outcome IN ('ok', 'fail')`)
      .get(channel, userId, since) as { n: number };
    return row.n;
  }

  async recent(limit: number): Promise<ActionAuditEntry[]> {
    const rows = this.db.prepare(`SELECT * FROM action_audit ORDER BY at DESC, id DESC LIMIT ?`).all(limit) as ActionAuditRow[];
    return rows.map(toEntry);
  }
}
