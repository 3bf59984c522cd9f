import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HybridKnowledgeService } from '../../src/engine/retrieval/service.js';
import { syncSource, type SyncReport } from '../../src/knowledge-sources/sync.js';
import type { KnowledgeSource } from '../../src/knowledge-sources/types.js';
import { SqliteEmbeddingCache } from '../../src/storage/sqlite/embedding-cache.js';
import { HashingEmbedder } from '../helpers/hashing-embedder.js';

/**
 * A knowledge folder served by the real retrieval service, with the test hashing embedder and the
 * real SQLite embedding cache: what a sync writes is what the bot answers from, and the embedder's
 * record says exactly what a reload re-embedded.
 */
export class KnowledgeHarness {
  readonly root = mkdtempSync(join(tmpdir(), 'kb-import-'));
  readonly kbDir = join(this.root, 'knowledge');
  readonly embedder = new HashingEmbedder();
  readonly cache = SqliteEmbeddingCache.open(join(this.root, 'embeddings.sqlite'));
  service!: HybridKnowledgeService;

  get out(): string {
    return join(this.kbDir, 'imported');
  }

  async sync(source: KnowledgeSource): Promise<SyncReport> {
    return syncSource(source, { out: this.out });
  }

  async start(): Promise<this> {
    this.service = await HybridKnowledgeService.create({ kbDir: this.kbDir, embedder: this.embedder, cache: this.cache });
    return this;
  }

  /** Reloads and returns how many texts the embedder was given for it. */
  async reload(): Promise<number> {
    const before = this.embedder.embedded.length;
    await this.service.reload();
    return this.embedder.embedded.length - before;
  }

  /** Every file of the output folder with its modification time (to prove nothing was rewritten). */
  files(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const f of readdirSync(this.out)) if (f.endsWith('.md')) out[f] = statSync(join(this.out, f)).mtimeMs;
    return out;
  }

  close(): void {
    this.cache.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}
