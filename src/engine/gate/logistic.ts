import { z } from 'zod';

/**
 * L2-regularised logistic regression on standardised features, small enough to fit in the
 * calibrate command and to ship as JSON. Fitted with Newton's method (a handful of features,
 * a few hundred examples), so results are deterministic.
 */

export const logisticModelSchema = z.object({
  features: z.array(z.string()).min(1),
  weights: z.array(z.number()),
  bias: z.number(),
  mean: z.array(z.number()),
  std: z.array(z.number().positive()),
});

export type LogisticModel = z.infer<typeof logisticModelSchema>;

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function logit(model: LogisticModel, features: Record<string, number>): number {
  let z = model.bias;
  model.features.forEach((name, i) => {
    const x = ((features[name] ?? 0) - model.mean[i]!) / model.std[i]!;
    z += model.weights[i]! * x;
  });
  return z;
}

export function predict(model: LogisticModel, features: Record<string, number>): number {
  return sigmoid(logit(model, features));
}

export interface FitOptions {
  /** L2 penalty on the weights (not the bias). */
  l2?: number;
  iterations?: number;
  /** Per-row weights (default 1): a row of weight 3 counts as three identical rows. */
  weights?: readonly number[];
}

function solve(a: number[][], b: number[]): number[] {
  // Gaussian elimination with partial pivoting; the system is small and positive definite.
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    const p = m[c]![c]!;
    if (Math.abs(p) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / p;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => (Math.abs(row[i]!) < 1e-12 ? 0 : row[n]! / row[i]!));
}

export function fitLogistic(
  featureNames: readonly string[],
  rows: readonly Record<string, number>[],
  labels: readonly number[],
  options: FitOptions = {},
): LogisticModel {
  const l2 = options.l2 ?? 1;
  const d = featureNames.length;
  const mean = featureNames.map((f) => rows.reduce((s, r) => s + (r[f] ?? 0), 0) / Math.max(1, rows.length));
  const std = featureNames.map((f, i) => {
    const v = rows.reduce((s, r) => s + ((r[f] ?? 0) - mean[i]!) ** 2, 0) / Math.max(1, rows.length);
    return Math.sqrt(v) > 1e-9 ? Math.sqrt(v) : 1;
  });
  const x = rows.map((r) => [1, ...featureNames.map((f, i) => ((r[f] ?? 0) - mean[i]!) / std[i]!)]);
  let w = new Array<number>(d + 1).fill(0);
  for (let it = 0; it < (options.iterations ?? 50); it++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    x.forEach((xi, n) => {
      const p = sigmoid(xi.reduce((s, v, j) => s + v * w[j]!, 0));
      const weight = options.weights?.[n] ?? 1;
      const err = (p - labels[n]!) * weight;
      const h = Math.max(p * (1 - p), 1e-9) * weight;
      for (let j = 0; j <= d; j++) {
        grad[j]! += err * xi[j]!;
        for (let k = 0; k <= d; k++) hess[j]![k]! += h * xi[j]! * xi[k]!;
      }
    });
    for (let j = 1; j <= d; j++) {
      grad[j]! += l2 * w[j]!;
      hess[j]![j]! += l2;
    }
    const step = solve(hess, grad);
    w = w.map((v, j) => v - step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return { features: [...featureNames], weights: w.slice(1), bias: w[0]!, mean, std };
}
