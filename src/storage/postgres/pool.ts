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
  retryWhenServerFull(pool, options.connectionTimeoutMs ?? 10_000);
  return pool;
}

/** SQLSTATEs a new connection gets while the server is momentarily unable to take it. */
const TRANSIENT_CONNECT = new Set(['53300' /* too_many_connections */, '57P03' /* cannot_connect_now: starting up */]);

/**
 * A server at max_connections (several replicas' pools, a burst, a deploy overlapping the old
 * pods) refuses a new connection at once. Failing the turn then would answer the user with an
 * error for a condition that clears in milliseconds, so a new connection is retried with backoff
 * until the pool's own connection timeout; anything else fails as before. pool.query goes through
 * pool.connect, so both paths are covered.
 */
function retryWhenServerFull(pool: pg.Pool, budgetMs: number): void {
  const connectOnce = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const connect = async (): Promise<pg.PoolClient> => {
    const deadline = Date.now() + budgetMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await connectOnce();
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code !== 'string' || !TRANSIENT_CONNECT.has(code) || Date.now() >= deadline) throw err;
        const wait = Math.min(1_000, 25 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
        await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, deadline - Date.now()))));
      }
    }
  };
  type Callback = (err: Error | undefined, client?: pg.PoolClient, done?: (release?: unknown) => void) => void;
  (pool as unknown as { connect: (cb?: Callback) => Promise<pg.PoolClient> | undefined }).connect = (cb?: Callback) => {
    if (!cb) return connect();
    connect().then(
      (client) => cb(undefined, client, (release?: unknown) => client.release(release as Error | boolean | undefined)),
      (err: Error) => cb(err),
    );
    return undefined;
  };
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
