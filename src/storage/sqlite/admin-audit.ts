import type { AdminAuditEntry, AdminAuditEvent, AdminAuditLog, AdminAuditMethod } from '../../engine/ports/admin-audit.js';
import { type Db } from './database.js';
import { migrateSqlite } from './migrations.js';

/**
 * The console's sign-in audit log: every sign-in, failed attempt, lockout and sign-out, with the
 * client address (req.ip, which follows TRUST_PROXY) and how the token was presented (the sign-in
 * form or an `Authorization: Bearer` header). Never the token itself. Kept with the data, so a
 * brute-force attempt stays visible after a restart.
 */

/** Rows kept at most; older ones are dropped as new ones arrive (a flood must not fill the disk). */
const MAX_ROWS = 100_000;

export class SqliteAdminAudit implements AdminAuditLog {
  private readonly insert;
  private readonly trim;
  private readonly recentRows;
  private writes = 0;

  constructor(db: Db) {
    migrateSqlite(db);
    this.insert = db.prepare('INSERT INTO admin_audit (at, event, method, address, user_agent) VALUES (?, ?, ?, ?, ?)');
    this.trim = db.prepare('DELETE FROM admin_audit WHERE id <= (SELECT MAX(id) FROM admin_audit) - ?');
    this.recentRows = db.prepare('SELECT at, event, method, address, user_agent FROM admin_audit ORDER BY id DESC LIMIT ?');
  }

  async record(entry: AdminAuditEntry): Promise<void> {
    this.insert.run(entry.at, entry.event, entry.method, entry.address.slice(0, 64), entry.userAgent?.slice(0, 256) ?? null);
    if (++this.writes % 1000 === 0) this.trim.run(MAX_ROWS);
  }

  /** Newest first. */
  async recent(limit = 100): Promise<AdminAuditEntry[]> {
    return (this.recentRows.all(limit) as Array<{ at: string; event: AdminAuditEvent; method: AdminAuditMethod; address: string; user_agent: string | null }>).map((r) => ({
      at: r.at,
      event: r.event,
      method: r.method,
      address: r.address,
      ...(r.user_agent ? { userAgent: r.user_agent } : {}),
    }));
  }
}
