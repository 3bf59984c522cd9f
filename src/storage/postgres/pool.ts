import pg from 'pg';

/**
 * How every PostgreSQL connection of the process is made: one pg.Pool per DATABASE_URL.
 * Stores, migrations and cross-replica coordination all borrow from it, so the connection
 * budget of a replica is this one number (`max`).
 */
export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

export interface PgPoolOptions {
  /** Connections this replica may hold at once. */
  max?: number;
  /** Name shown in pg_stat_activity, so an operator can tell replicas apart. */
  applicationName?: string;
  /** Milliseconds to wait for a free connection before failing the query. */
  connectionTimeoutMs?: number;
  /** Server-side statement_timeout, milliseconds; 0 = none. */
  statementTimeoutMs?: number;
}

/** True when a DATABASE_URL names a PostgreSQL server (postgres:// or postgresql://). */
export function isPostgresUrl(url: string | undefined): url is string {
  return typeof url === 'string' && /^postgres(ql)?:\/\//i.test(url.trim());
}

export function createPgPool(databaseUrl: string, options: PgPoolOptions = {}): PgPool {
  if (!isPostgresUrl(databaseUrl)) {
    throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const pool = new pg.Pool({
    connectionString: databaseUrl.trim(),
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'helpdesk-bot',
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client whose server connection drops emits 'error' on the pool; without a listener
  // that would crash the process. The next query simply gets a fresh connection.
  pool.on('error', () => {});
  return pool;
}

/** Runs fn inside BEGIN/COMMIT on one pooled connection; ROLLBACK and rethrow on failure. */
export async function withTransaction<T>(pool: PgPool, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
