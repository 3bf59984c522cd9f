import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { CoreConfig } from '../config/sections/core.js';
import type { RetrievalConfig } from '../config/sections/retrieval.js';
import { createEmbedder } from '../embeddings/factory.js';
import type { Embedder } from '../engine/ports/embedder.js';
import type { EmbedProgress } from '../engine/retrieval/embed-entries.js';
import { HybridKnowledgeService } from '../engine/retrieval/service.js';
import type { EmbeddingCache } from '../engine/ports/embedding-cache.js';
import type { DeskLearning } from '../engine/retrieval/snapshot.js';
import type { DeskCalibrationStore } from '../engine/ports/desk-calibrations.js';
import { openEmbeddingCache } from '../storage/factory.js';
import { HnswVectorStore } from '../storage/vector/hnsw.js';
import { DEFAULT_GATE_MODEL_DIR, loadGateModels } from './gate-models.js';
import { BackgroundCalibration } from './background-calibration.js';
import { ensureCalibration, type EnsureCalibrationOptions } from './zero-label.js';

/**
 * Composition root for knowledge: embedder from config, SQLite embedding cache and persisted
 * HNSW index under DATA_DIR, calibrated gate models from calibration/. Returns a ready service
 * (lexical-only, with a loud warning, when the embedder cannot load).
 */

export interface KnowledgeLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface KnowledgeAppConfig {
  core: Pick<CoreConfig, 'kbDir' | 'dataDir'>;
  retrieval: RetrievalConfig;
}

export interface KnowledgeRuntime {
  service: HybridKnowledgeService;
  /** The configured embedder (also when it failed to load; the service then runs lexical-only). */
  embedder?: Embedder;
  /**
   * Reloads the knowledge (only changed chunks are re-embedded), then re-fits the gate to it in the
   * background when it now needs its own calibration (imported articles): the current gate serves
   * until the new one is ready. What a sync or an import calls.
   */
  reloadAndRecalibrate(): Promise<void>;
  /** The background calibration (tests wait for it with idle()). */
  calibration?: BackgroundCalibration;
  close(): Promise<void>;
}

export interface KnowledgeRuntimeOptions {
  onProgress?: (progress: EmbedProgress) => void;
  log?: KnowledgeLog;
  /**
   * Give a knowledge base with no calibration of its own a zero-label one (computed once,
   * cached under DATA_DIR). Default true; `helpdesk calibrate` turns it off to fit itself.
   */
  autoCalibrate?: boolean;
  /**
   * Opens the embedding cache (the app's storage bundle, which owns and closes it). Without it the
   * runtime opens the SQLite cache under DATA_DIR itself (CLI commands) and closes it.
   */
  embeddingCache?: () => EmbeddingCache;
  /** What the desk taught, read at every reload (the app: from the labelled-examples store). */
  learned?: () => Promise<DeskLearning>;
  /** The desk's refits shared by the replicas (the app: its storage). */
  deskCalibrations?: DeskCalibrationStore;
  /** Used instead of the configured embedder (the benchmark's stand-in for a base too big to embed, src/bench/stand-in-embedder.ts). */
  embedder?: Embedder;
}

export async function createKnowledgeRuntime(config: KnowledgeAppConfig, options: KnowledgeRuntimeOptions = {}): Promise<KnowledgeRuntime> {
  const kbDir = resolve(config.core.kbDir);
  const dataDir = resolve(config.core.dataDir);
  const log = options.log;
  const { embedder, problem } = options.embedder ? { embedder: options.embedder, problem: undefined } : await createEmbedder(config.retrieval.embeddings);

  let cache: EmbeddingCache | undefined;
  let ownCache: { close(): void } | undefined;
  if (embedder) {
    try {
      if (options.embeddingCache) cache = options.embeddingCache();
      else cache = ownCache = openEmbeddingCache(dataDir);
    } catch (err) {
      log?.warn(`embedding cache unavailable (${err instanceof Error ? err.message : String(err)}): every start re-embeds`);
    }
  }
  // One index per knowledge folder and provider, so the bot and an `eval` of another folder never overwrite each other.
  const kbKey = createHash('sha256').update(kbDir).digest('hex').slice(0, 12);
  const vectorStore = embedder ? new HnswVectorStore(join(dataDir, 'vector-index', `${kbKey}-${embedder.provider}`)) : undefined;

  const { models, problems } = loadGateModels(config.retrieval.gate.modelDir ?? DEFAULT_GATE_MODEL_DIR, embedder?.provider);
  for (const p of problems) log?.warn(p);

  const thresholds = {
    ...(config.retrieval.gate.answerThreshold !== undefined ? { answer: config.retrieval.gate.answerThreshold } : {}),
    ...(config.retrieval.gate.clarifyThreshold !== undefined ? { clarify: config.retrieval.gate.clarifyThreshold } : {}),
  };
  const service = await HybridKnowledgeService.create({
    kbDir,
    embedder,
    embedderProblem: problem,
    cache,
    vectorStore,
    models,
    thresholds,
    maxChunkTokens: config.retrieval.chunkMaxTokens,
    ...(options.learned ? { learned: options.learned } : {}),
    onProgress: options.onProgress,
    log,
  });
  const calibrationOptions: EnsureCalibrationOptions = {
    kbDir,
    dataDir,
    explicitModelDir: config.retrieval.gate.modelDir !== undefined,
    provider: embedder?.provider,
    embedder,
    cache,
    models,
    ...(options.deskCalibrations ? { desk: options.deskCalibrations } : {}),
    log: (m) => log?.info(m),
  };
  const calibration = options.autoCalibrate !== false ? new BackgroundCalibration(service, { ...calibrationOptions, warn: (m) => log?.warn(m) }) : undefined;
  if (calibration) await ensureCalibration(service, calibrationOptions);
  return {
    service,
    embedder,
    ...(calibration ? { calibration } : {}),
    async reloadAndRecalibrate() {
      await service.reload();
      calibration?.request();
    },
    async close() {
      // A calibration still running is not waited for: it fails on the closed cache and is logged, nothing is served from it.
      await embedder?.close?.();
      ownCache?.close();
    },
  };
}
