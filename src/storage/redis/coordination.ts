import type { Coordination, RateLimitSpec } from '../../engine/ports/coordination.js';
import { RedisMessageBus } from './bus.js';
import type { RedisClient } from './client.js';
import { RedisJobClaims } from './jobs.js';
import { RedisKeyedLock, type RedisLockOptions } from './lock.js';
import { RedisRateLimiter } from './rate-limit.js';

export interface RedisCoordinationOptions extends RedisLockOptions {
  /** Quits the client on close() (true when it was opened for coordination alone). */
  ownsClient?: boolean;
}

/** Coordination on Redis (REDIS_URL): locks with leases, pub/sub, GCRA rate limits, job ticks. */
export function redisCoordination(client: RedisClient, options: RedisCoordinationOptions = {}): Coordination {
  const prefix = options.prefix ?? 'helpdesk:';
  const bus = new RedisMessageBus(client, prefix);
  return {
    backend: 'redis',
    lock: new RedisKeyedLock(client, options),
    bus,
    limiter: (name: string, spec: RateLimitSpec) => new RedisRateLimiter(client, name, spec, prefix),
    jobs: new RedisJobClaims(client, prefix),
    async close() {
      await bus.close();
      if (options.ownsClient && client.isOpen) await client.quit();
    },
  };
}
