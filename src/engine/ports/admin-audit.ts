/**
 * The console's sign-in audit log: every sign-in, failed attempt, lockout and sign-out, with the
 * client address and how the token was presented (the sign-in form or an `Authorization: Bearer`
 * header). Never the token itself. Durable, so a brute-force attempt stays visible after a restart;
 * a backend may drop the oldest rows past a large cap so a flood cannot fill the disk.
 * Backends: src/storage/sqlite/admin-audit.ts (and the PostgreSQL one).
 */
export type AdminAuditEvent = 'sign_in' | 'sign_in_failed' | 'locked_out' | 'sign_out';
export type AdminAuditMethod = 'form' | 'bearer';

export interface AdminAuditEntry {
  at: string;
  event: AdminAuditEvent;
  method: AdminAuditMethod;
  address: string;
  userAgent?: string;
}

export interface AdminAuditLog {
  record(entry: AdminAuditEntry): Promise<void>;
  /** Newest first; limit defaults to 100. */
  recent(limit?: number): Promise<AdminAuditEntry[]>;
}
