import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEmbeddingCache } from '../../../src/storage/sqlite/embedding-cache.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('SqliteEmbeddingCache', () => {
  it('stores vectors by provider, model and hash, across reopenings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emb-cache-'));
    dirs.push(dir);
    const file = join(dir, 'embeddings.sqlite');
    const a = SqliteEmbeddingCache.open(file);
    const v = Float32Array.from([0.6, 0.8, 0]);
    // A view at an odd offset: what the cache stores must not depend on the backing buffer.
    const backing = new Float32Array(8);
    backing.set([1, 2, 3], 5);
    await a.putMany('use', 'm1', [
      { hash: 'h1', vector: v },
      { hash: 'h2', vector: backing.subarray(5, 8) },
    ]);
    a.close();

    const b = SqliteEmbeddingCache.open(file);
    const got = await b.getMany('use', 'm1', ['h1', 'h2', 'missing']);
    expect([...got.keys()].sort()).toEqual(['h1', 'h2']);
    expect(Array.from(got.get('h1')!)).toEqual(Array.from(v));
    expect(Array.from(got.get('h2')!)).toEqual([1, 2, 3]);
    expect((await b.getMany('use', 'm2', ['h1'])).size).toBe(0);
    expect((await b.getMany('transformers', 'm1', ['h1'])).size).toBe(0);
    b.close();
  });

  it('looks up more hashes than SQLite accepts parameters in one statement', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emb-cache-'));
    dirs.push(dir);
    const cache = SqliteEmbeddingCache.open(join(dir, 'e.sqlite'));
    const items = Array.from({ length: 1200 }, (_, i) => ({ hash: `h${i}`, vector: Float32Array.from([i]) }));
    await cache.putMany('p', 'm', items);
    const got = await cache.getMany('p', 'm', items.map((i) => i.hash));
    expect(got.size).toBe(1200);
    expect(got.get('h1199')![0]).toBe(1199);
    cache.close();
  });
});
