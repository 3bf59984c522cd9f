/**
 * Cost of coordination per backend: a turn lock taken and released (no contention), a rate-limit
 * take, a message published on one replica and received on another. Two replicas (separate pools
 * or clients) on the machine's PostgreSQL (fresh database) and Redis (fresh key prefix). Usage:
 *   npx tsx bench/coordination.ts [--n 300]
 */
import { parseArgs } from 'node:util';
import { BACKENDS } from '../test/helpers/coordination-backends.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '300' } } });
const n = Number(values.n);

function pct(xs: number[], p: number): string {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2);
}

async function timed(count: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await op(i);
    out.push(performance.now() - t);
  }
  return out;
}

console.log('| backend | operation | n | p50 ms | p95 ms |');
console.log('|---|---|---:|---:|---:|');
for (const backend of BACKENDS) {
  const cluster = await backend.cluster();
  try {
    const a = (await cluster.replica()).coordination;
    const b = (await cluster.replica()).coordination;
    const rows: Array<[string, number[]]> = [];
    rows.push(['lock run (uncontended)', await timed(n, (i) => a.lock.run(`bench-${i % 50}`, async () => undefined))]);
    const limiter = a.limiter('bench', { burst: 1_000_000, perMinute: 1_000_000 });
    rows.push(['rate-limit take', await timed(n, (i) => limiter.take(`user-${i % 50}`))]);
    let resolveNext: (() => void) | undefined;
    await b.bus.subscribe('bench', () => resolveNext?.());
    rows.push(['publish → other replica', await timed(n, () => new Promise<void>((r) => { resolveNext = r; void a.bus.publish('bench', 'x'.repeat(300)); }))]);
    rows.push(['job claim', await timed(n, (i) => a.jobs.claim('bench', i))]);
    for (const [name, xs] of rows) console.log(`| ${backend.name} | ${name} | ${n} | ${pct(xs, 50)} | ${pct(xs, 95)} |`);
  } finally {
    await cluster.dispose();
  }
}
