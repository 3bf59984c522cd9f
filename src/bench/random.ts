/** Seeded pseudo-random numbers (mulberry32): every benchmark run generates the same data. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  int(n: number): number;
  pick<T>(list: readonly T[]): T;
  /** `k` distinct items, in their original order. */
  sample<T>(list: readonly T[], k: number): T[];
  chance(p: number): boolean;
  /** Standard normal (Box–Muller). */
  gaussian(): number;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (list) => {
      if (list.length === 0) throw new Error('pick from an empty list');
      return list[int(list.length)]!;
    },
    sample: (list, k) => {
      const indexes = list.map((_, i) => i);
      for (let i = indexes.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
      }
      return indexes.slice(0, Math.min(k, list.length)).sort((a, b) => a - b).map((i) => list[i]!);
    },
    chance: (p) => next() < p,
    gaussian: () => {
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}
