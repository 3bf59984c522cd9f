import type { StorageHealth } from '../bundle.js';
import type { Db } from './database.js';

/** A real write (one row upserted in a transaction): proves the file, the lock and the disk all work. */
export function checkDatabaseWritable(db: Db, now: () => Date = () => new Date()): StorageHealth {
  try {
    db.prepare(
      `INSERT INTO server_health (id, checked_at) VALUES (1, ?)
       ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`,
    ).run(now().toISOString());
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
