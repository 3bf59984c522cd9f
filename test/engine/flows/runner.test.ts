import { describe, expect, it } from 'vitest';
import { parseFlowFile } from '../../../src/engine/flows/load.js';
import { continueFlow, optionFromText, startFlow, type RunnerEnv } from '../../../src/engine/flows/runner.js';
import { createActionRegistry } from '../../../src/engine/flows/actions.js';
import { createTranslator, loadMessages } from '../../../src/engine/i18n.js';
import type { Flow, StepOfType } from '../../../src/engine/flows/schema.js';

const SOURCE = `id: demo
title: { en: Demo, fr: Démo }
category: devices
start: intro
steps:
  - id: intro
    type: say
    text: { en: "Portal: {passwordResetUrl}", fr: "Portail : {passwordResetUrl}" }
    steps:
      - { en: One, fr: Un }
    next: pick
  - id: pick
    type: choice
    text: { en: Which?, fr: Lequel ? }
    options:
      - { id: act, label: { en: Unlock, fr: Déverrouiller }, next: confirm }
      - { id: tag, label: { en: Asset tag, fr: Étiquette }, next: tag }
      - { id: other, label: { en: Other flow, fr: Autre }, flow: elsewhere }
  - id: confirm
    type: check
    text: { en: Sure?, fr: Sûr ? }
    yes: unlock
    no: help
  - id: unlock
    type: action
    action: directory.unlockAccount
    ok: done
    fail: help
  - id: tag
    type: input
    var: assetTag
    text: { en: Tag?, fr: Étiquette ? }
    validate:
      pattern: "[A-Z]{2,4}-[0-9]{4}"
      ignoreCase: true
      error: { en: Like PC-1234, fr: Comme PC-1234 }
    next: help
  - id: done
    type: resolve
    text: { en: Done, fr: Fini }
  - id: help
    type: escalate
    text: { en: "Escalating {assetTag}", fr: "Escalade {assetTag}" }
    reason: { en: "Tag {assetTag}", fr: "Étiquette {assetTag}" }
    priority: high
    queue: identity
`;

const parsed = parseFlowFile(SOURCE, 'flows/demo.yaml');
const flow = parsed.flow as Flow;
const t = createTranslator(loadMessages());
let n = 0;
const env = (over: Partial<RunnerEnv> = {}): RunnerEnv => ({
  lang: 'en',
  placeholders: { passwordResetUrl: 'https://aka.ms/sspr', mfaSetupUrl: 'x', serviceDesk: 'x', userName: 'Ana' },
  actions: createActionRegistry(),
  actionContext: { channel: 'test', user: { id: 'u1' }, lang: 'en', conversationId: 'c1' },
  t,
  now: () => '2026-11-22T10:00:00.000Z',
  nonce: () => `n${++n}`,
  ...over,
});

