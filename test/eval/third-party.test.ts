import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Metrics, Summary } from '../../src/engine/eval/metrics.js';
import type { Baselines } from '../../src/cli/commands/eval.js';

/**
 * Acceptance on knowledge written by others: the REPORT split of eval/third-party (never used
 * for fitting or tuning), with the default embedder and no language model, after zero-label
 * calibration (`helpdesk eval` runs it itself on a knowledge base with no calibration of its
 * own, from a cold DATA_DIR, and says so). Bars from issue 14.
 */
const root = new URL('../../', import.meta.url).pathname;
const questions = join(root, 'eval/third-party/questions');
const knowledge = join(root, 'eval/third-party/knowledge');
const present = existsSync(questions) && existsSync(knowledge);
const data = mkdtempSync(join(tmpdir(), 'helpdesk-third-party-'));
afterAll(() => rmSync(data, { recursive: true, force: true }));

type ThirdPartySummary = Summary & { baseline: Baselines; fr_only_en?: Metrics };

describe.skipIf(!present)('eval/third-party (report split, zero-label calibration)', () => {
  it('meets the acceptance bars, above the MiniSearch baseline', { timeout: 3_600_000 }, () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'eval', '--kb', knowledge, '--queries', questions, '--split', 'report', '--json'],
      { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: data }, timeout: 3_600_000, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/has no calibration of its own: zero-label calibration/);
    const s = (JSON.parse(r.stdout) as { summary: ThirdPartySummary }).summary;
    const en = s.by_lang.en;
    const fr = s.by_lang.fr;
    console.log(
      'third-party report split',
      JSON.stringify({
        recall_at_1: { all: s.recall_at_1, en: en.recall_at_1, fr: fr.recall_at_1, fr_only_en: s.fr_only_en?.recall_at_1, minisearch_en: s.baseline.minisearch.by_lang.en.recall_at_1 },
        answered_precision: s.answered_precision,
        coverage: s.coverage,
        oos_escalated_rate: s.oos_escalated_rate,
        decision_accuracy: s.decision_accuracy,
        always_escalate: s.baseline.always_escalate.decision_accuracy,
      }),
    );
    expect(s.queries).toBeGreaterThanOrEqual(100);
    expect(en.recall_at_1).toBeGreaterThanOrEqual(0.7);
    expect(en.recall_at_1 - s.baseline.minisearch.by_lang.en.recall_at_1).toBeGreaterThanOrEqual(0.1);
    expect(en.recall_at_1 - fr.recall_at_1).toBeLessThanOrEqual(0.1);
    if (s.fr_only_en) expect(s.fr_only_en.recall_at_1).toBeGreaterThanOrEqual(0.5);
    expect(s.answered_precision).toBeGreaterThanOrEqual(0.85);
    expect(s.coverage).toBeGreaterThanOrEqual(0.4);
    expect(s.oos_escalated_rate).toBeGreaterThanOrEqual(0.9);
  });
});

describe.skipIf(present)('eval/third-party', () => {
  it.skip('skipped: eval/third-party/questions is not in this checkout (the data lands with issue 14 part 1)', () => undefined);
});
