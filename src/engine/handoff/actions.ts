import { z } from 'zod';
import type { ActionPayload } from '../contract.js';
import { fold } from '../dialogue/text.js';

/**
 * What technicians and users can do during a live handoff: the technicians' buttons (the card's
 * "Take it", then "Close" and "Hand back to bot" in the thread), the same as thread commands, and
 * the user's words for ending the talk. Channels route every click whose `action` starts with
 * "handoff." to the relay (src/channels/technicians.ts).
 */
export const TAKE_HANDOFF_ACTION = 'handoff.take';
export const CLOSE_HANDOFF_ACTION = 'handoff.close';
export const HAND_BACK_ACTION = 'handoff.handback';

export type TechnicianCommand = 'take' | 'close' | 'hand_back';

const COMMAND_OF: Record<string, TechnicianCommand> = {
  [TAKE_HANDOFF_ACTION]: 'take',
  [CLOSE_HANDOFF_ACTION]: 'close',
  [HAND_BACK_ACTION]: 'hand_back',
};

const technicianPayloadSchema = z
  .object({
    action: z.enum([TAKE_HANDOFF_ACTION, CLOSE_HANDOFF_ACTION, HAND_BACK_ACTION]),
    escalationId: z.string().min(1).max(120),
  })
  .passthrough();

/** A technician's button press, validated (it came from the outside world). */
export function parseTechnicianPayload(payload: unknown): { command: TechnicianCommand; escalationId: string } | undefined {
  const parsed = technicianPayloadSchema.safeParse(payload);
  if (!parsed.success) return undefined;
  return { command: COMMAND_OF[parsed.data.action] as TechnicianCommand, escalationId: parsed.data.escalationId };
}

export function technicianPayload(command: Exclude<TechnicianCommand, 'take'>, escalationId: string): ActionPayload {
  return { action: command === 'close' ? CLOSE_HANDOFF_ACTION : HAND_BACK_ACTION, escalationId };
}

/** Thread commands, in English and French, alone on their line ("close", "!close", "hand back to bot", "rendre la main"). */
const COMMANDS: Array<[TechnicianCommand, RegExp]> = [
  ['take', /^(?:take|take it|i take it|i'll take it|prendre|je prends|je le prends)$/],
  ['close', /^(?:close|close it|closed|done|resolved|fermer|clore|clos|cloturer|termine|terminer|resolu)$/],
  [
    'hand_back',
    /^(?:hand ?back|hand (?:it )?back to (?:the )?bot|back to (?:the )?bot|give back to (?:the )?bot|rendre la main|rendre la main au bot|rendre au bot|retour au bot)$/,
  ],
];


/** fold() drops punctuation, so "!close", "/close" and "Close." all read "close". */
export function technicianCommand(text: string): TechnicianCommand | undefined {
  const t = fold(text);
  return COMMANDS.find(([, re]) => re.test(t))?.[0];
}

/** The user's words for ending the talk with the technician (besides "cancel", "stop" and the like). */
const USER_END = /^(?:end|end chat|end the chat|end conversation|end the conversation|terminer|terminer la conversation|fin|fin de la conversation|arreter)$/;

export function userWantsToEnd(text: string): boolean {
  return USER_END.test(fold(text));
}

/** A typed rating: "4", "4/5", "4 sur 5", "4 stars", "4 étoiles". */
export function typedRating(text: string): number | undefined {
  const m = /^([1-5])(?: (?:sur )?5)?(?: (?:stars?|etoiles?))?$/.exec(fold(text));
  return m ? Number(m[1]) : undefined;
}
