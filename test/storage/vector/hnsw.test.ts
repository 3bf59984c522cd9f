import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HnswVectorStore } from '../../../src/storage/vector/hnsw.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function unit(values: number[]): Float32Array {
  const n = Math.hypot(...values);
  return Float32Array.from(values.map((v) => v / n));
}

const entries = [
  { key: 'a#0', vector: unit([1, 0, 0, 0]) },
  { key: 'b#0', vector: unit([0, 1, 0, 0]) },
  { key: 'c#0', vector: unit([0.9, 0.1, 0, 0]) },
  { key: 'd#0', vector: unit([0, 0, 1, 1]) },
];
const manifest = { provider: 'test', model: 'm', dimension: 4, knowledgeHash: 'k1' };

describe('HnswVectorStore', () => {
  it('builds, persists and reloads a cosine index with a manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hnsw-'));
    dirs.push(dir);
    const store = new HnswVectorStore(dir);
    const built = await store.open(manifest, entries);
    expect(built.rebuiltBecause).toBe('no index yet');
    const hits = built.index.search(unit([1, 0.05, 0, 0]), 2);
    expect(hits.map((h) => h.key)).toEqual(['a#0', 'c#0']);
    expect(hits[0]!.score).toBeCloseTo(0.9988, 3);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))).toMatchObject({ ...manifest, count: 4 });

    const again = await new HnswVectorStore(dir).open(manifest, entries);
    expect(again.rebuiltBecause).toBeUndefined();
    expect(again.index.search(unit([0, 0, 1, 1]), 1)[0]?.key).toBe('d#0');
  });

  it('rebuilds when the knowledge or the model changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hnsw-'));
    dirs.push(dir);
    await new HnswVectorStore(dir).open(manifest, entries);
    const changed = await new HnswVectorStore(dir).open({ ...manifest, knowledgeHash: 'k2', model: 'm2' }, entries.slice(0, 3));
    expect(changed.rebuiltBecause).toBe('manifest changed: model, knowledgeHash');
    expect(changed.index.size).toBe(3);
  });

  it('detects a corrupt or missing index file and rebuilds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hnsw-'));
    dirs.push(dir);
    await new HnswVectorStore(dir).open(manifest, entries);
    const file = join(dir, 'index.hnsw');
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    writeFileSync(file, bytes);
    const corrupt = await new HnswVectorStore(dir).open(manifest, entries);
    expect(corrupt.rebuiltBecause).toBe('index file corrupt (checksum mismatch)');
    expect(corrupt.index.search(entries[1]!.vector, 1)[0]?.key).toBe('b#0');

    writeFileSync(join(dir, 'manifest.json'), '{not json');
    expect((await new HnswVectorStore(dir).open(manifest, entries)).rebuiltBecause).toBe('manifest unreadable');
    rmSync(file);
    expect((await new HnswVectorStore(dir).open(manifest, entries)).rebuiltBecause).toBe('index file missing');
    expect(existsSync(file)).toBe(true);
  });

  it('keeps one point for texts with the same vector and returns every key of a hit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hnsw-'));
    dirs.push(dir);
    const withCopy = [...entries, { key: 'e#0', vector: Float32Array.from(entries[0]!.vector) }];
    const built = await new HnswVectorStore(dir).open(manifest, withCopy);
    expect(built.index.size).toBe(5);
    expect(built.index.search(unit([1, 0.05, 0, 0]), 3).map((h) => h.key)).toEqual(['a#0', 'e#0', 'c#0']);
    expect(built.index.search(unit([1, 0.05, 0, 0]), 1).map((h) => h.key)).toEqual(['a#0']);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).labels).toEqual([0, 1, 2, 3, 0]);
    const again = await new HnswVectorStore(dir).open(manifest, withCopy);
    expect(again.rebuiltBecause).toBeUndefined();
    expect(again.index.search(unit([1, 0, 0, 0]), 5).map((h) => h.key).sort()).toEqual(['a#0', 'b#0', 'c#0', 'd#0', 'e#0']);
  });

  it('rebuilds an index saved before points were shared', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hnsw-'));
    dirs.push(dir);
    await new HnswVectorStore(dir).open(manifest, entries);
    const path = join(dir, 'manifest.json');
    const { labels: _labels, ...old } = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify(old));
    expect((await new HnswVectorStore(dir).open(manifest, entries)).rebuiltBecause).toBe('index format changed (one point per distinct vector)');
  });
});
