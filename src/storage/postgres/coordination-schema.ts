import type { Pool } from 'pg';

/**
 * Tables of the coordination layer. Created under a transaction-scoped advisory lock, so two
 * replicas starting at once do not race on CREATE TABLE IF NOT EXISTS (which can fail with a
 * unique violation on the catalog when run concurrently).
 */
const SCHEMA_LOCK = 'helpdesk:coordination:schema';

export async function ensureCoordinationSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [SCHEMA_LOCK]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS coordination_rate (
        key text PRIMARY KEY,
        tat double precision NOT NULL
      );
      CREATE TABLE IF NOT EXISTS coordination_jobs (
        job text PRIMARY KEY,
        tick bigint NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS coordination_bus (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        payload text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS coordination_bus_at ON coordination_bus (at);
    `);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
