import { z } from 'zod';
import { PRIORITIES } from '../escalation/packet.js';

/**
 * Guided fixes as code: one YAML file per flow in `knowledge/flows/`. A flow is a small graph of
 * steps; every string a user reads has an `en` and a `fr` version. Texts may use placeholders:
 * `{passwordResetUrl}`, `{mfaSetupUrl}`, `{serviceDesk}`, `{userName}` and the `var` of any
 * earlier `input` step.
 */

const text = z
  .object({ en: z.string().trim().min(1, 'English text is empty'), fr: z.string().trim().min(1, 'French text is empty') })
  .strict();
export type LocalizedText = z.infer<typeof text>;

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');
const stepRef = id;

const say = z
  .object({
    id,
    type: z.literal('say'),
    text,
    /** Rendered as a numbered list under the text. */
    steps: z.array(text).min(1).optional(),
    next: stepRef,
  })
  .strict();

const option = z
  .object({
    id,
    label: text,
    /** Exactly one of: the next step, or another flow to start. */
    next: stepRef.optional(),
    flow: id.optional(),
    /** Shown only when this integration action is available to the user (connector configured, verified identity). */
    requires: z.string().regex(/^[a-z][a-zA-Z0-9]*\.[a-z][a-zA-Z0-9]*$/, 'expected "<integration>.<action>"').optional(),
  })
  .strict()
  .refine((o) => (o.next === undefined) !== (o.flow === undefined), { message: 'an option needs exactly one of "next" or "flow"' });

const choice = z
  .object({ id, type: z.literal('choice'), text, options: z.array(option).min(2).max(6) })
  .strict();

const input = z
  .object({
    id,
    type: z.literal('input'),
    text,
    /** Name under which the answer is kept for later texts ("{assetTag}") and the escalation packet. */
    var: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'use letters and digits, starting with a letter'),
    validate: z
      .object({
        /** JavaScript regular expression the whole (trimmed) answer must match. */
        pattern: z.string().optional(),
        /** Case-insensitive match. */
        ignoreCase: z.boolean().optional(),
        maxLength: z.number().int().positive().max(2000).optional(),
        error: text,
      })
      .strict()
      .optional(),
    next: stepRef,
  })
  .strict();

const check = z
  .object({ id, type: z.literal('check'), text, yes: stepRef, no: stepRef })
  .strict();

const action = z
  .object({
    id,
    type: z.literal('action'),
    /** Said before the action runs, e.g. "Unlocking your account…". */
    text: text.optional(),
    /** Named integration action, e.g. directory.unlockAccount. */
    action: z.string().regex(/^[a-z][a-zA-Z0-9]*\.[a-z][a-zA-Z0-9]*$/, 'expected "<integration>.<action>", e.g. directory.unlockAccount'),
    params: z.record(z.string()).default({}),
    ok: stepRef,
    fail: stepRef,
  })
  .strict();

const escalate = z
  .object({
    id,
    type: z.literal('escalate'),
    /** What the user is told before being asked to confirm the ticket. */
    text,
    /** Why, for the technician (goes into the ticket). */
    reason: text,
    priority: z.enum(PRIORITIES),
    /** Support queue / assignment group, e.g. "identity", "network", "workplace". */
    queue: z.string().min(1),
  })
  .strict();

const resolve = z.object({ id, type: z.literal('resolve'), text }).strict();

export const flowStepSchema = z.discriminatedUnion('type', [say, choice, input, check, action, escalate, resolve]);
export type FlowStep = z.infer<typeof flowStepSchema>;
export type StepOfType<T extends FlowStep['type']> = Extract<FlowStep, { type: T }>;

export const flowSchema = z
  .object({
    id,
    title: text,
    /** Ticket category when the flow escalates (same vocabulary as article categories). */
    category: z.string().min(1),
    /** Phrases that start the flow when a message is (nearly) exactly one of them. */
    triggers: z
      .object({ en: z.array(z.string().min(3)).default([]), fr: z.array(z.string().min(3)).default([]) })
      .strict()
      .optional(),
    start: stepRef,
    steps: z.array(flowStepSchema).min(1),
  })
  .strict();

export type Flow = z.infer<typeof flowSchema>;

/** Steps that wait for the user. */
export const WAITING_STEPS = new Set<FlowStep['type']>(['choice', 'input', 'check']);
/** Steps that end a flow. */
export const TERMINAL_STEPS = new Set<FlowStep['type']>(['escalate', 'resolve']);

/** The step ids a step can lead to, with the branch name. */
export function edgesOf(step: FlowStep): Array<{ branch: string; to: string; flow?: boolean }> {
  switch (step.type) {
    case 'say':
    case 'input':
      return [{ branch: 'next', to: step.next }];
    case 'choice':
      return step.options.map((o) => (o.flow ? { branch: o.id, to: o.flow, flow: true } : { branch: o.id, to: o.next as string }));
    case 'check':
      return [
        { branch: 'yes', to: step.yes },
        { branch: 'no', to: step.no },
      ];
    case 'action':
      return [
        { branch: 'ok', to: step.ok },
        { branch: 'fail', to: step.fail },
      ];
    case 'escalate':
    case 'resolve':
      return [];
  }
}
