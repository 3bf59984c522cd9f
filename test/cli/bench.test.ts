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
    const args = ['--import', 'tsx', 'src/cli/main.ts', 'bench', '--kb', KB, '--queries', queries, '--sizes', '20,40,60', '--stand-in', '60', '--skip', 'load', '--vectors', '3000', '--work', join(tmp, 'work'), '--out', out, '--json'];
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
    expect(stderr).toMatch(/serving after a restart, largest RSS \d+ MB over 5 decisions/);

    expect(printed.quality!.systems.map((s) => s.name)).toEqual(['helpdesk-bot', 'MiniSearch', 'Orama']);
    expect(Object.keys(printed.quality!.queries)).toEqual(['all', 'report']);
    expect(printed.quality!.systems[0]!.gate?.all).toBeDefined();
    expect(printed.quality!.systems[1]!.gate).toBeUndefined();
    expect(printed.quality!.builds.cold.embedded).toBeGreaterThan(0);
    expect(printed.quality!.builds.warm.embedded).toBe(0);
    expect(printed.phases_run).toEqual(['quality', 'knowledge', 'vectors']);
    expect(printed.knowledge_bases.map((k) => k.build.articles)).toEqual([20, 40, 60]);
    // The stand-in base: nothing embedded for real, every text given a stand-in, the questions still timed.
    const standIn = printed.knowledge_bases[2]!;
    expect(standIn.stand_in_vectors).toBe(true);
    expect(standIn.build.stand_in).toBe(standIn.build.embedded);
    expect(standIn.build.stand_in).toBeGreaterThan(0);
    expect(printed.knowledge_bases.filter((k) => !k.stand_in_vectors).every((k) => k.build.stand_in === undefined)).toBe(true);
    for (const kb of printed.knowledge_bases) {
      expect(kb.build.mode).toBe('hybrid');
      expect(kb.latency?.queries).toBe(5);
      expect(kb.latency?.engine.p95).toBeGreaterThan(0);
      expect(kb.peak_rss_mb).toBeGreaterThan(0);
      expect(kb.build_peak_rss_mb).toBeGreaterThan(0);
      expect(kb.serving_rss_mb).toBeGreaterThan(0);
      expect(kb.index_load_s).toBeGreaterThanOrEqual(0);
      // Measured in a process of its own that opened the saved index and decided the questions.
      expect(kb.restart_serving_rss_mb).toBeGreaterThan(0);
      expect(kb.latency?.floor_cpu_ms_p50).toBeGreaterThan(0);
      expect(kb.latency?.load_average).toHaveLength(2);
    }
    // The smaller base reuses the embeddings the larger one cached.
    expect(printed.knowledge_bases[0]!.build.embedded).toBe(0);
    expect(printed.vectors!.full.vectors).toBe(3000);
    expect(printed.vectors!.full.real + printed.vectors!.full.synthetic).toBe(3000);
    expect(printed.vectors!.full.hnsw_k10.recall_at_10).toBeGreaterThan(0);

    const tables = formatResults(printed);
    for (const row of ['query embedding (the floor), p50', 'engine p95 / floor at 1,000 articles', 'engine p95 / floor at 10,000 articles', 'engine p95 / floor at 50,000 articles', 'build (peak) / serving / serving after a restart', 'cold indexing, embedded texts per second', 'npm run load -- --saturate']) {
      expect(tables).toContain(row);
    }
    expect(tables).toContain('STAND-IN');

    // Run alone, a phase leaves the others' numbers in the results file, dated.
    const again = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'bench', '--kb', KB, '--queries', queries, '--sizes', '20', '--stand-in', 'none', '--skip', 'quality,vectors,load', '--work', join(tmp, 'work'), '--out', out, '--json'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout2 = '';
    again.stdout.on('data', (d: Buffer) => (stdout2 += d.toString()));
    expect(await new Promise<number | null>((resolve) => again.on('exit', resolve))).toBe(0);
    const merged = JSON.parse(stdout2) as BenchResults;
    expect(merged.phases_run).toEqual(['knowledge']);
    expect(merged.quality!.measured_at).toBe(printed.generated_at);
    expect(merged.vectors!.measured_at).toBe(printed.generated_at);
    expect(merged.knowledge_bases.map((k) => [k.build.articles, k.measured_at])).toEqual([
      [20, undefined],
      [40, printed.generated_at],
      [60, printed.generated_at],
    ]);
    for (const heading of ['Targets (issue 20)', 'Decision latency', 'Vector search', 'Quality on the dev set', 'Index builds']) expect(tables).toContain(heading);
  }, 600_000);
});
