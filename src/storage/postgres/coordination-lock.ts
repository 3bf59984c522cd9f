import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient } from 'pg';
import { KeyedMutex } from '../../engine/dialogue/mutex.js';
import type { KeyedLock } from '../../engine/ports/coordination.js';

export interface PgKeyedLockOptions {
  /** How long a turn waits for another replica's turn on the same conversation before failing. */
  waitTimeoutMs?: number;
}

/** A connection holding advisory locks: the run that opened it, and the runs nested in it. */
interface Session {
  client: PoolClient;
  /** Runs still using it (the opening run and nested ones); released to the pool at 0. */
  users: number;
  /** The opening run has ended: no new run nests in it. */
  closed: boolean;
  broken?: Error;
  dropped: (err: Error) => void;
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * A session-level advisory lock per key, held on a connection of its own for the whole piece of
 * work. Its lease is the connection: a replica that is killed (or loses the database) drops its
 * session and PostgreSQL frees the lock at once. Keys are hashed to 64 bits; a collision only
 * serialises two unrelated conversations. Waiters of this replica queue in memory first, so at
 * most one connection per key and replica waits in the database, and the local order stays FIFO.
 *
 * A run started inside another run of this lock (the engine's `engine:` key inside a channel's
 * turn) takes its key on the same connection instead of a second one: a connection per nesting
 * level would let turns holding their first connection fill the pool and all wait for a second.
 * It polls `pg_try_advisory_lock` (never a blocking wait on a connection others use). Work started
 * in the background from inside a run keeps the connection after that run ends, until it finishes;
 * once the opening run has ended, new runs open their own. Not re-entrant: a key is never taken
 * again inside its own run.
 */
export class PgKeyedLock implements KeyedLock {
  private readonly local = new KeyedMutex();
  private readonly sessions = new AsyncLocalStorage<Session>();
  private readonly waitTimeoutMs: number;

  constructor(
    private readonly pool: Pool,
    options: PgKeyedLockOptions = {},
  ) {
    this.waitTimeoutMs = options.waitTimeoutMs ?? 120_000;
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.local.run(key, () => {
      const within = this.sessions.getStore();
      return within && !within.closed && !within.broken ? this.nested(within, key, work) : this.opening(key, work);
    });
  }

  private async opening<T>(key: string, work: () => Promise<T>): Promise<T> {
    const client = await this.acquire(key);
    const session: Session = { client, users: 1, closed: false, dropped: () => undefined };
    // A connection that drops while the turn holds it emits 'error' on the client (the pool only
    // listens to idle ones): without a listener that would end the process. The lock went with it.
    session.dropped = (err: Error): void => {
      session.broken = err;
    };
    client.on('error', session.dropped);
    try {
      return await this.sessions.run(session, work);
    } finally {
      session.closed = true;
      await this.unlock(session, key);
      this.leave(session);
    }
  }

  private async nested<T>(session: Session, key: string, work: () => Promise<T>): Promise<T> {
    session.users += 1;
    try {
      await this.poll(session, key);
      try {
        return await work();
      } finally {
        await this.unlock(session, key);
      }
    } finally {
      this.leave(session);
    }
  }

  /** Takes `key` on the session without blocking it: other runs' unlocks on it must not queue behind a wait. */
  private async poll(session: Session, key: string): Promise<void> {
    const deadline = Date.now() + this.waitTimeoutMs;
    let pause = 5;
    for (;;) {
      if (session.broken) throw session.broken;
      let held: boolean | undefined;
      try {
        const { rows } = await session.client.query<{ held: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held', [key]);
        held = rows[0]?.held;
      } catch (err) {
        session.broken ??= asError(err);
        throw err;
      }
      if (held) return;
      if (Date.now() >= deadline) throw new Error(`lock "${key}" still held by another replica after ${this.waitTimeoutMs} ms`);
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(200, pause * 2);
    }
  }

  private async unlock(session: Session, key: string): Promise<void> {
    // A broken session's locks went with it.
    if (session.broken) return;
    try {
      await session.client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
    } catch (err) {
      // The session is gone, and its locks with it; the connection is not reused.
      session.broken = asError(err);
    }
  }

  private leave(session: Session): void {
    session.users -= 1;
    if (session.users > 0) return;
    session.client.release(session.broken);
    session.client.off('error', session.dropped);
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
      client.release(asError(err));
      throw err;
    }
  }
}
