import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Progress } from './knowledge-phase.js';

/**
 * Issue 20's last row, the Bot Framework endpoint's p99 against the web chat's under saturating
 * load, comes from `npm run load -- --saturate` (bench/load.ts: the real server process, 100
 * users with no think time on the web chat alone, then on the Bot Framework endpoint alone). The
 * benchmark either runs it now, as `node --import tsx bench/load.ts --saturate --messages N --out FILE`,
 * or reads the result that command last wrote to FILE (bench/load-saturate.json by default).
 */

// src/bench and dist/bench both sit two levels below the repository root.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_LOAD_FILE = join('bench', 'load-saturate.json');

const latency = z.object({ n: z.number(), mean: z.number(), p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() });
const channel = z.object({
  channel: z.enum(['web', 'teams']),
  users: z.number(),
  sent: z.number(),
  ok: z.number(),
  failed: z.number(),
  latency,
  throughput_per_s: z.number(),
  failures: z.record(z.number()).optional(),
  load_average_at_start: z.number().optional(),
});
/** What bench/load.ts --out writes (the fields the benchmark reads). */
const loadFileSchema = z.object({
  generated_at: z.string(),
  saturate: z.boolean(),
  messages_per_user: z.number(),
  seconds: z.number(),
  channels: z.array(channel),
  load_average_at_end: z.array(z.number()).optional(),
  stored: z.number(),
  problems: z.array(z.string()),
  alive: z.boolean(),
});

export type LoadChannelResult = z.infer<typeof channel>;

export interface SaturateLoadResult {
  measured_at: string;
  /** The command that produced it (run by the benchmark now, or earlier by hand). */
  command: string;
  source: 'run' | 'file';
  messages_per_user: number;
  web?: LoadChannelResult;
  teams?: LoadChannelResult;
  /** Bot Framework p99 / web chat p99 (target ≤ 2). */
  p99_ratio?: number;
  /** Messages stored once, handled and answered with exactly the delivered replies, of those sent. */
  stored: number;
  sent: number;
  problems: number;
  alive: boolean;
  load_average_at_end?: number[];
}

const command = (messages: number, file: string) => `npm run load -- --saturate --messages ${messages} --out ${file}`;

function summarise(raw: unknown, source: 'run' | 'file', file: string): SaturateLoadResult {
  const parsed = loadFileSchema.parse(raw);
  if (!parsed.saturate) throw new Error(`${file} is not a --saturate run`);
  const web = parsed.channels.find((c) => c.channel === 'web');
  const teams = parsed.channels.find((c) => c.channel === 'teams');
  return {
    measured_at: parsed.generated_at,
    command: command(parsed.messages_per_user, file),
    source,
    messages_per_user: parsed.messages_per_user,
    ...(web ? { web } : {}),
    ...(teams ? { teams } : {}),
    ...(web && teams && web.latency.p99 > 0 ? { p99_ratio: Math.round((teams.latency.p99 / web.latency.p99) * 100) / 100 } : {}),
    stored: parsed.stored,
    sent: parsed.channels.reduce((s, c) => s + c.sent, 0),
    problems: parsed.problems.length,
    alive: parsed.alive,
    ...(parsed.load_average_at_end ? { load_average_at_end: parsed.load_average_at_end } : {}),
  };
}

/** The last `npm run load -- --saturate --out FILE` result. */
export function readSaturateLoad(file: string): SaturateLoadResult {
  const path = resolve(file);
  if (!existsSync(path)) throw new Error(`no saturating load result in ${file}: run \`${command(5, file)}\` first, or \`helpdesk bench --load run\``);
  return summarise(JSON.parse(readFileSync(path, 'utf8')), 'file', file);
}

/** Runs the saturating load now (a few minutes: the server starts, then 2 × 100 users × `messages`). */
export async function runSaturateLoad(options: { messages: number; file: string }, progress: Progress): Promise<SaturateLoadResult> {
  const script = join(ROOT, 'bench', 'load.ts');
  if (!existsSync(script)) throw new Error(`${script} not found: the saturating load runs from a checkout of the repository`);
  progress(`saturating load: ${command(options.messages, options.file)}`);
  const file = resolve(options.file);
  // Never mistake the previous run's result for this one's.
  rmSync(file, { force: true });
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--saturate', '--messages', String(options.messages), '--out', file], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    for (const line of d.toString().split('\n')) if (line.trim()) progress(`load: ${line.trim()}`);
  });
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  // The load script exits 1 when a message failed; its result file still says which, and the table shows it.
  if (!existsSync(file)) throw new Error(`the saturating load exited (${code}) without a result\n${err.slice(-2000)}`);
  return summarise(JSON.parse(readFileSync(file, 'utf8')), 'run', options.file);
}
