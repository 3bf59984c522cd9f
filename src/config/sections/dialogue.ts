import { z } from 'zod';
import { httpUrl, intInRange, optionalString } from '../env.js';

/** Where requests that are not IT problems go: a portal per kind, with its name in each language. */
const portalSchema = z
  .object({
    url: z.string().url().refine((u) => /^https?:\/\//i.test(u), 'expected an http(s) URL'),
    label: z.object({ en: z.string().min(1).max(120), fr: z.string().min(1).max(120) }).partial().strict().optional(),
  })
  .strict();
export const requestPortalsSchema = z.object({ purchase: portalSchema, hr: portalSchema, facilities: portalSchema }).partial().strict();
export type RequestPortals = z.infer<typeof requestPortalsSchema>;

const requestPortals = z
  .string()
  .optional()
  .transform((v, ctx): RequestPortals => {
    if (v === undefined || v.trim() === '') return {};
    let json: unknown;
    try {
      json = JSON.parse(v);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected JSON such as {"hr":{"url":"https://hr.example.com","label":{"en":"the HR portal","fr":"le portail RH"}}}' });
      return z.NEVER;
    }
    const parsed = requestPortalsSchema.safeParse(json);
    if (!parsed.success) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ') });
      return z.NEVER;
    }
    return parsed.data;
  });

/** Settings of the conversation engine (dialogue, guided fixes, escalation). */
export const dialogueSchema = z
  .object({
    /** Self-service password reset portal the password flows send people to (the bot never handles passwords). */
    PASSWORD_RESET_URL: httpUrl,
    /** Where employees register or move their MFA methods (Security info page). */
    MFA_SETUP_URL: httpUrl,
    /** How to reach the Service Desk by phone or otherwise, shown with urgent escalations, e.g. "+33 1 23 45 67 89". */
    SERVICE_DESK_CONTACT: optionalString,
    /** Minutes of silence after which a guided fix is closed with a polite follow-up. */
    FLOW_TIMEOUT_MINUTES: intInRange(30, 1, 7 * 24 * 60),
    /** Most recent turns copied into an escalation packet's transcript. */
    ESCALATION_TRANSCRIPT_TURNS: intInRange(40, 5, 500),
    /** Portals for purchases (hardware, software), HR and facilities requests, which are not IT problems. */
    REQUEST_PORTALS: requestPortals,
  })
  .transform((e) => ({
    passwordResetUrl: e.PASSWORD_RESET_URL ?? 'https://aka.ms/sspr',
    mfaSetupUrl: e.MFA_SETUP_URL ?? 'https://aka.ms/mfasetup',
    serviceDeskContact: e.SERVICE_DESK_CONTACT,
    flowTimeoutMinutes: e.FLOW_TIMEOUT_MINUTES,
    transcriptTurns: e.ESCALATION_TRANSCRIPT_TURNS,
    requestPortals: e.REQUEST_PORTALS,
  }));

export type DialogueConfig = z.output<typeof dialogueSchema>;
