import type { RetrievalConfig } from '../config/sections/retrieval.js';
import type { Embedder } from '../engine/ports/embedder.js';
import { UseEmbedder } from './use.js';

/**
 * The configured embedding provider. transformers.js (and onnxruntime) is imported only when
 * chosen: it is heavy and most installs never load it. A provider that cannot even be
 * constructed is reported as a problem and the service runs lexical-only.
 */
export interface EmbedderChoice {
  embedder?: Embedder;
  problem?: string;
}

export async function createEmbedder(config: RetrievalConfig['embeddings']): Promise<EmbedderChoice> {
  switch (config.provider) {
    case 'none':
      return {};
    case 'use':
      return { embedder: new UseEmbedder({ workers: config.workers || undefined, backend: config.backend }) };
    case 'transformers':
      try {
        const { TransformersEmbedder } = await import('./transformers.js');
        return {
          embedder: new TransformersEmbedder({
            model: config.model,
            modelsDir: config.modelsDir,
            allowRemote: config.allowRemote,
            cacheDir: config.modelsDir,
          }),
        };
      } catch (err) {
        return {
          problem: `EMBEDDINGS UNAVAILABLE (transformers ${config.model}): ${err instanceof Error ? err.message : String(err)}. Answering with lexical retrieval only.`,
        };
      }
  }
}
