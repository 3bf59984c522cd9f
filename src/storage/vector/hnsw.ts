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
 *
 * Texts with the same vector (a question two articles share, generated near-duplicates) are one
 * point of the graph: at 10,000 generated articles 45,805 texts have 22,621 distinct vectors, and
 * hnswlib keeps a copy of every point it holds. A hit on a point stands for all of its texts.
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
  /** The graph point of each key (keys with the same vector share one). */
  labels: z.array(z.number().int().nonnegative()).optional(),
  fileSha256: z.string(),
  builtAt: z.string(),
});
type StoredManifest = z.infer<typeof storedManifestSchema>;

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Label of each entry: entries whose vectors are equal byte for byte share the first one's label. */
function labelsOf(entries: readonly VectorEntry[]): number[] {
  const seen = new Map<string, number>();
  return entries.map((e) => {
    const bytes = Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength);
    const digest = createHash('sha1').update(bytes).digest('base64');
    let label = seen.get(digest);
    if (label === undefined) seen.set(digest, (label = seen.size));
    return label;
  });
}

class HnswIndex implements VectorIndex {
  /** Keys of each point, in entry order. */
  private readonly keysOf: string[][] = [];

  constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    private readonly keys: readonly string[],
    labels: readonly number[],
  ) {
    labels.forEach((label, i) => (this.keysOf[label] ??= []).push(keys[i]!));
  }

  get size(): number {
    return this.keys.length;
  }

  search(query: Float32Array, k: number): VectorHit[] {
    const n = Math.min(k, this.keysOf.length);
    if (n === 0) return [];
    this.index.setEf(Math.max(64, n));
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), n);
    const hits: VectorHit[] = [];
    for (let i = 0; i < neighbors.length && hits.length < k; i++) {
      // hnswlib's cosine space returns 1 - cosine.
      const score = 1 - distances[i]!;
      for (const key of this.keysOf[neighbors[i]!]!) {
        if (hits.length >= k) break;
        hits.push({ key, score });
      }
    }
    return hits;
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
    if (!stored.labels || stored.labels.length !== stored.count) return 'index format changed (one point per distinct vector)';
    const points = stored.labels.reduce((m, l) => Math.max(m, l + 1), 0);
    const file = join(this.dir, INDEX_FILE);
    if (!existsSync(file)) return 'index file missing';
    if (sha256File(file) !== stored.fileSha256) return 'index file corrupt (checksum mismatch)';
    try {
      const index = new hnswlib.HierarchicalNSW('cosine', manifest.dimension);
      index.readIndexSync(file);
      if (index.getCurrentCount() !== points) return 'index file corrupt (wrong size)';
      return { index: new HnswIndex(index, stored.keys, stored.labels) };
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
    const labels = labelsOf(entries);
    const points = labels.reduce((m, l) => Math.max(m, l + 1), 0);
    const index = new hnswlib.HierarchicalNSW('cosine', manifest.dimension);
    index.initIndex({ maxElements: Math.max(1, points), m: 16, efConstruction: 200, randomSeed: 42 });
    // Points in first-seen order, so a base without duplicates builds the same graph as before.
    let added = 0;
    entries.forEach((e, i) => {
      if (labels[i] === added) index.addPoint(Array.from(e.vector), added++);
    });
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, INDEX_FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    index.writeIndexSync(tmp);
    const stored: StoredManifest = {
      ...manifest,
      count: entries.length,
      keys: entries.map((e) => e.key),
      labels,
      fileSha256: sha256File(tmp),
      builtAt: new Date().toISOString(),
    };
    // Manifest last: until it is renamed in, the old manifest's checksum rejects the new file.
    renameSync(tmp, file);
    const manifestTmp = join(this.dir, `${MANIFEST_FILE}.${process.pid}.tmp`);
    writeFileSync(manifestTmp, JSON.stringify(stored));
    renameSync(manifestTmp, join(this.dir, MANIFEST_FILE));
    return new HnswIndex(index, stored.keys, labels);
  }

  /** Removes the persisted index (tests, `helpdesk index --rebuild`). */
  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
