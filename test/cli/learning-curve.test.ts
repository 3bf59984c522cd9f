import { describe, expect, it } from 'vitest';
import { bestCoverageAt, drawOrder } from '../../src/cli/commands/learning-curve.js';
import { readQueryFiles, selectSplit } from '../../src/engine/eval/dev-set.js';

describe('helpdesk learning-curve', () => {
  it('draws labels from the calibration split only, in a fixed order, so 25 ⊂ 50 ⊂ 100', () => {
    const all = readQueryFiles([new URL('../../eval/third-party/questions', import.meta.url).pathname]);
    const pool = drawOrder(selectSplit(all, 'calibration'));
    expect(pool.length).toBeGreaterThanOrEqual(100);
    expect(pool.every((q) => q.split === 'calibration')).toBe(true);
    expect(drawOrder([...pool].reverse()).map((q) => q.id)).toEqual(pool.map((q) => q.id));
    // Both kinds of label are drawn early on.
    expect(pool.slice(0, 25).some((q) => q.expected.length === 0)).toBe(true);
    expect(pool.slice(0, 25).some((q) => q.expected.length > 0)).toBe(true);
  });

  it('reports the best coverage at precision ≥ 0.85 with at least 5 answers, or none', () => {
    const row = (threshold: number, answered: number, answered_precision: number, coverage: number) => ({ threshold, answered, answered_precision, coverage, risk: 1 - answered_precision, oos_escalated_rate: 1 });
    expect(bestCoverageAt([row(0.5, 40, 0.6, 0.3), row(0.7, 10, 0.9, 0.1), row(0.8, 6, 1, 0.06), row(0.9, 1, 1, 0.01)])).toEqual({ threshold: 0.7, answered: 10, answered_precision: 0.9, coverage: 0.1 });
    expect(bestCoverageAt([row(0.9, 2, 1, 0.02)])).toBeUndefined();
  });
});
