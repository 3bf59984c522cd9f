import { describe, expect, it } from 'vitest';
import { fitLogistic, predict, sigmoid } from '../../../src/engine/gate/logistic.js';

describe('logistic regression', () => {
  it('recovers the direction and calibration of a noisy separable problem', () => {
    // Labels drawn from a known logistic model with a deterministic generator.
    let s = 7;
    const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const rows: Record<string, number>[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const x = rand() * 4 - 2;
      const z = rand() * 4 - 2;
      rows.push({ x, z });
      labels.push(rand() < sigmoid(3 * x - 1) ? 1 : 0);
    }
    const model = fitLogistic(['x', 'z'], rows, labels, { l2: 0.01 });
    // Back on the raw scale: weight ≈ 3 on x, ≈ 0 on z, bias ≈ -1.
    const wx = model.weights[0]! / model.std[0]!;
    const wz = model.weights[1]! / model.std[1]!;
    expect(wx).toBeGreaterThan(2.5);
    expect(wx).toBeLessThan(3.5);
    expect(Math.abs(wz)).toBeLessThan(0.3);
    expect(predict(model, { x: 1 / 3, z: 0 })).toBeCloseTo(0.5, 1);
    expect(predict(model, { x: 2, z: 0 })).toBeGreaterThan(0.95);
  });

  it('stays finite on perfectly separated data thanks to the penalty', () => {
    const model = fitLogistic(['x'], [{ x: 0 }, { x: 1 }, { x: 2 }, { x: 3 }], [0, 0, 1, 1], { l2: 1 });
    expect(Number.isFinite(model.weights[0]!)).toBe(true);
    expect(predict(model, { x: 3 })).toBeGreaterThan(predict(model, { x: 0 }));
  });

  it('ignores constant features', () => {
    const model = fitLogistic(['x', 'c'], [{ x: 0, c: 1 }, { x: 1, c: 1 }, { x: 2, c: 1 }, { x: 3, c: 1 }], [0, 1, 0, 1]);
    expect(model.std[1]).toBe(1);
    expect(model.weights[1]).toBeCloseTo(0, 6);
  });
});
