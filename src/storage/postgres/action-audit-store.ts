import type { ActionAuditEntry, ActionAuditLog } from '../../engine/ports/action-audit.js';
import { toEntry, type ActionAuditRow } from '../rows/action-audit.js';
import type { PgPool } from './pool.js';

/** The account actions' audit log in PostgreSQL (schema 0005_action_audit): append-only, one row per attempt. */
export class PgActionAuditLog implements ActionAuditLog {
  constructor(private readonly pool: PgPool) {}

  async record(e: ActionAuditEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO action_audit (at, action, provider, channel, user_id, user_name, account, conversation_id, outcome, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [e.at, e.action, e.provider, e.channel, e.userId, e.userName ?? null, e.account ?? null, e.conversationId, e.outcome, e.detail ?? null],
    );
  }

  async attemptsSince(channel: string, userId: string, since: string): Promise<number> {
    const row = (
      await this.pool.query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM action_audit WHERE channel = $1 AND user_id = $2 AND at >= $3 AND outcome IN ('ok', 'fail')`,
        [channel, userId, since],
      )
    ).rows[0]!;
    return row.n;
  }

  async recent(limit: number): Promise<ActionAuditEntry[]> {
    const { rows } = await this.pool.query<ActionAuditRow>('SELECT * FROM action_audit ORDER BY at DESC, id DESC LIMIT $1', [limit]);
    return rows.map(toEntry);
  }
}
