import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../src/bench/run.js';
import { formatResults } from '../../src/bench/report.js';

/**
 * `helpdesk bench` end to end, in miniature: the fixture knowledge base as seeds, five labelled
 * queries, generated bases of 20 and 40 articles and 3,000 vectors, with the real embedder, each
 * phase in its own process. Checks the command wiring and the results' shape, not the numbers.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KB = join(ROOT, 'test/fixtures/kb-basic');

describe('helpdesk bench', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'helpdesk-bench-cli-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('runs every phase and writes the results, printing them as JSON with --json', async () => {
    const queries = join(tmp, 'queries.jsonl');
    writeFileSync(
      queries,
      [
        { id: '1', query: 'vpn error 809 at home', expected: ['vpn-cannot-connect'], split: 'report' },
        { id: '2', query: "j'ai oublié mon mot de passe", expected: ['password-reset'], split: 'report' },
        { id: '3', query: 'the camera is black in teams', expected: ['teams-camera'], split: 'calibration' },
        { id: '4', query: 'how do I order a new desk chair', expected: [], split: 'report' },
        { id: '5', query: 'paper jam in the printer', expected: ['printer-jam'], split: 'calibration' },
      ]
        .map((q) => JSON.stringify(q))
        .join('\n'),
    );
    const out = join(tmp, 'results.json');
    const args = ['--import', 'tsx', 'src/cli/main.ts', 'bench', '--kb', KB, '--queries', queries, '--sizes', '20,40', '--vectors', '3000', '--work', join(tmp, 'work'), '--out', out, '--json'];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);

    const printed = JSON.parse(stdout) as BenchResults;
    expect(existsSync(out)).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(printed);
    expect(stderr).toMatch(/quality and cold\/warm builds/);

    expect(printed.quality!.systems.map((s) => s.name)).toEqual(['helpdesk-bot', 'MiniSearch', 'Orama']);
    expect(Object.keys(printed.quality!.queries)).toEqual(['all', 'report']);
    expect(printed.quality!.systems[0]!.gate?.all).toBeDefined();
    expect(printed.quality!.systems[1]!.gate).toBeUndefined();
    expect(printed.quality!.builds.cold.embedded).toBeGreaterThan(0);
    expect(printed.quality!.builds.warm.embedded).toBe(0);
    expect(printed.knowledge_bases.map((k) => k.build.articles)).toEqual([20, 40]);
    for (const kb of printed.knowledge_bases) {
      expect(kb.build.mode).toBe('hybrid');
      expect(kb.latency?.queries).toBe(5);
      expect(kb.latency?.engine.p95).toBeGreaterThan(0);
      expect(kb.peak_rss_mb).toBeGreaterThan(0);
      expect(kb.build_peak_rss_mb).toBeGreaterThan(0);
      expect(kb.serving_rss_mb).toBeGreaterThan(0);
      expect(kb.index_load_s).toBeGreaterThanOrEqual(0);
      expect(kb.latency?.floor_cpu_ms_p50).toBeGreaterThan(0);
      expect(kb.latency?.load_average).toHaveLength(2);
    }
    // The smaller base reuses the embeddings the larger one cached.
    expect(printed.knowledge_bases[0]!.build.embedded).toBe(0);
    expect(printed.vectors!.full.vectors).toBe(3000);
    expect(printed.vectors!.full.real + printed.vectors!.full.synthetic).toBe(3000);
    expect(printed.vectors!.full.hnsw_k10.recall_at_10).toBeGreaterThan(0);

    const tables = formatResults(printed);
    for (const row of ['query embedding (the floor), p50', 'engine p95 / floor at 1,000 articles', 'engine p95 / floor at 10,000 articles', 'engine p95 / floor at 50,000 articles', 'build (peak) / serving', 'cold indexing, embedded texts per second', 'npm run load -- --saturate']) {
      expect(tables).toContain(row);
    }
    for (const heading of ['Targets (issue 20)', 'Decision latency', 'Vector search', 'Quality on the dev set', 'Index builds']) expect(tables).toContain(heading);
  }, 600_000);
});
