import { z } from 'zod';
import { httpUrl, intInRange, optionalString } from '../env.js';

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
  })
  .transform((e) => ({
    passwordResetUrl: e.PASSWORD_RESET_URL ?? 'https://aka.ms/sspr',
    mfaSetupUrl: e.MFA_SETUP_URL ?? 'https://aka.ms/mfasetup',
    serviceDeskContact: e.SERVICE_DESK_CONTACT,
    flowTimeoutMinutes: e.FLOW_TIMEOUT_MINUTES,
    transcriptTurns: e.ESCALATION_TRANSCRIPT_TURNS,
  }));

export type DialogueConfig = z.output<typeof dialogueSchema>;