describe('flow runner', () => {
  it('runs say steps until a step waits, with placeholders filled', async () => {
    expect(parsed.issues).toEqual([]);
    const r = await startFlow(flow, 'run-1', env());
    expect(r.outcome).toEqual({ kind: 'waiting' });
    expect(r.run.stepId).toBe('pick');
    expect(r.parts[0]).toEqual({ kind: 'text', text: 'Portal: https://aka.ms/sspr' });
    expect(r.parts[1]).toEqual({ kind: 'steps', steps: ['One'] });
    expect(r.parts[2]).toMatchObject({ kind: 'choices', prompt: 'Which?' });
    expect(r.run.path.map((p) => p.stepId)).toEqual(['intro', 'pick']);
  });

  /** Picks "Unlock" and confirms. */
  async function unlockConfirmed(e: RunnerEnv) {
    const start = await startFlow(flow, 'run-1', e);
    const asked = await continueFlow(flow, start.run, { kind: 'option', optionId: 'act' }, e);
    if (asked.kind !== 'advanced') throw new Error('no confirmation asked');
    return continueFlow(flow, asked.run, { kind: 'yesno', yes: true }, e);
  }

  it('an action with no connector reports "not configured" and takes the fail branch', async () => {
    const r = await unlockConfirmed(env());
    expect(r.kind).toBe('advanced');
    if (r.kind !== 'advanced') return;
    expect(r.outcome.kind).toBe('escalate');
    expect(r.parts.map((p) => (p.kind === 'text' ? p.text : ''))).toContain(t.t('en', 'dialogue.flow.action_not_configured'));
    expect(r.run.path.find((p) => p.stepId === 'unlock')?.answer).toMatch(/^not_configured/);
  });

  it('a registered connector takes the ok branch; a throwing one the fail branch', async () => {
    const ok = createActionRegistry({ 'directory.unlockAccount': async (_p, ctx) => ({ outcome: 'ok', detail: `unlocked ${ctx.user.id}` }) });
    const r = await unlockConfirmed(env({ actions: ok }));
    expect(r.kind === 'advanced' && r.outcome.kind).toBe('resolved');
    const boom = createActionRegistry({ 'directory.unlockAccount': async () => { throw new Error('LDAP down'); } });
    const f = await unlockConfirmed(env({ actions: boom }));
    expect(f.kind === 'advanced' && f.outcome.kind).toBe('escalate');
    expect(f.kind === 'advanced' && f.run.path.find((p) => p.stepId === 'unlock')?.answer).toBe('fail: LDAP down');
  });

  it('hides an option whose action is not available to this user, and refuses it if sent anyway', async () => {
    const gated = parseFlowFile(SOURCE.replace('next: confirm }', 'next: confirm, requires: directory.unlockAccount }'), 'flows/demo.yaml');
    expect(gated.issues).toEqual([]);
    const g = gated.flow as Flow;
    const ok = async () => ({ outcome: 'ok' as const });
    const offered = (e: RunnerEnv, parts: Awaited<ReturnType<typeof startFlow>>['parts']) =>
      parts.flatMap((p) => (p.kind === 'choices' ? p.choices.map((c) => c.label) : []));
    const allowed = env({ actions: createActionRegistry({ 'directory.unlockAccount': ok }) });
    expect(offered(allowed, (await startFlow(g, 'run-1', allowed)).parts)).toContain('Unlock');
    const refused = env({ actions: createActionRegistry({ 'directory.unlockAccount': ok }, () => false) });
    const start = await startFlow(g, 'run-1', refused);
    expect(offered(refused, start.parts)).toEqual(['Asset tag', 'Other flow']);
    expect(await continueFlow(g, start.run, { kind: 'option', optionId: 'act' }, refused)).toEqual({ kind: 'mismatch' });
    // Typed numbers follow what is shown: "1" is now the asset tag.
    expect(optionFromText(g.steps.find((s) => s.id === 'pick') as StepOfType<'choice'>, '1', 'en', refused)).toBe('tag');
  });

  it('shows the message an action returns', async () => {
    const said = createActionRegistry({ 'directory.unlockAccount': async () => ({ outcome: 'ok', message: 'Your account is unlocked.' }) });
    const r = await unlockConfirmed(env({ actions: said }));
    expect(r.kind === 'advanced' && r.parts.some((p) => p.kind === 'text' && p.text === 'Your account is unlocked.')).toBe(true);
  });

  it('validates input and keeps the answer for later texts', async () => {
    const start = await startFlow(flow, 'run-1', env());
    const atTag = await continueFlow(flow, start.run, { kind: 'option', optionId: 'tag' }, env());
    if (atTag.kind !== 'advanced') throw new Error('expected to advance');
    const bad = await continueFlow(flow, atTag.run, { kind: 'text', text: 'my laptop' }, env());
    expect(bad.kind).toBe('invalid');
    expect(bad.kind === 'invalid' && bad.parts[0]).toEqual({ kind: 'text', text: 'Like PC-1234' });
    const good = await continueFlow(flow, atTag.run, { kind: 'text', text: ' pc-1234 ' }, env());
    expect(good.kind === 'advanced' && good.run.vars).toEqual({ assetTag: 'pc-1234' });
    expect(good.kind === 'advanced' && good.parts[0]).toEqual({ kind: 'text', text: 'Escalating pc-1234' });
    expect(good.kind === 'advanced' && good.outcome.kind === 'escalate' && good.outcome.reason).toBe('Tag pc-1234');
  });

  it('hands over to another flow, and refuses input that does not fit the step', async () => {
    const start = await startFlow(flow, 'run-1', env({ lang: 'fr' }));
    expect(start.parts[0]).toEqual({ kind: 'text', text: 'Portail : https://aka.ms/sspr' });
    const sw = await continueFlow(flow, start.run, { kind: 'option', optionId: 'other' }, env());
    expect(sw.kind === 'advanced' && sw.outcome).toEqual({ kind: 'switch', flowId: 'elsewhere' });
    expect(await continueFlow(flow, start.run, { kind: 'yesno', yes: true }, env())).toEqual({ kind: 'mismatch' });
    expect(await continueFlow(flow, start.run, { kind: 'option', optionId: 'nope' }, env())).toEqual({ kind: 'mismatch' });
  });

  it('typed options: by number or by label, accents ignored', () => {
    const pick = flow.steps.find((s) => s.id === 'pick') as StepOfType<'choice'>;
    expect(optionFromText(pick, '2', 'en')).toBe('tag');
    expect(optionFromText(pick, 'deverrouiller', 'fr')).toBe('act');
    expect(optionFromText(pick, 'something else', 'en')).toBeUndefined();
  });
});
