import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIX_COMMAND, planChromium } from './chromium.js';

/**
 * The browser tests' set-up on a fresh machine (issue 16, item 13): install Debian's Chromium when
 * root with apt-get, otherwise stop at once with the one command that fixes it.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const base = { path: '/usr/bin/chromium', explicitPath: false, exists: false, needed: true, isRoot: true, hasAptGet: true };

describe('Chromium for the browser tests', () => {
  it('does nothing when Chromium is there or no browser test runs', () => {
    expect(planChromium({ ...base, exists: true })).toEqual({ kind: 'ready' });
    expect(planChromium({ ...base, needed: false })).toEqual({ kind: 'ready' });
  });

  it('installs it as root with apt-get, and otherwise names the one command that fixes it', () => {
    expect(planChromium(base)).toEqual({ kind: 'install' });
    for (const facts of [{ ...base, isRoot: false }, { ...base, hasAptGet: false }]) {
      const plan = planChromium(facts);
      expect(plan.kind).toBe('fail');
      expect(plan.kind === 'fail' && plan.message).toContain(`Install it with: ${FIX_COMMAND}`);
    }
  });

  it('fails at once, before any test, when CHROMIUM_PATH points nowhere (the real globalSetup, in vitest)', () => {
    const run = spawnSync('npx', ['vitest', 'run', 'test/channels/web/browser.test.ts'], {
      cwd: ROOT,
      env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain(`CHROMIUM_PATH is set to /nonexistent/chromium, which does not exist`);
    // Stopped in the set-up: the server and browser of the web chat test never started.
    expect(`${run.stdout}${run.stderr}`).not.toContain('greets, answers');
  });
});
