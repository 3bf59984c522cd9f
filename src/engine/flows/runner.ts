import { z } from 'zod';
import type { ReplyPart } from '../contract.js';
import type { Lang } from '../lang.js';
import { interpolate, type Translator } from '../i18n.js';
import { payload } from '../dialogue/payload.js';
import { fold } from '../dialogue/text.js';
import type { ActionContext, ActionRegistry } from './actions.js';
import type { Flow, FlowStep, LocalizedText, StepOfType } from './schema.js';

/** A flow in progress, persisted after every turn so it survives a restart. */
export const flowRunSchema = z.object({
  runId: z.string(),
  flowId: z.string(),
  /** The step waiting for the user (or the last step reached). */
  stepId: z.string(),
  /** Nonce of the buttons currently on screen for this step. */
  nonce: z.string(),
  vars: z.record(z.string()),
  path: z.array(z.object({ stepId: z.string(), answer: z.string().optional(), at: z.string() })),
  startedAt: z.string(),
  updatedAt: z.string(),
});
export type FlowRun = z.infer<typeof flowRunSchema>;

export interface RunnerEnv {
  lang: Lang;
  /** Global placeholders: passwordResetUrl, mfaSetupUrl, serviceDesk, userName. */
  placeholders: Record<string, string>;
  actions: ActionRegistry;
  actionContext: ActionContext;
  t: Translator;
  now: () => string;
  nonce: () => string;
}

export type FlowOutcome =
  | { kind: 'waiting' }
  | { kind: 'resolved' }
  /** `reason` is the step's reason for the technician, placeholders filled. */
  | { kind: 'escalate'; step: StepOfType<'escalate'>; reason: string }
  | { kind: 'switch'; flowId: string };

export interface FlowTurn {
  run: FlowRun;
  parts: ReplyPart[];
  outcome: FlowOutcome;
}

export type FlowInput = { kind: 'option'; optionId: string } | { kind: 'yesno'; yes: boolean } | { kind: 'text'; text: string };

export type ContinueResult =
  | ({ kind: 'advanced' } & FlowTurn)
  /** The answer did not pass the input step's validation: the step is asked again. */
  | { kind: 'invalid'; run: FlowRun; parts: ReplyPart[] }
  /** The input does not fit the current step (a button of another step). */
  | { kind: 'mismatch' };

/** Safety net: lint rejects loops of non-waiting steps, this stops a flow that slipped through. */
const MAX_AUTOMATIC_STEPS = 50;

const stepById = (flow: Flow, id: string): FlowStep | undefined => flow.steps.find((s) => s.id === id);

function say(env: RunnerEnv, run: FlowRun, text: LocalizedText): string {
  return interpolate(text[env.lang], { ...env.placeholders, ...run.vars });
}

/** A choice's options this user may see: one that `requires` an action unavailable to them is hidden. */
export function visibleOptions(step: StepOfType<'choice'>, env: Pick<RunnerEnv, 'actions' | 'actionContext'>): StepOfType<'choice'>['options'] {
  return step.options.filter((o) => o.requires === undefined || env.actions.available(o.requires, env.actionContext));
}

function prompt(step: FlowStep, run: FlowRun, env: RunnerEnv): ReplyPart[] {
  switch (step.type) {
    case 'choice':
      return [
        {
          kind: 'choices',
          prompt: say(env, run, step.text),
          choices: visibleOptions(step, env).map((o) => ({
            label: say(env, run, o.label),
            value: payload({ a: 'flow.choice', s: step.id, o: o.id, n: run.nonce }),
          })),
        },
      ];
    case 'check':
      return [
        {
          kind: 'choices',
          prompt: say(env, run, step.text),
          choices: [
            { label: env.t.t(env.lang, 'common.yes'), value: payload({ a: 'flow.check', s: step.id, v: 'yes', n: run.nonce }), style: 'primary' },
            { label: env.t.t(env.lang, 'common.no'), value: payload({ a: 'flow.check', s: step.id, v: 'no', n: run.nonce }) },
          ],
        },
      ];
    case 'input':
      return [{ kind: 'text', text: say(env, run, step.text) }];
    default:
      return [];
  }
}

