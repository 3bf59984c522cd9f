import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The bot as operators run it: `src/main.ts` in its own process (through tsx, so no build is
 * needed), configured only by environment variables, on a random port. Used by the reliability
 * tests (kill -9, restarts on the same DATA_DIR) and by the load script.
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const REPO_KNOWLEDGE = fileURLToPath(new URL('../../knowledge', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Structured log lines (pino JSON on stdout). */
  logs(): Array<Record<string, unknown>>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<void>;
}

export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface StartOptions {
  env: Record<string, string>;
  /** Wait for /readyz 200 (default) or only for the banner. */
  waitReady?: boolean;
  timeoutMs?: number;
}

export async function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // Only what the bot needs, so a developer's .env or shell settings cannot leak in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const timeoutMs = options.timeoutMs ?? 120_000;
  const url = await until(
    () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited during start (${child.exitCode ?? child.signalCode})\n${out}\n${err}`);
      return /helpdesk-bot is running on (http:\/\/\S+)/.exec(out)?.[1];
    },
    'the start banner',
    timeoutMs,
  );
  if (options.waitReady ?? true) {
    await until(async () => ((await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), `${url}/readyz`, timeoutMs, 100);
  }
  return {
    url,
    child,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      out.split('\n').flatMap((line) => {
        if (!line.startsWith('{')) return [];
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    exit,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exit;
    },
  };
}
