/**
 * Load test: N simulated users × M messages each, through the web chat API and the Bot Framework
 * endpoint at the same time, against the real server process (src/main.ts) with the default
 * embedder, then every message checked in the SQLite database. Usage:
 *   npm run load -- [--users 50] [--messages 20] [--channels web,teams] [--provider use|none] [--json]
 *   npm run load -- --saturate   # 100 users, no think time, on the web chat alone and then on the
 *                                # Bot Framework endpoint alone: the same load on each, p50/p95/p99 side by side
 *   npm run load -- --replicas 3 --database postgres [--users 20 --messages 5]
 *                                # N server processes behind a round-robin proxy this script starts, on a fresh
 *                                # PostgreSQL database it creates (and drops after), checked there
 * With --replicas or --database, every request goes through the proxy (1 replica too, so rows compare);
 * without either, the run is the single server on SQLite it always was (CI runs that).
 * Several replicas on SQLite are refused: not a supported configuration (README "Several replicas").
 * The per-user rate limit is off for the run (RATE_LIMIT_BURST=0): simulated users type far faster
 * than people, and the point is to measure the turns, not the limiter.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readDevSet } from '../src/engine/eval/dev-set.js';
import { startBotConnectorServer } from '../test/helpers/bot-connector-server.js';
import { REPO_KNOWLEDGE, ROOT, startServerProcess, type ServerProcess } from '../test/helpers/server-process.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/postgres.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../test/helpers/round-robin-proxy.js';
import { checkStored, checkStoredPostgres, runLoad, type LoadChannel } from './load-driver.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '50' },
    messages: { type: 'string', default: '20' },
    channels: { type: 'string', default: 'web,teams' },
    provider: { type: 'string', default: 'use' },
    json: { type: 'boolean', default: false },
    saturate: { type: 'boolean', default: false },
    replicas: { type: 'string' },
    database: { type: 'string' },
  },
});
const users = values.saturate ? 100 : Number(values.users);
const messages = Number(values.messages);
const channels = values.channels!.split(',').map((c) => c.trim()) as LoadChannel[];
if (!Number.isInteger(users) || users < 1 || !Number.isInteger(messages) || messages < 1) throw new Error('--users and --messages must be positive integers');
if (channels.some((c) => c !== 'web' && c !== 'teams')) throw new Error('--channels: web and/or teams');
const log = (line: string) => process.stderr.write(`${line}\n`);
// Replica mode: any of the two new flags. Without them nothing below changes from the single-server run.
const clustered = values.replicas !== undefined || values.database !== undefined;
const replicas = Number(values.replicas ?? '1');
const database = (values.database ?? 'sqlite') as 'sqlite' | 'postgres';
if (!Number.isInteger(replicas) || replicas < 1) throw new Error('--replicas must be a positive integer');
if (database !== 'sqlite' && database !== 'postgres') throw new Error('--database: postgres or sqlite');
if (database === 'sqlite' && replicas > 1) {
  // One line and no measurement: numbers from an unsafe setup would look like a supported one.
  console.error(
    `load: --replicas ${replicas} --database sqlite refused: several server processes on one SQLite DATA_DIR are not a supported configuration (the server starts them, but without REDIS_URL each keeps its own turn locks, web chat bus, rate limits and jobs, and a SQLite file is one host's, so it gives no availability); use --database postgres for several replicas, --replicas 1 on SQLite (README "Several replicas")`,
  );
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'helpdesk-load-'));
const connector = await startBotConnectorServer();
const serverEnv = {
  KB_DIR: REPO_KNOWLEDGE,
  EMBEDDINGS_PROVIDER: values.provider!,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_BURST: '0',
  RATE_LIMIT_ADDRESS_BURST: '0',
  TICKET_RATE_LIMIT_BURST: '0',
};
const started = Date.now();
let replicaSet: ServerProcess[] = [];
let proxy: RoundRobinProxy | undefined;
let testDatabase: TestDatabase | undefined;
let targetUrl: string;
if (!clustered) {
  log(`starting the server (EMBEDDINGS_PROVIDER=${values.provider}, data in ${dir})`);
  const server = await startServerProcess({ env: { DATA_DIR: join(dir, 'data'), ...serverEnv }, timeoutMs: 600_000 });
  replicaSet = [server];
  targetUrl = server.url;
} else {
  if (database === 'postgres') {
    testDatabase = await createTestDatabase('hdload');
    log(`created PostgreSQL database ${testDatabase.name} (dropped after the run)`);
  }
  // Each replica its own DATA_DIR (vector index, caches); the shared state is the database. One session
  // secret for all, as a deployment sets WEB_SESSION_SECRET: a web user's cookie from one replica is
  // good on the next one the proxy picks.
  const sessionSecret = randomBytes(32).toString('hex');
  const replicaEnv = (i: number): Record<string, string> => ({
    DATA_DIR: join(dir, `data-${i}`),
    ...serverEnv,
    WEB_SESSION_SECRET: sessionSecret,
    ...(testDatabase ? { DATABASE_URL: testDatabase.url } : {}),
  });
  log(`starting ${replicas} replica(s) on ${database} (EMBEDDINGS_PROVIDER=${values.provider}, data in ${dir})`);
  try {
    // The first one alone: on PostgreSQL it fills the shared embedding cache, which the others then read.
    replicaSet.push(await startServerProcess({ env: replicaEnv(0), timeoutMs: 600_000 }));
    const rest = await Promise.allSettled(Array.from({ length: replicas - 1 }, (_, i) => startServerProcess({ env: replicaEnv(i + 1), timeoutMs: 600_000 })));
    for (const r of rest) if (r.status === 'fulfilled') replicaSet.push(r.value);
    const failed = rest.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await Promise.all(replicaSet.map((r) => r.stop()));
    await connector.close();
    await testDatabase?.drop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  proxy = await startRoundRobinProxy(replicaSet.map((r) => r.url));
  targetUrl = proxy.url;
}
log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${targetUrl}${proxy ? ` (round-robin over ${replicaSet.map((r) => r.url).join(', ')})` : ''}; ${users} users × ${messages} messages on ${channels.join(' + ')}`);
let exitCode = 0;
const loadAtStart = loadavg();
try {
  let last = 0;
  // Saturating: one channel at a time, so each meets the same load and their tails compare.
  const rounds = values.saturate ? channels.map((c) => [c]) : [channels];
  const reports = [];
  for (const round of rounds) {
    const load = loadavg()[0]!.toFixed(2);
    reports.push(
      await runLoad({
        url: targetUrl,
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
      }),
    );
  }
  const report = { ...reports[0]!, channels: reports.flatMap((r) => r.channels), sent: reports.flatMap((r) => r.sent), seconds: reports.reduce((s, r) => s + r.seconds, 0) };
  const stored = testDatabase
    ? await checkStoredPostgres(testDatabase.url, report.sent)
    : checkStored(join(dir, clustered ? 'data-0' : 'data', 'helpdesk.db'), report.sent);
  // Every replica, asked directly (not through the proxy).
  const ready = await Promise.all(replicaSet.map(async (r) => r.child.exitCode === null && r.child.signalCode === null && (await fetch(`${r.url}/readyz`).catch(() => undefined))?.status === 200));
  const alive = ready.every(Boolean);
  const failed = report.channels.reduce((s, c) => s + c.failed, 0);
  if (values.json) {
    console.log(JSON.stringify({ ...report, sent: undefined, stored: stored.stored, problems: stored.problems, alive, cpus: cpus().length, ...(clustered ? { replicas, database, provider: values.provider, loadAtStart, loadAtEnd: loadavg(), requestsPerReplica: replicaSet.map((r) => proxy?.counts.get(r.url) ?? 0) } : {}) }));
  } else {
    if (clustered) {
      const turns = Math.round((report.sent.length / report.seconds) * 10) / 10;
      console.log(`${replicas} replica(s) on ${database} behind a round-robin proxy (EMBEDDINGS_PROVIDER=${values.provider}): ${turns} turns/s in all; requests per replica: ${replicaSet.map((r) => proxy?.counts.get(r.url) ?? 0).join(', ')}; load average at start ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}\n`);
    }
    console.log(`| channel | users | messages | buttons | ok | failed | p50 ms | p95 ms | p99 ms | msg/s |`);
    console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
    for (const c of report.channels) {
      console.log(`| ${c.channel} | ${c.users} | ${c.sent} | ${c.buttons} | ${c.ok} | ${c.failed} | ${c.latency.p50.toFixed(0)} | ${c.latency.p95.toFixed(0)} | ${c.latency.p99.toFixed(0)} | ${c.throughput_per_s} |`);
    }
    if (values.saturate) {
      const [web, teams] = ['web', 'teams'].map((c) => report.channels.find((r) => r.channel === c));
      if (web && teams) console.log(`\nBot Framework p99 / web chat p99 under the same saturating load: ${(teams.latency.p99 / web.latency.p99).toFixed(2)}× (target ≤ 2×)`);
    }
    console.log(`\n${report.sent.length} messages in ${report.seconds} s on ${cpus().length} cores (load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')}); stored once, handled and answered with exactly the delivered replies: ${stored.stored}/${report.sent.length}; ${clustered ? `every replica still ready: ${alive} (${ready.filter(Boolean).length}/${ready.length})` : `server still ready: ${alive}`}`);
    for (const p of stored.problems.slice(0, 20)) console.log(`  problem: ${p}`);
    if (clustered) {
      // What the client saw for each failed message, and what the proxy saw towards the replicas.
      for (const m of report.sent.filter((x) => x.status !== 200 || x.replies < 1).slice(0, 20)) console.log(`  failed: ${m.channel} ${m.messageId}: HTTP ${m.status}, ${m.replies} replies${m.error ? `, ${m.error}` : ''}`);
      for (const e of proxy?.errors.slice(0, 20) ?? []) console.log(`  proxy: ${e.method} ${e.url} to ${e.upstream}: ${e.error}`);
      // A failed run: the replicas' own errors (pino level 50 and up, each message once), so it says why.
      if (stored.problems.length > 0 || failed > 0) {
        replicaSet.forEach((r, i) => {
          const seen = new Set<string>();
          for (const l of r.logs().filter((x) => Number(x.level) >= 50)) {
            const key = `${String(l.msg)} ${String(l.err)}`;
            if (seen.has(key) || seen.size >= 10) continue;
            seen.add(key);
            console.log(`  replica ${i}: ${JSON.stringify(l)}`);
          }
        });
      }
    }
  }
  if (failed > 0 || stored.problems.length > 0 || stored.stored !== report.sent.length || !alive) exitCode = 1;
} finally {
  await proxy?.close();
  await Promise.all(replicaSet.map((r) => r.stop()));
  await connector.close();
  await testDatabase?.drop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
