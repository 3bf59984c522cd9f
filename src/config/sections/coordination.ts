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
     * PostgreSQL connections one replica may hold for coordination (a turn in flight holds one):
     * N replicas × (this + the stores' 10) must fit the server's max_connections (100 by default).
     */
    COORDINATION_POOL_MAX: intInRange(40, 2, 1000),
  })
  .transform((e) => ({ redisUrl: e.REDIS_URL, redisKeyPrefix: e.REDIS_KEY_PREFIX, poolMax: e.COORDINATION_POOL_MAX }));

export type CoordinationConfig = z.output<typeof coordinationSchema>;
