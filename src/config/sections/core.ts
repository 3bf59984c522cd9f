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

/**
 * Where the state lives: unset, the embedded SQLite database in DATA_DIR; a postgres:// (or
 * postgresql://) URL, a PostgreSQL server shared by every replica. Anything else is refused here,
 * with the reason, before anything starts.
 */
const databaseUrl = z
  .string()
  .optional()
  .transform((v, ctx): URL | undefined => {
    const s = (v ?? '').trim();
    if (s === '') return undefined;
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected a postgres:// URL (e.g. postgres://user@127.0.0.1:5432/helpdesk), got something that is not a URL' });
      return z.NEVER;
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a postgres:// or postgresql:// URL, got a ${url.protocol}// URL (leave DATABASE_URL unset for SQLite in DATA_DIR)` });
      return z.NEVER;
    }
    if (!url.hostname && !url.searchParams.get('host')) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'the postgres:// URL names no host' });
      return z.NEVER;
    }
    return url;
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
    DATABASE_URL: databaseUrl,
    /** PostgreSQL connections the stores of one replica may hold (coordination has its own pool). */
    DATABASE_POOL_SIZE: intInRange(10, 1, 500),
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
    databasePoolSize: e.DATABASE_POOL_SIZE,
  }));

export type CoreConfig = z.output<typeof coreSchema>;
