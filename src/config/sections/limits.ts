import { z } from 'zod';
import { intInRange } from '../env.js';

/** Protection of the service against floods. Documented in .env.example ("Limits"). */
export const limitsSchema = z
  .object({
    /** Messages (and button presses) a user may send in a row before being asked to slow down; 0 turns the limit off. */
    RATE_LIMIT_BURST: intInRange(10, 0, 10_000),
    /** How many more messages per minute a user earns back once the burst is spent. */
    RATE_LIMIT_PER_MINUTE: intInRange(20, 1, 60_000),
  })
  .transform((e) => ({
    rateLimit: e.RATE_LIMIT_BURST > 0 ? { burst: e.RATE_LIMIT_BURST, perMinute: e.RATE_LIMIT_PER_MINUTE } : undefined,
  }));

export type LimitsConfig = z.output<typeof limitsSchema>;
