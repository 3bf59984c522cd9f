import type { PgPool } from './pool.js';

/**
 * Versioned schema migrations for PostgreSQL. One ordered list (src/storage/postgres/migrations.ts);
 * each applied name is recorded in schema_migrations. The whole run holds a session-level
 * pg_advisory_lock, so two replicas starting at once do not race: the second waits, then finds
 * everything applied and does nothing.
 */
export interface PgMigration {
  /** Globally unique and ordered, e.g. "0001_conversations". Never rename or edit one that has shipped. */
  name: string;
  /** SQL run in one transaction with the bookkeeping insert. */
  up: string;
}

/** Arbitrary, fixed key of the advisory lock the migration run holds (its value means "helpdesk migrations"). */
export const MIGRATION_LOCK_KEY = 724_190_018;

export async function migratePg(pool: PgPool, migrations: readonly PgMigration[]): Promise<string[]> {
  const names = new Set<string>();
  for (const m of migrations) {
    if (names.has(m.name)) throw new Error(`duplicate migration name ${m.name}`);
    names.add(m.name);
  }
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        name TEXT PRIMARY KEY,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.name));
      const ran: string[] = [];
      for (const m of migrations) {
        if (applied.has(m.name)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.up);
          await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
        }
        ran.push(m.name);
      }
      return ran;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  } finally {
    client.release();
  }
}
