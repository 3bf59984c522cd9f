import type { Pool } from 'pg';
import type { Coordination, RateLimitSpec } from '../../engine/ports/coordination.js';
import { PgMessageBus, type PgBusOptions } from './coordination-bus.js';
import { PgJobClaims } from './coordination-jobs.js';
import { PgRateLimiter } from './coordination-limits.js';
import { PgKeyedLock, type PgKeyedLockOptions } from './coordination-lock.js';
import { migratePg } from './migrate.js';
import { pgMigrations } from './migrations.js';

export interface PgCoordinationOptions extends PgKeyedLockOptions, PgBusOptions {
  /** Ends the pool on close() (true when the pool was made for coordination alone). */
  ownsPool?: boolean;
}

/**
 * Coordination on PostgreSQL. The pool should be its own (not the stores'): every turn in flight
 * holds one of its connections for the conversation's lock, and the bus holds one for LISTEN.
 */
export async function pgCoordination(pool: Pool, options: PgCoordinationOptions = {}): Promise<Coordination> {
  // The same versioned list as the stores (its tables are in 0015_coordination): with DATABASE_URL the
  // stores have already run it and this finds nothing to do; alone (tests, tools) it brings the schema up.
  await migratePg(pool, pgMigrations);
  const bus = new PgMessageBus(pool, options);
  return {
    backend: 'postgres',
    lock: new PgKeyedLock(pool, options),
    bus,
    limiter: (name: string, spec: RateLimitSpec) => new PgRateLimiter(pool, name, spec),
    jobs: new PgJobClaims(pool),
    async close() {
      await bus.close();
      if (options.ownsPool) await pool.end();
    },
  };
}
