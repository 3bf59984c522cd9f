import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_KNOWLEDGE } from './start.js';

/**
 * The real entry point in its own process, as `npm start` runs it (src/main.ts through tsx instead
 * of the compiled dist/, so the test does not depend on a build): random port, temp DATA_DIR,
 * wait for /readyz, exercise the endpoints, SIGTERM, graceful exit.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function start(env: Record<string, string>): Run {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // Only what the bot needs, so a developer's .env or shell settings cannot leak in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'helpdesk-start-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('serves the web chat with no credentials, answers on every endpoint and exits cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const run = start({ PORT: '0', DATA_DIR: dataDir, KB_DIR: REPO_KNOWLEDGE, EMBEDDINGS_PROVIDER: 'none', LOG_LEVEL: 'info' });
    try {
      const base = await until(() => /helpdesk-bot is running on (http:\/\/\S+)/.exec(run.stdout())?.[1], 'the start banner');
      expect(run.stdout()).toContain(`Web chat:        ${base}/chat`);
      expect(run.stdout()).toContain('local/emulator mode');
      expect(run.stdout()).not.toContain('/api/slack/events');

      await until(async () => ((await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), '/readyz');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('helpdesk_turns_total');
      const chat = await fetch(`${base}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ conversationId: 'smoke-conversation', user: { id: 'smoke-user-1' }, text: 'my vpn does not connect' }),
      });
      expect(chat.status).toBe(200);
      expect((await chat.json()).replies.length).toBeGreaterThan(0);
      expect((await fetch(`${base}/chat`)).status).toBe(200);

      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      expect(run.stdout()).toContain('"msg":"shutdown complete"');
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });

  it('refuses to start on invalid configuration, naming each variable', async () => {
    const run = start({ PORT: '0', DATA_DIR: tempDir(), MICROSOFT_APP_ID: 'not-a-guid', SLACK_BOT_TOKEN: 'xoxb-1', LOG_LEVEL: 'silent' });
    expect(await run.exit).toBe(78);
    expect(run.stderr()).toContain('MICROSOFT_APP_ID: expected the application (client) ID, a GUID');
    expect(run.stderr()).toContain('SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN');
    expect(run.stderr()).toContain('.env.example');
  });
});
