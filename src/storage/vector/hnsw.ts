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
  /** Digest of each point's vector by label, '' for a deleted point: what an in-place update matches on. */
  digests: z.array(z.string()).optional(),
  fileSha256: z.string(),
  builtAt: z.string(),
});
type StoredManifest = z.infer<typeof storedManifestSchema>;

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function digestOf(vector: Float32Array): string {
  return createHash('sha1').update(Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength)).digest('base64');
}

/** Label of each entry: entries whose vectors are equal byte for byte share the first one's label. */
function labelsOf(entries: readonly VectorEntry[]): { labels: number[]; digests: string[] } {
  const seen = new Map<string, number>();
  const digests: string[] = [];
  const labels = entries.map((e) => {
    const digest = digestOf(e.vector);
    let label = seen.get(digest);
    if (label === undefined) {
      seen.set(digest, (label = seen.size));
      digests.push(digest);
    }
    return label;
  });
  return { labels, digests };
}

/**
 * Share of dead points past which a changed knowledge base is rebuilt rather than updated in place:
 * deleted points still cost memory and search hops, and a fresh build also re-balances the graph.
 */
const MAX_DEAD_SHARE = 0.25;

class HnswIndex implements VectorIndex {
  /** Keys of each point, in entry order. */
  private readonly keysOf: string[][] = [];
  private live?: number;

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

  /** Points that hold a key (deleted points of an updated index hold none). */
  private get livePoints(): number {
    let n = 0;
    for (const keys of this.keysOf) if (keys) n++;
    return n;
  }

  search(query: Float32Array, k: number): VectorHit[] {
    const n = Math.min(k, this.live ??= this.livePoints);
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
    const points = stored.digests?.length ?? stored.labels.reduce((m, l) => Math.max(m, l + 1), 0);
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
    const updated = this.tryUpdate(manifest, entries);
    if (typeof updated !== 'string') return updated;
    return { index: this.build(manifest, entries), rebuiltBecause: loaded.startsWith('manifest changed: knowledgeHash') || loaded === 'entries changed' ? `${loaded}; ${updated}` : loaded };
  }

  /**
   * The knowledge changed but not the model: the saved graph is updated in place (points for new
   * vectors added, points no entry uses any more marked deleted) instead of rebuilt, so an edit to
   * one article costs its own vectors, not the whole base (a rebuild takes minutes at 10,000
   * articles, and every replica does it). Returns why it could not, when it could not.
   */
  private tryUpdate(manifest: IndexManifest, entries: readonly VectorEntry[]): OpenedIndex | string {
    const stored = this.readManifest();
    if (typeof stored === 'string') return stored;
    if ((['provider', 'model', 'dimension'] as const).some((k) => stored[k] !== manifest[k])) return 'model changed';
    if (!stored.labels || !stored.digests) return 'saved index has no point digests';
    const file = join(this.dir, INDEX_FILE);
    if (!existsSync(file) || sha256File(file) !== stored.fileSha256) return 'saved index missing or corrupt';
    const digests = [...stored.digests];
    const byDigest = new Map<string, number>();
    digests.forEach((d, label) => d && byDigest.set(d, label));
    const fresh: Array<{ label: number; vector: Float32Array }> = [];
    const labels = entries.map((e) => {
      const digest = digestOf(e.vector);
      let label = byDigest.get(digest);
      if (label === undefined) {
        label = digests.length;
        digests.push(digest);
        byDigest.set(digest, label);
        fresh.push({ label, vector: e.vector });
      }
      return label;
    });
    const used = new Set(labels);
    const gone = digests.flatMap((d, label) => (d && !used.has(label) ? [label] : []));
    const dead = digests.filter((d) => !d).length + gone.length;
    if (dead > MAX_DEAD_SHARE * digests.length) return `too many changes for an in-place update (${dead} of ${digests.length} points dead)`;
    let index: hnswlib.HierarchicalNSW;
    try {
      index = new hnswlib.HierarchicalNSW('cosine', manifest.dimension);
      index.readIndexSync(file);
      if (index.getCurrentCount() !== stored.digests.length) return 'saved index corrupt (wrong size)';
      if (index.getMaxElements() < digests.length) index.resizeIndex(digests.length);
      for (const { label, vector } of fresh) index.addPoint(Array.from(vector), label);
      for (const label of gone) {
        index.markDelete(label);
        digests[label] = '';
      }
    } catch (err) {
      return `in-place update failed (${err instanceof Error ? err.message : String(err)})`;
    }
    const built = this.persist(index, manifest, entries, labels, digests);
    return { index: built, updatedInPlace: { added: fresh.length, removed: gone.length } };
  }

  private build(manifest: IndexManifest, entries: readonly VectorEntry[]): VectorIndex {
    const { labels, digests } = labelsOf(entries);
    const points = digests.length;
    const index = new hnswlib.HierarchicalNSW('cosine', manifest.dimension);
    index.initIndex({ maxElements: Math.max(1, points), m: 16, efConstruction: 200, randomSeed: 42 });
    // Points in first-seen order, so a base without duplicates builds the same graph as before.
    let added = 0;
    entries.forEach((e, i) => {
      if (labels[i] === added) index.addPoint(Array.from(e.vector), added++);
    });
    return this.persist(index, manifest, entries, labels, digests);
  }

  /** Writes the graph and then its manifest, each atomically. */
  private persist(index: hnswlib.HierarchicalNSW, manifest: IndexManifest, entries: readonly VectorEntry[], labels: number[], digests: string[]): VectorIndex {
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, INDEX_FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    index.writeIndexSync(tmp);
    const stored: StoredManifest = {
      ...manifest,
      count: entries.length,
      keys: entries.map((e) => e.key),
      labels,
      digests,
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
