import type { Pool, PoolClient } from 'pg';
import { KeyedMutex } from '../../engine/dialogue/mutex.js';
import type { KeyedLock } from '../../engine/ports/coordination.js';

export interface PgKeyedLockOptions {
  /** How long a turn waits for another replica's turn on the same conversation before failing. */
  waitTimeoutMs?: number;
}

/**
 * A session-level advisory lock per key, held on a connection of its own for the whole piece of
 * work. Its lease is the connection: a replica that is killed (or loses the database) drops its
 * session and PostgreSQL frees the lock at once. Keys are hashed to 64 bits; a collision only
 * serialises two unrelated conversations. Waiters of this replica queue in memory first, so at
 * most one connection per key and replica waits in the database, and the local order stays FIFO.
 */
export class PgKeyedLock implements KeyedLock {
  private readonly local = new KeyedMutex();
  private readonly waitTimeoutMs: number;

  constructor(
    private readonly pool: Pool,
    options: PgKeyedLockOptions = {},
  ) {
    this.waitTimeoutMs = options.waitTimeoutMs ?? 120_000;
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const client = await this.acquire(key);
      let broken: Error | undefined;
      // A connection that drops while the turn holds it emits 'error' on the client (the pool only
      // listens to idle ones): without a listener that would end the process. The lock went with it.
      const dropped = (err: Error): void => {
        broken = err;
      };
      client.on('error', dropped);
      try {
        return await work();
      } finally {
        try {
          await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
        } catch (err) {
          // The session is gone, and its lock with it; the connection is not reused.
          broken = err instanceof Error ? err : new Error(String(err));
        }
        client.release(broken);
        client.off('error', dropped);
      }
    });
  }

  private async acquire(key: string): Promise<PoolClient> {
    const client = await this.pool.connect();
    try {
      // lock_timeout bounds the wait (it applies to advisory locks too); reset so the pooled session stays clean.
      await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(this.waitTimeoutMs))}`);
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      await client.query('RESET lock_timeout');
      return client;
    } catch (err) {
      client.release(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }
}
