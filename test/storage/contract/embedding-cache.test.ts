import { expect, it } from 'vitest';
import { connectEach, describeStoreContract } from './backends.js';

/** The embedding cache: what one process (or replica) embedded, another reads back bit for bit. */
describeStoreContract('embedding cache', (backend) => {
  const { a, b } = connectEach(backend, 'embeddingCache');

  it('stores vectors by provider, model and hash, exactly, for another connection', async () => {
    const v = Float32Array.from([0.6, 0.8, 0, -1e-38, 3.4e38]);
    // A view at an odd offset: what the cache stores must not depend on the backing buffer.
    const backing = new Float32Array(8);
    backing.set([1, 2, 3], 5);
    await a.putMany('use', 'm1', [
      { hash: 'h1', vector: v },
      { hash: 'h2', vector: backing.subarray(5, 8) },
    ]);
    const got = await b.getMany('use', 'm1', ['h1', 'h2', 'missing']);
    expect([...got.keys()].sort()).toEqual(['h1', 'h2']);
    expect(Array.from(got.get('h1')!)).toEqual(Array.from(v));
    expect(Array.from(got.get('h2')!)).toEqual([1, 2, 3]);
    expect((await b.getMany('use', 'm2', ['h1'])).size).toBe(0);
    expect((await b.getMany('transformers', 'm1', ['h1'])).size).toBe(0);
    // Replaced, not duplicated.
    await b.putMany('use', 'm1', [{ hash: 'h1', vector: Float32Array.from([9]) }]);
    expect(Array.from((await a.getMany('use', 'm1', ['h1'])).get('h1')!)).toEqual([9]);
  });

  it('looks up and stores more entries than one statement batch', async () => {
    const items = Array.from({ length: 1200 }, (_, i) => ({ hash: `h${i}`, vector: Float32Array.from([i, -i]) }));
    await a.putMany('p', 'm', items);
    const got = await b.getMany('p', 'm', items.map((i) => i.hash));
    expect(got.size).toBe(1200);
    expect(Array.from(got.get('h1199')!)).toEqual([1199, -1199]);
  });
});
