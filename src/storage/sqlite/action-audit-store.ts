import type { ActionAuditEntry, ActionAuditLog } from '../../engine/ports/action-audit.js';
import type { Db, Migration } from './database.js';

/** The account actions' audit log in the application database: append-only, one row per attempt. */
export const actionAuditMigrations: Migration[] = [
  {
    name: 'action_audit/001_init',
    up: `
      CREATE TABLE action_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        provider TEXT NOT NULL,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        user_name TEXT,
        account TEXT,
        conversation_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'fail', 'refused')),
        detail TEXT
      );
      CREATE INDEX action_audit_user ON action_audit (channel, user_id, at);
      CREATE INDEX action_audit_at ON action_audit (at);
    `,
  },
];

interface Row {
  at: string;
  action: string;
  provider: string;
  channel: string;
  user_id: string;
  user_name: string | null;
  account: string | null;
  conversation_id: string;
  outcome: ActionAuditEntry['outcome'];
  detail: string | null;
}

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
    const rows = this.db.prepare(`SELECT * FROM action_audit ORDER BY at DESC, id DESC LIMIT ?`).all(limit) as Row[];
    return rows.map((r) => ({
      at: r.at,
      action: r.action,
      provider: r.provider,
      channel: r.channel,
      userId: r.user_id,
      ...(r.user_name ? { userName: r.user_name } : {}),
      ...(r.account ? { account: r.account } : {}),
      conversationId: r.conversation_id,
      outcome: r.outcome,
      ...(r.detail ? { detail: r.detail } : {}),
    }));
  }
}
