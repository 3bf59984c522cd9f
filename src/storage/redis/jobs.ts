import type { JobClaims } from '../../engine/ports/coordination.js';
import type { RedisClient } from './client.js';

/** Moves the job's tick forward only when the new one is newer; the one script run that does returns 1. */
const CLAIM = `
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if current >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

export class RedisJobClaims implements JobClaims {
  private readonly prefix: string;

  constructor(
    private readonly client: RedisClient,
    prefix = 'helpdesk:',
  ) {
    this.prefix = `${prefix}job:`;
  }

  async claim(job: string, tick: number): Promise<boolean> {
    return Number(await this.client.eval(CLAIM, { keys: [this.prefix + job], arguments: [String(tick)] })) === 1;
  }
}
