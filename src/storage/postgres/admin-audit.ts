import type { AdminAuditEntry, AdminAuditEvent, AdminAuditLog, AdminAuditMethod } from '../../engine/ports/admin-audit.js';
import type { PgPool } from './pool.js';

/**
 * The console's sign-in audit log in PostgreSQL (schema 0009_admin_audit): shared by every replica,
 * so a brute-force attempt spread over them shows as one list. Never the token itself.
 */
const MAX_ROWS = 100_000;

export class PgAdminAudit implements AdminAuditLog {
  private writes = 0;

  constructor(private readonly pool: PgPool) {}

  async record(entry: AdminAuditEntry): Promise<void> {
    await this.pool.query('INSERT INTO admin_audit (at, event, method, address, user_agent) VALUES ($1, $2, $3, $4, $5)', [
      entry.at, entry.event, entry.method, entry.address.slice(0, 64), entry.userAgent?.slice(0, 256) ?? null,
    ]);
    // A flood must not fill the disk: every 1000 writes of this replica, keep the newest MAX_ROWS.
    if (++this.writes % 1000 === 0) {
      await this.pool.query('DELETE FROM admin_audit WHERE id <= (SELECT MAX(id) FROM admin_audit) - $1', [MAX_ROWS]);
    }
  }

  async recent(limit = 100): Promise<AdminAuditEntry[]> {
    const { rows } = await this.pool.query<{ at: string; event: AdminAuditEvent; method: AdminAuditMethod; address: string; user_agent: string | null }>(
      'SELECT at, event, method, address, user_agent FROM admin_audit ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({ at: r.at, event: r.event, method: r.method, address: r.address, ...(r.user_agent ? { userAgent: r.user_agent } : {}) }));
  }
}
