import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Coordination } from '../../src/engine/ports/coordination.js';
import { inProcessCoordination, InProcessState } from '../../src/storage/in-process/coordination.js';
import { pgCoordination } from '../../src/storage/postgres/coordination.js';
import { connectRedis, type RedisClient } from '../../src/storage/redis/client.js';
import { redisCoordination } from '../../src/storage/redis/coordination.js';
import { createTestDatabase, withAdmin, type TestDatabase } from './postgres.js';

/**
 * "Replicas" of one coordination backend for the contract suite: each replica() is a separate
 * pool or client on the same server (a fresh database, or a unique Redis key prefix), so what one
 * does is seen by the others only through the server. kill() destroys a replica's connections
 * the way a `kill -9` would.
 */
export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Replica {
  coordination: Coordination;
  kill(): Promise<void>;
}

export interface BackendCluster {
  replica(): Promise<Replica>;
  /** Closes every replica and drops the database / deletes the keys. */
  dispose(): Promise<void>;
}

export interface Backend {
  name: string;
  /** Whether a replica can die while the others live (not in one process). */
  canKill: boolean;
  cluster(): Promise<BackendCluster>;
}

/** A fresh PostgreSQL database for one cluster (see createTestDatabase). */
export const freshDatabase = (): Promise<TestDatabase> => createTestDatabase('coord');

export const inProcessBackend: Backend = {
  name: 'in-process',
  canKill: false,
  async cluster() {
    const state = new InProcessState();
    return {
      async replica() {
        return { coordination: inProcessCoordination(state), kill: async () => undefined };
      },
      async dispose() {},
    };
  },
};

export const postgresBackend: Backend = {
  name: 'postgres',
  canKill: true,
  async cluster() {
    const db = await freshDatabase();
    const pools: pg.Pool[] = [];
    const replicas: Coordination[] = [];
    return {
      async replica() {
        const pool = new pg.Pool({ connectionString: db.url, max: 5 });
        pool.on('error', () => undefined);
        const pids = new Set<number>();
        pool.on('connect', (client) => {
          client.on('error', () => undefined);
          const pid = (client as unknown as { processID?: number }).processID;
          if (pid) pids.add(pid);
        });
        pools.push(pool);
        const coordination = await pgCoordination(pool, { waitTimeoutMs: 60_000 });
        replicas.push(coordination);
        return {
          coordination,
          // Every backend of this replica's pool is terminated by the server, as when its host dies.
          kill: () => withAdmin((c) => c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[])', [[...pids]])).then(() => undefined),
        };
      },
      async dispose() {
        for (const r of replicas) await r.close().catch(() => undefined);
        for (const p of pools) await p.end().catch(() => undefined);
        await db.drop();
      },
    };
  },
};

export const redisBackend: Backend = {
  name: 'redis',
  canKill: true,
  async cluster() {
    const prefix = `test:${randomBytes(6).toString('hex')}:`;
    const clients: RedisClient[] = [];
    const replicas: Coordination[] = [];
    return {
      async replica() {
        const client = await connectRedis(REDIS_TEST_URL);
        clients.push(client);
        // A short lease, so a dead holder's lock frees quickly in the test.
        const coordination = redisCoordination(client, { prefix, leaseMs: 600 });
        replicas.push(coordination);
        return {
          coordination,
          kill: async () => {
            await coordination.close().catch(() => undefined);
            client.destroy();
          },
        };
      },
      async dispose() {
        for (const r of replicas) await r.close().catch(() => undefined);
        const cleaner = await connectRedis(REDIS_TEST_URL);
        for await (const keys of cleaner.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) if (keys.length) await cleaner.del(keys);
        await cleaner.quit();
        for (const c of clients) if (c.isOpen) await c.quit().catch(() => undefined);
      },
    };
  },
};

export const BACKENDS: Backend[] = [inProcessBackend, postgresBackend, redisBackend];