/** Runs automatic steps from `stepId` until one waits for the user or ends the flow. */
async function advance(flow: Flow, run: FlowRun, stepId: string, env: RunnerEnv, parts: ReplyPart[]): Promise<FlowTurn> {
  let id = stepId;
  for (let i = 0; i < MAX_AUTOMATIC_STEPS; i++) {
    const step = stepById(flow, id);
    if (!step) throw new Error(`flow ${flow.id}: step "${id}" does not exist`);
    const at = env.now();
    run = { ...run, stepId: step.id, updatedAt: at, path: [...run.path, { stepId: step.id, at }] };
    switch (step.type) {
      case 'say':
        parts.push({ kind: 'text', text: say(env, run, step.text) });
        if (step.steps) parts.push({ kind: 'steps', steps: step.steps.map((s) => say(env, run, s)) });
        id = step.next;
        break;
      case 'action': {
        if (step.text) parts.push({ kind: 'text', text: say(env, run, step.text) });
        const params = Object.fromEntries(Object.entries(step.params).map(([k, v]) => [k, interpolate(v, { ...env.placeholders, ...run.vars })]));
        const result = await env.actions.run(step.action, params, env.actionContext);
        run = withAnswer(run, result.detail ? `${result.outcome}: ${result.detail}` : result.outcome);
        if (result.message) parts.push({ kind: 'text', text: result.message });
        else if (result.outcome === 'not_configured') {
          parts.push({ kind: 'text', text: env.t.t(env.lang, 'dialogue.flow.action_not_configured') });
        }
        id = result.outcome === 'ok' ? step.ok : step.fail;
        break;
      }
      case 'choice':
      case 'check':
      case 'input':
        run = { ...run, nonce: env.nonce() };
        parts.push(...prompt(step, run, env));
        return { run, parts, outcome: { kind: 'waiting' } };
      case 'escalate':
        parts.push({ kind: 'text', text: say(env, run, step.text) });
        return { run, parts, outcome: { kind: 'escalate', step, reason: say(env, run, step.reason) } };
      case 'resolve':
        parts.push({ kind: 'text', text: say(env, run, step.text) });
        return { run, parts, outcome: { kind: 'resolved' } };
    }
  }
  throw new Error(`flow ${flow.id}: more than ${MAX_AUTOMATIC_STEPS} steps without waiting for the user`);
}

function withAnswer(run: FlowRun, answer: string): FlowRun {
  const path = [...run.path];
  const last = path[path.length - 1];
  if (last) path[path.length - 1] = { ...last, answer };
  return { ...run, path };
}

export async function startFlow(flow: Flow, runId: string, env: RunnerEnv): Promise<FlowTurn> {
  const at = env.now();
  const run: FlowRun = { runId, flowId: flow.id, stepId: flow.start, nonce: env.nonce(), vars: {}, path: [], startedAt: at, updatedAt: at };
  return advance(flow, run, flow.start, env, []);
}

/** The current step's question again (after a restart, or when the user's answer did not fit). */
export function repeatPrompt(flow: Flow, run: FlowRun, env: RunnerEnv): ReplyPart[] {
  const step = stepById(flow, run.stepId);
  return step ? prompt(step, run, env) : [];
}

export function currentStep(flow: Flow, run: FlowRun): FlowStep | undefined {
  return stepById(flow, run.stepId);
}

export async function continueFlow(flow: Flow, run: FlowRun, input: FlowInput, env: RunnerEnv): Promise<ContinueResult> {
  const step = stepById(flow, run.stepId);
  if (!step) return { kind: 'mismatch' };
  if (step.type === 'choice' && input.kind === 'option') {
    const option = visibleOptions(step, env).find((o) => o.id === input.optionId);
    if (!option) return { kind: 'mismatch' };
    const answered = withAnswer(run, `${option.id} (${say(env, run, option.label)})`);
    if (option.flow) return { kind: 'advanced', run: answered, parts: [], outcome: { kind: 'switch', flowId: option.flow } };
    return { kind: 'advanced', ...(await advance(flow, answered, option.next as string, env, [])) };
  }
  if (step.type === 'check' && input.kind === 'yesno') {
    const answered = withAnswer(run, input.yes ? 'yes' : 'no');
    return { kind: 'advanced', ...(await advance(flow, answered, input.yes ? step.yes : step.no, env, [])) };
  }
  if (step.type === 'input' && input.kind === 'text') {
    const value = input.text.trim();
    const v = step.validate;
    const tooLong = value.length > (v?.maxLength ?? 500);
    const badPattern = v?.pattern !== undefined && !new RegExp(`^(?:${v.pattern})$`, v.ignoreCase ? 'iu' : 'u').test(value);
    if (!value || tooLong || badPattern) {
      const error = v ? say(env, run, v.error) : env.t.t(env.lang, 'dialogue.flow.input_invalid');
      return { kind: 'invalid', run, parts: [{ kind: 'text', text: error }, ...prompt(step, run, env)] };
    }
    const answered = withAnswer({ ...run, vars: { ...run.vars, [step.var]: value } }, value);
    return { kind: 'advanced', ...(await advance(flow, answered, step.next, env, [])) };
  }
  return { kind: 'mismatch' };
}

/** Label of an option typed as text: its number ("2") or its label, accents and case ignored; among the options shown when `env` is given. */
export function optionFromText(step: StepOfType<'choice'>, text: string, lang: Lang, env?: Pick<RunnerEnv, 'actions' | 'actionContext'>): string | undefined {
  const options = env ? visibleOptions(step, env) : step.options;
  const f = fold(text);
  const n = Number(f);
  if (Number.isInteger(n) && n >= 1 && n <= options.length) return options[n - 1]?.id;
  const exact = options.find((o) => fold(o.label[lang]) === f || fold(o.label.en) === f || fold(o.label.fr) === f);
  return exact?.id;
}
