import type { LintIssue } from '../lint-issue.js';
import { KNOWN_ACTIONS } from './actions.js';
import { edgesOf, TERMINAL_STEPS, WAITING_STEPS, type Flow, type FlowStep } from './schema.js';
import type { ParsedFlowFile, Locate } from './load.js';

/** Placeholders every flow text may use; filled from configuration and the user's profile. */
export const GLOBAL_PLACEHOLDERS = ['passwordResetUrl', 'mfaSetupUrl', 'serviceDesk', 'userName'] as const;

const PLACEHOLDER = /\{(\w+)\}/g;

function textsOf(step: FlowStep): Array<{ path: Array<string | number>; value: string }> {
  const out: Array<{ path: Array<string | number>; value: string }> = [];
  const add = (path: Array<string | number>, t?: { en: string; fr: string }) => {
    if (!t) return;
    out.push({ path: [...path, 'en'], value: t.en }, { path: [...path, 'fr'], value: t.fr });
  };
  if ('text' in step) add(['text'], step.text);
  if (step.type === 'say') step.steps?.forEach((s, i) => add(['steps', i], s));
  if (step.type === 'choice') step.options.forEach((o, i) => add(['options', i, 'label'], o.label));
  if (step.type === 'input') add(['validate', 'error'], step.validate?.error);
  if (step.type === 'escalate') add(['reason'], step.reason);
  if (step.type === 'action') for (const [k, v] of Object.entries(step.params)) out.push({ path: ['params', k], value: v });
  return out;
}

/** Structural checks inside one flow: references, reachability, a way out from every step, placeholders, regexes. */
export function lintFlowGraph(flow: Flow, file: string, locate: Locate): LintIssue[] {
  const issues: LintIssue[] = [];
  const err = (path: Array<string | number>, message: string) => issues.push({ severity: 'error', file, line: locate(path), message });
  const warn = (path: Array<string | number>, message: string) => issues.push({ severity: 'warning', file, line: locate(path), message });

  const index = new Map<string, number>();
  flow.steps.forEach((step, i) => {
    if (index.has(step.id)) err(['steps', i, 'id'], `duplicate step id "${step.id}"`);
    else index.set(step.id, i);
  });
  if (!index.has(flow.start)) err(['start'], `start step "${flow.start}" does not exist`);

  const vars = new Set<string>(flow.steps.flatMap((s) => (s.type === 'input' ? [s.var] : [])));
  const known = new Set<string>([...GLOBAL_PLACEHOLDERS, ...vars]);

  flow.steps.forEach((step, i) => {
    const refKey = (branch: string): Array<string | number> => {
      if (step.type === 'choice') {
        const o = step.options.findIndex((opt) => opt.id === branch);
        return ['steps', i, 'options', o, step.options[o]?.flow ? 'flow' : 'next'];
      }
      return ['steps', i, branch];
    };
    for (const edge of edgesOf(step)) {
      if (!edge.flow && !index.has(edge.to)) err(refKey(edge.branch), `step "${step.id}" leads to unknown step "${edge.to}"`);
    }
    if (step.type === 'choice') {
      step.options.forEach((o, j) => {
        if (o.requires !== undefined && !(KNOWN_ACTIONS as readonly string[]).includes(o.requires)) {
          warn(['steps', i, 'options', j, 'requires'], `option "${o.id}" requires "${o.requires}", which is not one of the known actions (${KNOWN_ACTIONS.join(', ')})`);
        }
      });
      const seen = new Set<string>();
      step.options.forEach((o, j) => {
        if (seen.has(o.id)) err(['steps', i, 'options', j, 'id'], `duplicate option id "${o.id}" in step "${step.id}"`);
        seen.add(o.id);
      });
    }
    if (step.type === 'input' && step.validate?.pattern !== undefined) {
      try {
        new RegExp(step.validate.pattern, 'u');
      } catch (e) {
        err(['steps', i, 'validate', 'pattern'], `invalid regular expression: ${(e as Error).message}`);
      }
    }
    if (step.type === 'action' && !(KNOWN_ACTIONS as readonly string[]).includes(step.action)) {
      warn(['steps', i, 'action'], `action "${step.action}" is not one of the known actions (${KNOWN_ACTIONS.join(', ')}); it needs a connector`);
    }
    for (const t of textsOf(step)) {
      for (const m of t.value.matchAll(PLACEHOLDER)) {
        const name = m[1] as string;
        if (!known.has(name)) err(['steps', i, ...t.path], `unknown placeholder {${name}} (known: ${[...known].join(', ')})`);
      }
    }
  });

  // An action on the user's account runs only after they said yes to a confirmation (a `check` whose `yes` leads to it).
  flow.steps.forEach((step, i) => {
    // Reading the account's state changes nothing: no confirmation needed.
    if (step.type !== 'action' || !step.action.startsWith('directory.') || step.action === 'directory.passwordStatus') return;
    const unconfirmed = flow.steps.filter((s) => s.type !== 'check' && edgesOf(s).some((e) => !e.flow && e.to === step.id));
    const fromNo = flow.steps.filter((s) => s.type === 'check' && s.no === step.id);
    if (flow.start === step.id || unconfirmed.length || fromNo.length) {
      err(['steps', i, 'id'], `action step "${step.id}" (${step.action}) must be reached only from the "yes" of a check step that asks the user to confirm`);
    }
  });

  if (issues.some((i) => i.severity === 'error')) return issues;

  // Reachability from the start.
  const reachable = new Set<string>();
  const queue = [flow.start];
  while (queue.length) {
    const id = queue.pop() as string;
    if (reachable.has(id)) continue;
    reachable.add(id);
    const step = flow.steps[index.get(id) as number] as FlowStep;
    for (const e of edgesOf(step)) if (!e.flow) queue.push(e.to);
  }
  flow.steps.forEach((s, i) => {
    if (!reachable.has(s.id)) warn(['steps', i, 'id'], `step "${s.id}" cannot be reached from "${flow.start}"`);
  });

  // Every step must be able to end (resolve, escalate, or hand over to another flow).
  const canEnd = new Set<string>(flow.steps.filter((s) => TERMINAL_STEPS.has(s.type) || edgesOf(s).some((e) => e.flow)).map((s) => s.id));
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of flow.steps) {
      if (!canEnd.has(s.id) && edgesOf(s).some((e) => canEnd.has(e.to))) {
        canEnd.add(s.id);
        changed = true;
      }
    }
  }
  flow.steps.forEach((s, i) => {
    if (!canEnd.has(s.id)) err(['steps', i, 'id'], `step "${s.id}" can never reach a resolve or escalate step`);
  });

  // A loop made only of steps that do not wait for the user would spin forever.
  const automatic = (s: FlowStep) => !WAITING_STEPS.has(s.type) && !TERMINAL_STEPS.has(s.type);
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    const step = flow.steps[index.get(id) as number] as FlowStep;
    if (!automatic(step) || state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      err(['steps', index.get(id) as number, 'id'], `steps ${[...trail, id].join(' → ')} loop without ever waiting for the user`);
      return;
    }
    state.set(id, 'visiting');
    for (const e of edgesOf(step)) if (!e.flow) visit(e.to, [...trail, id]);
    state.set(id, 'done');
  };
  for (const s of flow.steps) visit(s.id, []);

  return issues;
}

