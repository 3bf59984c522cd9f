import { describe, expect, it } from 'vitest';
import { BruteForceIndex, VectorTable } from '../../../src/engine/retrieval/vector-index.js';

describe('VectorTable', () => {
  it('holds every vector once in one array and hands out views of its rows', () => {
    const table = new VectorTable(3, new Map([['h1', Float32Array.from([1, 0, 0])], ['h2', Float32Array.from([0, 0.6, 0.8])]]));
    expect(table.size).toBe(2);
    expect([...table.get('h2')!]).toEqual([0, Float32Array.from([0.6])[0], Float32Array.from([0.8])[0]]);
    expect(table.get('h1')!.buffer).toBe(table.get('h2')!.buffer);
    expect(table.get('missing')).toBeUndefined();
    const index = new BruteForceIndex([{ key: 'a', vector: table.get('h1')! }, { key: 'b', vector: table.get('h2')! }]);
    expect(index.search(Float32Array.from([0, 0, 1]), 1)[0]?.key).toBe('b');
  });

  it('refuses a vector of the wrong dimension', () => {
    expect(() => new VectorTable(3, new Map([['h', new Float32Array(4)]]))).toThrow(/4 dimensions, expected 3/);
  });
});
