import type { RateLimitSpec, SharedRateLimiter, TakeResult } from '../../engine/ports/coordination.js';
import type { RedisClient } from './client.js';

/**
 * The token bucket as a theoretical arrival time (GCRA), as the PostgreSQL limiter and in memory:
 * returns 0 when taken, else the milliseconds until a token is back. One key per bucket, expiring
 * when the bucket would be full again (an idle user costs nothing).
 */
const TAKE = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
local nextTat = tat + interval
-- 0.001: repeated additions of a fractional interval must not refuse the burst's last token
if nextTat - now > capacity + 0.001 then return nextTat - now - capacity end
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.max(1, math.ceil(nextTat - now)))
return 0`;

export class RedisRateLimiter implements SharedRateLimiter {
  private readonly intervalMs: number;
  private readonly capacityMs: number;
  private readonly prefix: string;

  constructor(
    private readonly client: RedisClient,
    name: string,
    spec: RateLimitSpec,
    prefix = 'helpdesk:',
    private readonly now: () => number = Date.now,
  ) {
    // Not rounded: at high rates an interval is under a millisecond.
    this.intervalMs = 60_000 / spec.perMinute;
    this.capacityMs = spec.burst * this.intervalMs;
    this.prefix = `${prefix}rate:${name}:`;
  }

  async take(key: string): Promise<TakeResult> {
    const waitMs = Number(
      await this.client.eval(TAKE, { keys: [this.prefix + key], arguments: [String(Math.round(this.now())), String(this.intervalMs), String(this.capacityMs)] }),
    );
    if (waitMs <= 0) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
