import { z } from 'zod';
import { intInRange } from '../env.js';

/** Protection of the service against floods. Documented in .env.example ("Limits"). */
export const limitsSchema = z
  .object({
    /** Messages (and button presses) a user may send in a row before being asked to slow down; 0 turns the limit off. */
    RATE_LIMIT_BURST: intInRange(10, 0, 10_000),
    /** How many more messages per minute a user earns back once the burst is spent. */
    RATE_LIMIT_PER_MINUTE: intInRange(20, 1, 60_000),
    /** Web chat requests per client address in a row (all identities behind it together); 0 turns it off. */
    RATE_LIMIT_ADDRESS_BURST: intInRange(60, 0, 100_000),
    RATE_LIMIT_ADDRESS_PER_MINUTE: intInRange(120, 1, 600_000),
    /** Tickets a user may open in a row; 0 turns the limit off. */
    TICKET_RATE_LIMIT_BURST: intInRange(3, 0, 1_000),
    /** Tickets per hour a user earns back once the burst is spent. */
    TICKET_RATE_LIMIT_PER_HOUR: intInRange(6, 1, 10_000),
    /** Open web chat event streams (SSE) at most, in total and per client address; over it, 429. */
    SSE_MAX_STREAMS: intInRange(1000, 1, 100_000),
    SSE_MAX_STREAMS_PER_CLIENT: intInRange(10, 1, 10_000),
    /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
    METRICS_TOKEN: z.string().trim().min(16, 'METRICS_TOKEN: use at least 16 characters').optional().or(z.literal('').transform(() => undefined)),
  })
  .transform((e) => ({
    rateLimit: e.RATE_LIMIT_BURST > 0 ? { burst: e.RATE_LIMIT_BURST, perMinute: e.RATE_LIMIT_PER_MINUTE } : undefined,
    addressRateLimit: e.RATE_LIMIT_ADDRESS_BURST > 0 ? { burst: e.RATE_LIMIT_ADDRESS_BURST, perMinute: e.RATE_LIMIT_ADDRESS_PER_MINUTE } : undefined,
    ticketRateLimit: e.TICKET_RATE_LIMIT_BURST > 0 ? { burst: e.TICKET_RATE_LIMIT_BURST, perMinute: e.TICKET_RATE_LIMIT_PER_HOUR / 60 } : undefined,
    sse: { maxStreams: e.SSE_MAX_STREAMS, maxPerClient: e.SSE_MAX_STREAMS_PER_CLIENT },
    metricsToken: e.METRICS_TOKEN,
  }));

export type LimitsConfig = z.output<typeof limitsSchema>;
