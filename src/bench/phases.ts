import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PhaseJob } from './child.js';
import type { Progress } from './knowledge-phase.js';

/** Runs one phase in a child process (same loader flags, so it works under tsx and from dist). */
export function runInChild<T>(job: PhaseJob, progress: Progress): Promise<T> {
  const here = fileURLToPath(import.meta.url);
  const entry = here.replace(/phases\.(ts|js)$/, 'child.$1');
  return new Promise<T>((resolve, reject) => {
    const child = fork(entry, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.on('message', (message: { progress?: string; result?: T; error?: string }) => {
      if (message.progress !== undefined) progress(message.progress);
      else if (message.error !== undefined) {
        settled = true;
        reject(new Error(`benchmark phase ${job.phase} failed: ${message.error}`));
      } else {
        settled = true;
        resolve(message.result as T);
      }
    });
    child.on('exit', (code, signal) => {
      if (!settled) reject(new Error(`benchmark phase ${job.phase} exited (${signal ?? code}) without a result`));
    });
    child.send(job);
  });
}
