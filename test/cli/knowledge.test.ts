import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

/** End to end: the real `helpdesk` CLI in a child process, on temporary folders. */
const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'helpdesk-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// Each test spawns the CLI, which loads the embedding model: slow on a busy 2-core machine.
vi.setConfig({ testTimeout: 180_000 });

function helpdesk(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: join(tmp, 'data'), ...env },
    timeout: 170_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('helpdesk lint', () => {
  it('lists errors with file and line and exits 1', () => {
    const r = helpdesk(['lint', '--kb', join(fixtures, 'kb-broken')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('articles/dup-b.md:2: error: duplicate id "same-id"');
    expect(r.stdout).toContain('articles/bad-date.md:4: error: invalid "updated"');
    expect(r.stdout).toMatch(/articles\/bad-yaml\.md:4: error: invalid YAML/);
    expect(r.stdout).toMatch(/\d+ error\(s\), \d+ warning\(s\)\n$/);
  });

  it('passes a clean folder, with --json', () => {
    const r = helpdesk(['lint', '--kb', join(fixtures, 'kb-basic'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ errors: 0, warnings: 2 });
  });
});

describe('helpdesk index / ask', () => {
  const data = join(tmp, 'basic-data');

  it('indexes with embeddings, then reuses the cache and the persisted index', () => {
    const first = helpdesk(['index', '--kb', join(fixtures, 'kb-basic'), '--data', data]);
    expect(first.code).toBe(0);
    expect(first.stdout, first.stderr).toMatch(/^indexed 6 articles, \d+ chunks, \d+ vectors \(hybrid, use universal-sentence-encoder-lite@/);
    expect(first.stderr).toContain('vector index rebuilt: no index yet');
    expect(existsSync(join(data, 'embeddings.sqlite'))).toBe(true);
    const second = helpdesk(['index', '--kb', join(fixtures, 'kb-basic'), '--data', data]);
    expect(second.stdout).toMatch(/; 0 texts embedded now/);
    expect(second.stderr).not.toContain('rebuilt');
  });

  it('answers a French question in French, as JSON', () => {
    const r = helpdesk(['ask', 'mot de passe oublié', '--kb', join(fixtures, 'kb-basic'), '--data', data, '--json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.queryLang).toBe('fr');
    expect(d.candidates[0]).toMatchObject({ articleId: 'password-reset-fr', lang: 'fr' });
    expect(['answer', 'clarify', 'escalate']).toContain(d.kind);
    expect(d.confidence).toBeGreaterThanOrEqual(0);
    expect(d.confidence).toBeLessThanOrEqual(1);
    expect(typeof d.explanation).toBe('string');
  });

  it('prints a readable decision', () => {
    const r = helpdesk(['ask', 'vpn error 809', '--kb', join(fixtures, 'kb-basic'), '--data', data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^(ANSWER|CLARIFY|ESCALATE) {2}confidence \d\.\d\d {2}\(en\)/);
    expect(r.stdout).toMatch(/Candidates:\n {2}\d\.\d{3} {2}vpn-cannot-connect {2}The VPN will not connect/);
  });

  it('starts lexical-only with a loud warning when the configured model cannot load', () => {
    const r = helpdesk(['index', '--kb', join(fixtures, 'kb-basic'), '--data', join(tmp, 'nomodel')], {
      EMBEDDINGS_PROVIDER: 'transformers',
      MODELS_DIR: join(tmp, 'no-models-here'),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: EMBEDDINGS UNAVAILABLE \(transformers Xenova\/multilingual-e5-small\)/);
    expect(r.stdout).toMatch(/indexed 6 articles, \d+ chunks, 0 vectors \(lexical-only\)/);
  });
});

describe('helpdesk eval / calibrate on third-party articles', () => {
  const kb = join(tmp, 'third-party');
  const queries = join(tmp, 'queries.jsonl');
  const topics = ['printer jam', 'vpn error', 'password reset', 'teams camera', 'disk full', 'wifi guest', 'outlook archive', 'bluetooth mouse'];
  mkdirSync(kb, { recursive: true });
  topics.forEach((t, i) =>
    writeFileSync(join(kb, `doc-${i}.md`), `---\nid: doc-${i}\ntitle: How to fix ${t}\nauthor: someone\n---\n\nSteps for ${t}: restart and retry.\n`),
  );
  const lines = [
    ...topics.map((t, i) => ({ id: `a${i}`, query: `${t} problem`, expected: [`doc-${i}`], split: i % 2 ? 'report' : 'calibration' })),
    ...['badge door access', 'expense report', 'sap error', 'order toner'].map((q, i) => ({ id: `o${i}`, query: q, expected: [], split: i % 2 ? 'report' : 'calibration' })),
  ];
  writeFileSync(queries, lines.map((l) => JSON.stringify(l)).join('\n'));

  it('prints exactly the documented JSON', () => {
    const r = helpdesk(['eval', '--kb', kb, '--queries', queries, '--json', '--data', join(tmp, 'tp-data')], { EMBEDDINGS_PROVIDER: 'none' });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const keys = [
      'queries', 'answerable', 'out_of_scope', 'recall_at_1', 'recall_at_5', 'mrr_at_10', 'answered', 'answered_correct',
      'answered_precision', 'coverage', 'clarified', 'oos_escalated_rate', 'decision_accuracy',
    ];
    expect(Object.keys(out)).toEqual(['summary', 'routing', 'results']);
    // The documented keys first, unchanged; breakdowns and baselines are added after them.
    expect(Object.keys(out.summary).slice(0, keys.length + 1)).toEqual([...keys, 'by_lang']);
    expect(Object.keys(out.summary.by_source)).toEqual(['queries']);
    expect(out.summary.baseline.minisearch).toMatchObject({ answerable: 8, recall_at_1: expect.any(Number) });
    expect(out.summary.baseline.always_escalate.decision_accuracy).toBeCloseTo(4 / 12, 3);
    expect(Object.keys(out.summary.by_lang)).toEqual(['en', 'fr']);
    expect(Object.keys(out.summary.by_lang.en)).toEqual(keys);
    expect(out.summary).toMatchObject({ queries: 12, answerable: 8, out_of_scope: 4, recall_at_1: 1 });
    expect(out.results).toHaveLength(12);
    expect(Object.keys(out.results[0])).toEqual(['id', 'decision', 'confidence', 'articles']);
    expect(Object.keys(out.results[0].articles[0])).toEqual(['id', 'score']);
    expect(out.results[0].articles[0].id).toBe('doc-0');
  });

  it('evaluates one split and prints the risk-coverage table', () => {
    const r = helpdesk(['eval', '--kb', kb, '--queries', queries, '--split', 'report', '--sweep', '--data', join(tmp, 'tp-data')], {
      EMBEDDINGS_PROVIDER: 'none',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6 queries (split report), 8 articles, lexical-only');
    expect(r.stdout).toMatch(/\| recall_at_1 \| 1\.000 \| 1\.000 \| 0\.000 \|/);
    expect(r.stdout).toMatch(/\| answer threshold \| answered \| precision \| risk \| coverage \| oos escalated \|/);
    expect(r.stdout.match(/^\| 0\.\d\d \|/gm)).toHaveLength(20);
    expect(r.stdout).toMatch(/\| recall_at_1 \(bot vs MiniSearch\) \| 1\.000 vs \d\.\d{3} \|/);
    expect(r.stdout).toMatch(/\| decision_accuracy \(bot vs always escalate\) \| \d\.\d{3} vs 0\.333 \|/);
  });

  it('reads a folder of query files with extra fields and breaks the results down by source', () => {
    const dir = join(tmp, 'questions');
    mkdirSync(dir, { recursive: true });
    const extra = { lang: 'en', source_url: 'https://example.org/t/1', label_by: 'third-party', label_reason: 'reply links the page', translated: false, kind: 'short' };
    writeFileSync(join(dir, 'forum-a.jsonl'), lines.slice(0, 6).map((l) => JSON.stringify({ ...l, ...extra, source: 'forum-a' })).join('\n'));
    writeFileSync(join(dir, 'forum-b.jsonl'), lines.slice(6).map((l) => JSON.stringify({ ...l, ...extra })).join('\n'));
    const r = helpdesk(['eval', '--kb', kb, '--queries', dir, '--data', join(tmp, 'tp-data')], { EMBEDDINGS_PROVIDER: 'none' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('12 queries (split all), 8 articles, lexical-only');
    expect(r.stdout).toMatch(/^\| forum-a \| 6 \| 6 \| 1\.000 \|/m);
    expect(r.stdout).toMatch(/^\| forum-b \| 6 \| 2 \| 1\.000 \|/m);
    expect(r.stdout).toMatch(/^\| en short \| 12 \| 8 \|/m);
    const dup = helpdesk(['eval', '--kb', kb, '--queries', dir, queries, '--data', join(tmp, 'tp-data')], { EMBEDDINGS_PROVIDER: 'none' });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/duplicate id "a0"/);
  });

  it('calibrates on the calibration split only and writes models with provenance', () => {
    const many = join(tmp, 'many.jsonl');
    writeFileSync(many, Array.from({ length: 4 }, (_, k) => lines.map((l) => JSON.stringify({ ...l, id: `${l.id}-${k}`, split: 'calibration' }))).flat().join('\n'));
    const out = join(tmp, 'models');
    const r = helpdesk(['calibrate', '--kb', kb, '--queries', many, '--out', out, '--data', join(tmp, 'tp-data')], { EMBEDDINGS_PROVIDER: 'none' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^lexical-only: answer ≥ 0\.\d\d, clarify ≥ 0\.\d\d; out-of-fold precision/);
    const model = JSON.parse(readFileSync(join(out, 'gate-lexical-only.json'), 'utf8'));
    expect(model).toMatchObject({ version: 1, mode: 'lexical-only', provenance: { devSet: { split: 'calibration', queries: 48, outOfScope: 16 } } });
    const refused = helpdesk(['calibrate', '--kb', kb, '--queries', many, '--split', 'report', '--out', out], { EMBEDDINGS_PROVIDER: 'none' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the report split is for measuring only');
  });
});
