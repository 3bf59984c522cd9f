import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { z } from 'zod';
import type {
  IndexManifest,
  OpenedIndex,
  VectorEntry,
  VectorHit,
  VectorIndex,
  VectorIndexStore,
} from '../../engine/retrieval/vector-index.js';

/**
 * Persisted HNSW index (hnswlib-node, cosine space) under DATA_DIR, next to a manifest saying
 * what it was built from. Loaded only when the manifest matches the current knowledge and
 * embedder and the file's checksum is intact; otherwise rebuilt from the (cached) vectors and
 * written atomically (temp file + rename), so a crash never leaves a half-written index in use.
 */

const INDEX_FILE = 'index.hnsw';
const MANIFEST_FILE = 'manifest.json';

const storedManifestSchema = z.object({
  provider: z.string(),
  model: z.string(),
  dimension: z.number().int().positive(),
  knowledgeHash: z.string(),
  count: z.number().int().nonnegative(),
  keys: z.array(z.string()),
  fileSha256: z.string(),
  builtAt: z.string(),
});
type StoredManifest = z.infer<typeof storedManifestSchema>;

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

class HnswIndex implements VectorIndex {
  constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    private readonly keys: readonly string[],
  ) {}

  get size(): number {
    return this.keys.length;
  }

  search(query: Float32Array, k: number): VectorHit[] {
    const n = Math.min(k, this.keys.length);
    if (n === 0) return [];
    this.index.setEf(Math.max(64, n));
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), n);
    // hnswlib's cosine space returns 1 - cosine.
    return neighbors.map((label, i) => ({ key: this.keys[label]!, score: 1 - distances[i]! }));
  }
}

export class HnswVectorStore implements VectorIndexStore {
  constructor(private readonly dir: string) {}

  private readManifest(): StoredManifest | string {
    const path = join(this.dir, MANIFEST_FILE);
    if (!existsSync(path)) return 'no index yet';
    try {
      return storedManifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
    } catch {
      return 'manifest unreadable';
    }
  }

  private tryLoad(manifest: IndexManifest, entries: readonly VectorEntry[]): OpenedIndex | string {
    const stored = this.readManifest();
    if (typeof stored === 'string') return stored;
    const changed = (['provider', 'model', 'dimension', 'knowledgeHash'] as const).filter((k) => stored[k] !== manifest[k]);
    if (changed.length > 0) return `manifest changed: ${changed.join(', ')}`;
    if (stored.count !== entries.length || stored.keys.some((k, i) => k !== entries[i]?.key)) return 'entries changed';
    const file = join(this.dir, INDEX_FILE);
    if (!existsSync(file)) return 'index file missing';
    if (sha256File(file) !== stored.fileSha256) return 'index file corrupt (checksum mismatch)';
    try {
      const index = new hnswlib.HierarchicalNSW('cosine', manifest.dimension);
      index.readIndexSync(file);
      if (index.getCurrentCount() !== entries.length) return 'index file corrupt (wrong size)';
      return { index: new HnswIndex(index, stored.keys) };
    } catch (err) {
      return `index file corrupt (${err instanceof Error ? err.message : String(err)})`;
    }
  }

  async open(manifest: IndexManifest, entries: readonly VectorEntry[]): Promise<OpenedIndex> {
    const loaded = this.tryLoad(manifest, entries);
    if (typeof loaded !== 'string') return loaded;
    return { index: this.build(manifest, entries), rebuiltBecause: loaded };
  }

  private build(manifest: IndexManifest, entries: readonly VectorEntry[]): VectorIndex {
    const index = new hnswlib.HierarchicalNSW('cosine', manifest.dimension);
    index.initIndex({ maxElements: Math.max(1, entries.length), m: 16, efConstruction: 200, randomSeed: 42 });
    entries.forEach((e, label) => index.addPoint(Array.from(e.vector), label));
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, INDEX_FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    index.writeIndexSync(tmp);
    const stored: StoredManifest = {
      ...manifest,
      count: entries.length,
      keys: entries.map((e) => e.key),
      fileSha256: sha256File(tmp),
      builtAt: new Date().toISOString(),
    };
    // Manifest last: until it is renamed in, the old manifest's checksum rejects the new file.
    renameSync(tmp, file);
    const manifestTmp = join(this.dir, `${MANIFEST_FILE}.${process.pid}.tmp`);
    writeFileSync(manifestTmp, JSON.stringify(stored));
    renameSync(manifestTmp, join(this.dir, MANIFEST_FILE));
    return new HnswIndex(index, stored.keys);
  }

  /** Removes the persisted index (tests, `helpdesk index --rebuild`). */
  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
