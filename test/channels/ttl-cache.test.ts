import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/channels/ttl-cache.js';

describe('TtlCache', () => {
  it('forgets entries after their time to live', () => {
    let now = 1_000;
    const cache = new TtlCache<string>(100, 10, () => now);
    cache.set('a', 'x');
    expect(cache.get('a')).toBe('x');
    now += 99;
    expect(cache.has('a')).toBe(true);
    now += 1;
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts the least recently written entry when full', () => {
    const cache = new TtlCache<number>(60_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    cache.set('c', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([3, undefined, 4]);
  });
});
