import { randomUUID } from 'node:crypto';
import { KeyedMutex } from '../../engine/dialogue/mutex.js';
import type { KeyedLock } from '../../engine/ports/coordination.js';
import type { RedisClient } from './client.js';

/** Deletes or extends the key only while it still holds our token: never another holder's lock. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export interface RedisLockOptions {
  prefix?: string;
  /** How long a lock outlives its holder's last renewal (a killed replica's lock frees after this). */
  leaseMs?: number;
  waitTimeoutMs?: number;
  onLost?: (key: string) => void;
}

/**
 * SET key token NX PX lease, renewed every third of the lease while the work runs, released with a
 * compare-and-delete script. A replica that dies stops renewing: its lock expires after the lease.
 * Waiters of this replica queue in memory first (FIFO, one poller per key and replica).
 */
export class RedisKeyedLock implements KeyedLock {
  private readonly local = new KeyedMutex();
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly waitTimeoutMs: number;

  constructor(
    private readonly client: RedisClient,
    private readonly options: RedisLockOptions = {},
  ) {
    this.prefix = `${options.prefix ?? 'helpdesk:'}lock:`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 120_000;
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const name = this.prefix + key;
      const token = randomUUID();
      await this.acquire(name, token);
      const renew = setInterval(() => {
        this.client
          .eval(EXTEND, { keys: [name], arguments: [token, String(this.leaseMs)] })
          .then((extended) => {
            if (extended !== 1) this.options.onLost?.(key);
          })
          .catch(() => undefined);
      }, Math.max(10, Math.floor(this.leaseMs / 3)));
      renew.unref();
      try {
        return await work();
      } finally {
        clearInterval(renew);
        await this.client.eval(RELEASE, { keys: [name], arguments: [token] }).catch(() => undefined);
      }
    });
  }

  private async acquire(name: string, token: string): Promise<void> {
    const deadline = Date.now() + this.waitTimeoutMs;
    let pause = 5;
    for (;;) {
      const set = await this.client.set(name, token, { condition: 'NX', expiration: { type: 'PX', value: this.leaseMs } });
      if (set === 'OK') return;
      if (Date.now() >= deadline) throw new Error(`lock "${name}" still held by another replica after ${this.waitTimeoutMs} ms`);
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(200, pause * 2);
    }
  }
}
