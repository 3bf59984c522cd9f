import { z } from 'zod';
import { intInRange, optionalString } from '../env.js';

/**
 * The technician console at /admin. It is off unless ADMIN_TOKEN is set: a console that could edit
 * the knowledge base must never be reachable with a default or generated secret nobody chose.
 */
const token = optionalString.superRefine((v, ctx) => {
  if (v !== undefined && v.length < 16) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be at least 16 characters (e.g. `openssl rand -hex 24`)' });
  }
});

const cookieSecure = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const s = (v ?? '').trim().toLowerCase();
    if (s === '' || s === 'auto') return 'auto' as const;
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected auto, true or false, got "${v}"` });
    return z.NEVER;
  });

export const consoleSchema = z
  .object({
    ADMIN_TOKEN: token,
    ADMIN_SESSION_HOURS: intInRange(12, 1, 24 * 30),
    ADMIN_COOKIE_SECURE: cookieSecure,
    /** Questions decided below this confidence are listed under Gaps (besides escalations and 👎). */
    CONSOLE_GAP_CONFIDENCE: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v.trim() === '') return 0.5;
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0 || n > 1) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a number between 0 and 1, got "${v}"` });
          return z.NEVER;
        }
        return n;
      }),
  })
  .transform((e) => ({
    /** Undefined: the console is disabled. */
    adminToken: e.ADMIN_TOKEN,
    sessionHours: e.ADMIN_SESSION_HOURS,
    /** 'auto': Secure cookies when PUBLIC_URL is https. */
    cookieSecure: e.ADMIN_COOKIE_SECURE,
    gapConfidence: e.CONSOLE_GAP_CONFIDENCE,
  }));

export type ConsoleConfig = z.output<typeof consoleSchema>;
