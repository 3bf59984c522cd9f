import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintFlows, loadFlows, flowIds } from '../../../src/engine/flows/load.js';
import type { LintIssue } from '../../../src/engine/lint-issue.js';

const repoKnowledge = fileURLToPath(new URL('../../../knowledge', import.meta.url));

const VALID = `id: sample
title: { en: Sample, fr: Exemple }
category: devices
triggers:
  en: [sample please]
  fr: [exemple svp]
start: ask
steps:
  - id: ask
    type: check
    text: { en: Did it work?, fr: Ça a marché ? }
    yes: done
    no: help
  - id: done
    type: resolve
    text: { en: Good, fr: Bien }
  - id: help
    type: escalate
    text: { en: A technician will help, fr: Un technicien va aider }
    reason: { en: Not fixed, fr: Pas réglé }
    priority: medium
    queue: workplace
`;

let kb: string;
const write = (name: string, body: string) => writeFileSync(join(kb, 'flows', name), body);
const only = (issues: LintIssue[], file: string) => issues.filter((i) => i.file === `flows/${file}`);

beforeEach(() => {
  kb = mkdtempSync(join(tmpdir(), 'flows-lint-'));
  mkdirSync(join(kb, 'flows'));
});
afterEach(() => rmSync(kb, { recursive: true, force: true }));

