import { randomUUID } from 'node:crypto';
import type { ChangeSignal, Coordination, JobClaims, KeyedLock, MessageBus } from '../engine/ports/coordination.js';
import type { Logger } from '../log.js';
import { inProcessCoordination } from '../storage/in-process/coordination.js';
import { pgCoordination } from '../storage/postgres/coordination.js';
import { createPgPool, isPostgresUrl } from '../storage/postgres/pool.js';
import { connectRedis } from '../storage/redis/client.js';
import { redisCoordination } from '../storage/redis/coordination.js';

/**
 * Picks the coordination backend: Redis when REDIS_URL is set, else PostgreSQL when DATABASE_URL
 * is a postgres:// URL, else in-process (one replica, SQLite). Locks, pub/sub, rate limits and job
 * ticks then go through whichever was chosen; nothing else in the app knows which.
 */
export interface CoordinationSettings {
  redisUrl?: string;
  redisKeyPrefix?: string;
  databaseUrl?: string;
  /** COORDINATION_POOL_SIZE: PostgreSQL connections for coordination (default 20). */
  poolSize?: number;
}

/** PostgreSQL connections of one replica for coordination's short queries, besides COORDINATION_POOL_SIZE for the locks. */
export const COORDINATION_QUERY_CONNECTIONS = 4;

export async function createCoordination(settings: CoordinationSettings, logger: Logger): Promise<Coordination> {
  const onError = (err: Error): void => logger.warn({ err: err.message }, 'coordination backend error');
  if (settings.redisUrl) {
    return redisCoordination(await connectRedis(settings.redisUrl, onError), { ownsClient: true, ...(settings.redisKeyPrefix ? { prefix: settings.redisKeyPrefix } : {}), onLost: (key) => logger.warn({ key }, 'turn lock lease lost while the turn ran') });
  }
  if (isPostgresUrl(settings.databaseUrl)) {
    // Pools of its own, not the stores': each turn in flight holds one connection for its
    // conversation's lock while it queries the stores, so sharing one pool could starve those queries.
    // The locks get COORDINATION_POOL_SIZE connections; more turns in flight than that wait for one
    // (up to the lock's own 120 s), not fail after 10 s. The short queries (rate limits inside a turn,
    // job claims, the bus and its LISTEN connection) have a small pool apart, so turns holding every
    // lock connection never wait on themselves.
    const locks = createPgPool(settings.databaseUrl, { max: settings.poolSize ?? 20, applicationName: 'helpdesk-bot coordination locks', connectionTimeoutMs: 120_000 });
    const queries = createPgPool(settings.databaseUrl, { max: COORDINATION_QUERY_CONNECTIONS, applicationName: 'helpdesk-bot coordination' });
    try {
      return await pgCoordination(queries, { ownsPool: true, lockPool: locks, onError });
    } catch (err) {
      await Promise.all([locks.end(), queries.end()]);
      throw err;
    }
  }
  return inProcessCoordination();
}

/**
 * A change signal over the bus: every replica but the sender hears it (the id in the message says
 * who sent it). A replica whose bus connection came back may have missed a signal, so it hears one
 * then too.
 */
export function busChangeSignal(bus: MessageBus, topic: string, replicaId: string = randomUUID()): ChangeSignal {
  return {
    notify: () => bus.publish(topic, replicaId),
    onChange: (listener) =>
      bus.subscribe(
        topic,
        (from) => {
          if (from !== replicaId) listener();
        },
        listener,
      ),
  };
}

export interface SingletonJobOptions {
  jobs: JobClaims;
  /**
   * Runs each claimed tick under this lock (key `job:<name>`), so a run that outlasts its interval
   * is not joined by another replica's run of the next tick: that one waits for it.
   */
  lock?: KeyedLock;
  /** Job name, the same on every replica. */
  name: string;
  intervalMs: number;
  /** Also try once now (a start-up run), still once across replicas. */
  runAtStart?: boolean;
  work: () => Promise<unknown>;
  onError?: (err: unknown) => void;
  now?: () => number;
}

/**
 * A scheduled job that runs once per tick across replicas instead of once per replica: every
 * replica's timer fires, the tick is the wall-clock interval number, and only the replica that
 * claims the tick runs the job. Runs of this replica never overlap (a tick that comes while the
 * previous run is still going is skipped here); with `lock`, runs of different replicas do not
 * either (another replica's claim of the next tick waits for the run in progress).
 */
export function scheduleSingleton(options: SingletonJobOptions): () => Promise<void> {
  const now = options.now ?? Date.now;
  let running: Promise<void> | undefined;
  /** This replica's run in progress (not a claim still waiting for another replica's run). */
  let working: Promise<unknown> | undefined;
  let stopped = false;
  const work = (): Promise<unknown> => {
    if (stopped) return Promise.resolve();
    working = options.work();
    return working;
  };
  const fire = (): void => {
    if (running) return;
    running = (async () => {
      const tick = Math.floor(now() / options.intervalMs);
      if (!(await options.jobs.claim(options.name, tick))) return;
      if (options.lock) await options.lock.run(`job:${options.name}`, work);
      else await work();
    })()
      .catch((err: unknown) => {
        if (!stopped) options.onError?.(err);
      })
      .finally(() => {
        running = undefined;
        working = undefined;
      });
  };
  const timer = setInterval(fire, options.intervalMs);
  timer.unref();
  if (options.runAtStart) fire();
  return async () => {
    clearInterval(timer);
    if (!options.lock) {
      await running;
      return;
    }
    // A run of this replica is waited for; a claim still waiting for another replica's run is not
    // (it would hold a shutdown for as long as that run): it gives up without running once it gets the lock.
    stopped = true;
    await working?.catch(() => undefined);
  };
}
