import { z } from 'zod';
import { isIP } from 'node:net';
import { intInRange, optionalString, httpUrl } from '../env.js';

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Which reverse proxies' X-Forwarded-For is believed (express "trust proxy"): off by default, so
 * a client cannot pick the address its rate limits and sign-in lockout are counted under.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((v, ctx): boolean | number | string[] => {
    const s = (v ?? '').trim();
    if (s === '' || ['false', '0', 'no', 'off'].includes(s.toLowerCase())) return false;
    if (/^[1-9]\d?$/.test(s)) return Number(s);
    const entries = s.split(',').map((e) => e.trim()).filter(Boolean);
    for (const e of entries) {
      const [ip, bits] = e.split('/');
      if (PROXY_NAMES.has(e.toLowerCase()) || (ip && isIP(ip) && (bits === undefined || /^\d{1,3}$/.test(bits)))) continue;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected false, a number of hops, or addresses / CIDR ranges / loopback, linklocal, uniquelocal; got "${e}"` });
      return z.NEVER;
    }
    return entries;
  });

/** A PostgreSQL connection URL; anything else is refused rather than silently ignored. */
const databaseUrl = z
  .string()
  .optional()
  .transform((v, ctx): string | undefined => {
    const s = (v ?? '').trim();
    if (s === '') return undefined;
    let u: URL | undefined;
    try {
      u = new URL(s);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') || !u.hostname) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected a PostgreSQL URL such as postgres://user@host:5432/helpdesk (unset: SQLite in DATA_DIR)' });
      return z.NEVER;
    }
    return s;
  });

export const coreSchema = z
  .object({
    PORT: intInRange(3978, 0, 65535),
    DATA_DIR: optionalString,
    KB_DIR: optionalString,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Public https base URL of this server (tunnel or ingress), used in app manifests and links. */
    PUBLIC_URL: httpUrl,
    /** Interface to listen on; unset: loopback in local mode (no Bot Framework credentials), every interface otherwise. */
    HOST: optionalString,
    TRUST_PROXY: trustProxy,
    /** postgres://… puts the shared state on PostgreSQL (several replicas); unset: SQLite in DATA_DIR. */
    DATABASE_URL: databaseUrl,
  })
  .transform((e) => ({
    port: e.PORT,
    dataDir: e.DATA_DIR ?? './data',
    kbDir: e.KB_DIR ?? './knowledge',
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PUBLIC_URL,
    host: e.HOST,
    trustProxy: e.TRUST_PROXY,
    databaseUrl: e.DATABASE_URL,
  }));

export type CoreConfig = z.output<typeof coreSchema>;