/** Checks across files: duplicate flow ids, hand-overs to flows that do not exist, shared trigger phrases. */
export function lintFlowSet(parsed: readonly ParsedFlowFile[]): LintIssue[] {
  const issues: LintIssue[] = [];
  const ids = new Map<string, string>();
  for (const p of parsed) {
    if (!p.flow) continue;
    const other = ids.get(p.flow.id);
    if (other) issues.push({ severity: 'error', file: p.file, line: p.locate(['id']), message: `duplicate flow id "${p.flow.id}" (also in ${other})` });
    else ids.set(p.flow.id, p.file);
  }
  const triggers = new Map<string, string>();
  for (const p of parsed) {
    if (!p.flow) continue;
    p.flow.steps.forEach((step, i) => {
      if (step.type !== 'choice') return;
      step.options.forEach((o, j) => {
        if (o.flow && !ids.has(o.flow)) {
          issues.push({ severity: 'error', file: p.file, line: p.locate(['steps', i, 'options', j, 'flow']), message: `option "${o.id}" starts unknown flow "${o.flow}"` });
        }
      });
    });
    for (const lang of ['en', 'fr'] as const) {
      (p.flow.triggers?.[lang] ?? []).forEach((t, k) => {
        const key = t.trim().toLowerCase();
        const owner = triggers.get(key);
        if (owner && owner !== p.flow?.id) {
          issues.push({ severity: 'warning', file: p.file, line: p.locate(['triggers', lang, k]), message: `trigger "${t}" is also a trigger of flow "${owner}"` });
        } else triggers.set(key, (p.flow as Flow).id);
      });
    }
  }
  return issues;
}