describe('flow lint: errors come with file and line', () => {
  it('accepts a valid flow', () => {
    write('sample.yaml', VALID);
    expect(lintFlows(kb)).toEqual([]);
    expect(flowIds(kb)).toEqual(['sample']);
  });

  it('invalid YAML', () => {
    write('sample.yaml', VALID.replace('category: devices', 'category: [devices'));
    const [issue] = only(lintFlows(kb), 'sample.yaml');
    expect(issue).toMatchObject({ severity: 'error', file: 'flows/sample.yaml' });
    expect(issue?.message).toMatch(/invalid YAML/);
    expect(issue?.line).toBeGreaterThanOrEqual(3);
  });

  it('a text without its French version points at the text', () => {
    write('sample.yaml', VALID.replace('text: { en: Good, fr: Bien }', 'text: { en: Good }'));
    expect(lintFlows(kb)).toEqual([
      expect.objectContaining({ severity: 'error', line: 16, message: expect.stringMatching(/^steps\.1\.text\.fr: Required/) }),
    ]);
  });

  it('an unknown step type', () => {
    write('sample.yaml', VALID.replace('type: resolve', 'type: celebrate'));
    const issues = lintFlows(kb);
    expect(issues[0]).toMatchObject({ line: 15, message: expect.stringMatching(/unknown step type/) });
  });

  it('an unknown key', () => {
    write('sample.yaml', VALID.replace('    queue: workplace', '    queue: workplace\n    colour: red'));
    expect(lintFlows(kb)[0]).toMatchObject({ line: 17, message: expect.stringMatching(/unknown key\(s\) "colour"/) });
  });

  it('a reference to a step that does not exist', () => {
    write('sample.yaml', VALID.replace('no: help', 'no: hepl'));
    expect(lintFlows(kb)).toContainEqual(
      expect.objectContaining({ severity: 'error', line: 13, message: 'step "ask" leads to unknown step "hepl"' }),
    );
  });

  it('duplicate step ids', () => {
    write('sample.yaml', VALID.replace('  - id: help', '  - id: done'));
    expect(lintFlows(kb)).toContainEqual(expect.objectContaining({ line: 17, message: 'duplicate step id "done"' }));
  });

  it('a step that can never end', () => {
    write(
      'sample.yaml',
      VALID.replace('yes: done\n    no: help', 'yes: again\n    no: again').concat(`  - id: again
    type: check
    text: { en: Again?, fr: Encore ? }
    yes: ask
    no: ask
`),
    );
    const messages = lintFlows(kb).map((i) => i.message);
    expect(messages).toContain('step "ask" can never reach a resolve or escalate step');
    expect(messages).toContain('step "again" can never reach a resolve or escalate step');
  });

  it('a loop that never waits for the user', () => {
    write(
      'sample.yaml',
      VALID.replace('start: ask', 'start: a').replace('steps:\n', `steps:
  - id: a
    type: say
    text: { en: A, fr: A }
    next: b
  - id: b
    type: action
    action: printer.clearQueue
    ok: a
    fail: ask
`),
    );
    expect(lintFlows(kb).map((i) => i.message)).toContainEqual(expect.stringMatching(/loop without ever waiting/));
  });

  it('an account action not confirmed by a check step', () => {
    write(
      'sample.yaml',
      VALID.replace('start: ask', 'start: a').replace('steps:\n', `steps:
  - id: a
    type: say
    text: { en: A, fr: A }
    next: b
  - id: b
    type: action
    action: directory.unlockAccount
    ok: ask
    fail: ask
`),
    );
    expect(lintFlows(kb).map((i) => i.message)).toContainEqual(expect.stringMatching(/must be reached only from the "yes" of a check step/));
  });

  it('unknown placeholders and bad regular expressions', () => {
    write(
      'sample.yaml',
      VALID.replace('start: ask', 'start: tag').replace('steps:\n', `steps:
  - id: tag
    type: input
    var: assetTag
    text: { en: "Tag? See {helpUrl}", fr: "Étiquette ? {assetTag}" }
    validate:
      pattern: "[A-Z"
      error: { en: Bad, fr: Mauvais }
    next: ask
`),
    );
    const issues = lintFlows(kb);
    expect(issues).toContainEqual(expect.objectContaining({ line: 12, message: expect.stringMatching(/unknown placeholder \{helpUrl\}/) }));
    expect(issues).toContainEqual(expect.objectContaining({ line: 14, message: expect.stringMatching(/invalid regular expression/) }));
  });

  it('an option that starts a flow that does not exist, and a file named after another id', () => {
    write(
      'other.yaml',
      VALID.replace('id: sample', 'id: sample-two').replace('start: ask', 'start: pick').replace('steps:\n', `steps:
  - id: pick
    type: choice
    text: { en: Which?, fr: Lequel ? }
    options:
      - id: one
        label: { en: One, fr: Un }
        flow: nowhere
      - id: two
        label: { en: Two, fr: Deux }
        next: ask
`),
    );
    const issues = lintFlows(kb);
    expect(issues).toContainEqual(expect.objectContaining({ file: 'flows/other.yaml', line: 1, message: 'id "sample-two" does not match the file name (other)' }));
    expect(issues).toContainEqual(expect.objectContaining({ file: 'flows/other.yaml', line: 15, message: 'option "one" starts unknown flow "nowhere"' }));
  });

  it('warns about unreachable steps and unknown actions without rejecting the flow', () => {
    write(
      'sample.yaml',
      VALID.concat(`  - id: orphan
    type: action
    action: printer.clearQueue
    ok: done
    fail: help
`),
    );
    const issues = lintFlows(kb);
    expect(issues.every((i) => i.severity === 'warning')).toBe(true);
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/action "printer.clearQueue" is not one of the known actions/),
      'step "orphan" cannot be reached from "ask"',
    ]);
    expect(flowIds(kb)).toEqual(['sample']);
  });

  it('a broken file is skipped and the others are served', () => {
    write('sample.yaml', VALID);
    write('broken.yaml', 'id: broken\ntitle: {en: x}\n');
    const loaded = loadFlows(kb);
    expect(loaded.catalog.all().map((f) => f.id)).toEqual(['sample']);
    expect(loaded.issues.some((i) => i.file === 'flows/broken.yaml' && i.severity === 'error')).toBe(true);
  });
});

describe('the README example', () => {
  it('is a valid flow', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Conversations and guided fixes'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    write('printer-jam.yaml', yaml as string);
    expect(lintFlows(kb)).toEqual([]);
  });
});

describe('the shipped flows', () => {
  it('lint clean, and the nine guided fixes are there', () => {
    expect(lintFlows(repoKnowledge)).toEqual([]);
    expect(flowIds(repoKnowledge).sort()).toEqual([
      'account-compromised',
      'account-locked',
      'mfa-new-phone',
      'outlook-password-prompt',
      'password-expired',
      'password-reset',
      'printer-not-printing',
      'vpn-connect',
      'wifi-connect',
    ]);
  });

  it('trigger phrases start their flow; longer questions do not', () => {
    const { catalog } = loadFlows(repoKnowledge);
    expect(catalog.matchTrigger('Reset my password please')?.flow.id).toBe('password-reset');
    expect(catalog.matchTrigger('réinitialiser mon mot de passe')).toMatchObject({ lang: 'fr' });
    expect(catalog.matchTrigger('my printer is not printing anything since I changed the toner cartridge yesterday')).toBeUndefined();
  });
});
