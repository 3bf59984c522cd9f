import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * vitest globalSetup: the browser tests drive Debian's Chromium (playwright-core downloads no
 * browser). On a fresh machine it is usually missing, so before any test runs: when the run
 * includes a browser test and Chromium is absent, install it with apt-get if we are root and
 * apt-get exists (once, logged), otherwise stop at once with the one command that fixes it.
 */

export const CHROMIUM = '/usr/bin/chromium';
export const FIX_COMMAND = 'sudo apt-get install -y chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function browserTests(dir = join(ROOT, 'test')): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...browserTests(path));
    else if (/browser.*\.test\.ts$/.test(entry.name)) out.push(relative(ROOT, path));
  }
  return out;
}

/** vitest's file filters are substrings of the paths; with none, every file runs. */
function runIncludesBrowserTests(): boolean {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && a !== 'watch' && !/^\d+$/.test(a));
  if (filters.length === 0) return true;
  const files = browserTests();
  return filters.some((f) => files.some((file) => file.includes(f.replace(/^\.\//, '').replace(/\/$/, ''))));
}

function hasAptGet(): boolean {
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

export type ChromiumPlan = { kind: 'ready' } | { kind: 'install' } | { kind: 'fail'; message: string };

/** What to do, from the facts of this machine (pure, so the choice is testable without removing a browser). */
export function planChromium(facts: { path: string; explicitPath: boolean; exists: boolean; needed: boolean; isRoot: boolean; hasAptGet: boolean }): ChromiumPlan {
  if (facts.exists || !facts.needed) return { kind: 'ready' };
  if (facts.explicitPath) {
    return { kind: 'fail', message: `CHROMIUM_PATH is set to ${facts.path}, which does not exist. Point it at a Chromium, or unset it and run: ${FIX_COMMAND}` };
  }
  if (!facts.isRoot || !facts.hasAptGet) {
    return { kind: 'fail', message: `The browser tests need Debian's Chromium at ${facts.path}, which is missing. Install it with: ${FIX_COMMAND}` };
  }
  return { kind: 'install' };
}

export default function setup(): void {
  const path = process.env.CHROMIUM_PATH ?? CHROMIUM;
  const exists = existsSync(path);
  const plan = planChromium({
    path,
    explicitPath: Boolean(process.env.CHROMIUM_PATH),
    exists,
    needed: exists ? false : runIncludesBrowserTests(),
    isRoot: process.getuid?.() === 0,
    hasAptGet: exists ? false : hasAptGet(),
  });
  if (plan.kind === 'ready') return;
  if (plan.kind === 'fail') throw new Error(plan.message);
  console.log(`[test setup] Chromium not found at ${path}: installing Debian's chromium with apt-get (once; needed by the browser tests)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-dejavu-core']]) {
    const run = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${run.status}). Install Chromium by hand: ${FIX_COMMAND}`);
  }
  if (!existsSync(path)) throw new Error(`apt-get installed chromium but ${path} is still missing. Set CHROMIUM_PATH to the browser's path.`);
  console.log(`[test setup] Chromium installed at ${path}.`);
}
