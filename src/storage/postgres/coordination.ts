import type { Pool } from 'pg';
import type { Coordination, RateLimitSpec } from '../../engine/ports/coordination.js';
import { PgMessageBus, type PgBusOptions } from './coordination-bus.js';
import { PgJobClaims } from './coordination-jobs.js';
import { PgRateLimiter } from './coordination-limits.js';
import { PgKeyedLock, type PgKeyedLockOptions } from './coordination-lock.js';
import { migratePg } from './migrate.js';
import { pgMigrations } from './migrations.js';

export interface PgCoordinationOptions extends PgKeyedLockOptions, PgBusOptions {
  /** Ends the pools on close() (true when they were made for coordination alone). */
  ownsPool?: boolean;
  /**
   * Connections for the turn locks, each held for a whole turn. Without it the locks share `pool`
   * with the short queries (rate limits, job claims, the bus): as many turns in flight as the pool
   * has connections then hold all of them, and a rate-limit check inside one of those turns waits
   * for a connection that only a turn's end frees (up to the pool's connection timeout).
   */
  lockPool?: Pool;
}

/**
 * Coordination on PostgreSQL. The pools should be its own (not the stores'): every turn in flight
 * holds a connection for the conversation's lock (from `lockPool` when given), and the bus holds
 * one of `pool`'s for LISTEN.
 */
export async function pgCoordination(pool: Pool, options: PgCoordinationOptions = {}): Promise<Coordination> {
  // The same versioned list as the stores (its tables are in 0015_coordination): with DATABASE_URL the
  // stores have already run it and this finds nothing to do; alone (tests, tools) it brings the schema up.
  await migratePg(pool, pgMigrations);
  const bus = new PgMessageBus(pool, options);
  const lockPool = options.lockPool ?? pool;
  return {
    backend: 'postgres',
    lock: new PgKeyedLock(lockPool, options),
    bus,
    limiter: (name: string, spec: RateLimitSpec) => new PgRateLimiter(pool, name, spec),
    jobs: new PgJobClaims(pool),
    async close() {
      await bus.close();
      if (options.ownsPool) await Promise.all([...new Set([pool, lockPool])].map((p) => p.end()));
    },
  };
}
