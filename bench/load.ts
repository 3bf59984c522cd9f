/**
 * Load test: N simulated users × M messages each, through the web chat API and the Bot Framework
 * endpoint at the same time, against the real server process (src/main.ts) with the default
 * embedder, then every message checked in the SQLite database. Usage:
 *   npm run load -- [--users 50] [--messages 20] [--channels web,teams] [--provider use|none] [--json]
 *   npm run load -- --saturate --out bench/load-saturate.json   # what `npm run bench` reports
 *   npm run load -- --saturate   # 100 users, no think time, on the web chat alone and then on the
 *                                # Bot Framework endpoint alone: the same load on each, p50/p95/p99 side by side
 * The per-user rate limit is off for the run (RATE_LIMIT_BURST=0): simulated users type far faster
 * than people, and the point is to measure the turns, not the limiter.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { readDevSet } from '../src/engine/eval/dev-set.js';
import { startBotConnectorServer } from '../test/helpers/bot-connector-server.js';
import { REPO_KNOWLEDGE, ROOT, startServerProcess } from '../test/helpers/server-process.js';
import { checkStored, failureReason, runLoad, type LoadChannel } from './load-driver.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '50' },
    messages: { type: 'string', default: '20' },
    channels: { type: 'string', default: 'web,teams' },
    provider: { type: 'string', default: 'use' },
    json: { type: 'boolean', default: false },
    saturate: { type: 'boolean', default: false },
    // Where to also write the JSON result (`npm run bench` reads bench/load-saturate.json).
    out: { type: 'string' },
  },
});
const users = values.saturate ? 100 : Number(values.users);
const messages = Number(values.messages);
const channels = values.channels!.split(',').map((c) => c.trim()) as LoadChannel[];
if (!Number.isInteger(users) || users < 1 || !Number.isInteger(messages) || messages < 1) throw new Error('--users and --messages must be positive integers');
if (channels.some((c) => c !== 'web' && c !== 'teams')) throw new Error('--channels: web and/or teams');
const log = (line: string) => process.stderr.write(`${line}\n`);

const dir = mkdtempSync(join(tmpdir(), 'helpdesk-load-'));
const connector = await startBotConnectorServer();
log(`starting the server (EMBEDDINGS_PROVIDER=${values.provider}, data in ${dir})`);
const started = Date.now();
const server = await startServerProcess({
  env: {
    DATA_DIR: join(dir, 'data'),
    KB_DIR: REPO_KNOWLEDGE,
    EMBEDDINGS_PROVIDER: values.provider!,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_BURST: '0',
    RATE_LIMIT_ADDRESS_BURST: '0',
    TICKET_RATE_LIMIT_BURST: '0',
  },
  timeoutMs: 600_000,
});
log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${server.url}; ${users} users × ${messages} messages on ${channels.join(' + ')}`);
let exitCode = 0;
try {
  let last = 0;
  // Saturating: one channel at a time, so each meets the same load and their tails compare.
  const rounds = values.saturate ? channels.map((c) => [c]) : [channels];
  const reports = [];
  for (const round of rounds) {
    const load = loadavg()[0]!.toFixed(2);
    const done = await runLoad({
        url: server.url,
        connector,
        users,
        messages,
        channels: round,
        texts: readDevSet(join(ROOT, 'eval/dev.jsonl')).map((q) => q.query),
        onProgress: (done, total) => {
          if (Date.now() - last > 5000 || done === total) {
            last = Date.now();
            log(`  ${round.join('+')}: ${done}/${total} messages answered (load average ${loadavg()[0]!.toFixed(2)}, at start ${load})`);
          }
        },
      });
    reports.push({ ...done, channels: done.channels.map((c) => ({ ...c, load_average_at_start: Number(load) })) });
  }
  const report = { ...reports[0]!, channels: reports.flatMap((r) => r.channels), sent: reports.flatMap((r) => r.sent), seconds: reports.reduce((s, r) => s + r.seconds, 0) };
  const stored = checkStored(join(dir, 'data', 'helpdesk.db'), report.sent);
  const alive = server.child.exitCode === null && (await fetch(`${server.url}/readyz`)).status === 200;
  const failed = report.channels.reduce((s, c) => s + c.failed, 0);
  const summary = {
    ...report,
    sent: undefined,
    saturate: values.saturate,
    messages_per_user: messages,
    generated_at: new Date().toISOString(),
    load_average_at_end: loadavg().map((x) => Math.round(x * 100) / 100),
    // Failed messages: how long the client waited before each failure, to tell timeouts from refusals.
    failed_ms: report.sent.filter((m) => failureReason(m)).map((m) => Math.round(m.ms)),
    stored: stored.stored,
    problems: stored.problems,
    // The server's own warnings and errors during the run (LOG_LEVEL=warn), by message.
    server_log: server.logs().reduce<Record<string, number>>((acc, l) => {
      const key = `${l.level === 50 ? 'error' : l.level === 60 ? 'fatal' : 'warn'}: ${String(l.msg)}${l.err ? ` (${String(l.err).slice(0, 120)})` : ''}`;
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {}),
    alive,
    cpus: cpus().length,
  };
  if (values.out) {
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify(summary, null, 2)}\n`);
    log(`result written to ${values.out}`);
  }
  if (values.json) {
    console.log(JSON.stringify(summary));
  } else {
    console.log(`| channel | users | messages | buttons | ok | failed | p50 ms | p95 ms | p99 ms | msg/s |`);
    console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
    for (const c of report.channels) {
      console.log(`| ${c.channel} | ${c.users} | ${c.sent} | ${c.buttons} | ${c.ok} | ${c.failed} | ${c.latency.p50.toFixed(0)} | ${c.latency.p95.toFixed(0)} | ${c.latency.p99.toFixed(0)} | ${c.throughput_per_s} |`);
    }
    for (const c of report.channels) {
      for (const [why, n] of Object.entries(c.failures)) console.log(`  ${c.channel} failed: ${n} × ${why}`);
    }
    if (values.saturate) {
      const [web, teams] = ['web', 'teams'].map((c) => report.channels.find((r) => r.channel === c));
      if (web && teams) console.log(`\nBot Framework p99 / web chat p99 under the same saturating load: ${(teams.latency.p99 / web.latency.p99).toFixed(2)}× (target ≤ 2×)`);
    }
    console.log(`\n${report.sent.length} messages in ${report.seconds} s on ${cpus().length} cores (load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')}); stored once, handled and answered with exactly the delivered replies: ${stored.stored}/${report.sent.length}; server still ready: ${alive}`);
    for (const p of stored.problems.slice(0, 20)) console.log(`  problem: ${p}`);
    for (const [line, n] of Object.entries(summary.server_log)) console.log(`  server log: ${n} × ${line}`);
  }
  if (failed > 0 || stored.problems.length > 0 || stored.stored !== report.sent.length || !alive) exitCode = 1;
} finally {
  await server.stop();
  await connector.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
