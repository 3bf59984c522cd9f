import { z } from 'zod';
import { intInRange } from '../env.js';

/**
 * Where replicas coordinate (README "Several replicas"). REDIS_URL: locks, pub/sub, rate limits and
 * job ticks in Redis. Else DATABASE_URL=postgres://…: the same in PostgreSQL. Neither: in this
 * process (one replica). DATABASE_URL is the core section's (the stores and coordination share it).
 */
const urlWithScheme = (schemes: string[], hint: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = (v ?? '').trim();
      if (s === '') return undefined;
      let scheme: string;
      try {
        scheme = new URL(s).protocol.replace(/:$/, '').toLowerCase();
      } catch {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a URL; expected ${hint}` });
        return z.NEVER;
      }
      if (!schemes.includes(scheme)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected ${hint}, got a ${scheme}: URL` });
        return z.NEVER;
      }
      return s;
    });

export const coordinationSchema = z
  .object({
    REDIS_URL: urlWithScheme(['redis', 'rediss'], 'redis://[user:password@]host:port[/db] or rediss://…'),
    /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
    REDIS_KEY_PREFIX: z
      .string()
      .optional()
      .transform((v) => (v?.trim() ? v.trim() : 'helpdesk:'))
      .pipe(z.string().max(64).regex(/^[A-Za-z0-9:_.-]+$/, 'letters, digits, ":", "_", "." or "-", up to 64')),
    /**
     * Coordination on PostgreSQL: connections of one replica for turn locks (one per turn in flight),
     * pub/sub and job claims. Replicas × (this + DATABASE_POOL_SIZE) must stay under max_connections.
     */
    COORDINATION_POOL_SIZE: intInRange(20, 2, 500),
  })
  .transform((e) => ({ redisUrl: e.REDIS_URL, redisKeyPrefix: e.REDIS_KEY_PREFIX, poolSize: e.COORDINATION_POOL_SIZE }));

export type CoordinationConfig = z.output<typeof coordinationSchema>;
