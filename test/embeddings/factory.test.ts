import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createEmbedder } from '../../src/embeddings/factory.js';
import { UseEmbedder } from '../../src/embeddings/use.js';
import { EmbedderUnavailableError } from '../../src/engine/ports/embedder.js';

const embeddingsConfig = (env: Record<string, string>) => loadConfig(env).retrieval.embeddings;

describe('createEmbedder', () => {
  it('defaults to the Universal Sentence Encoder', async () => {
    const { embedder, problem } = await createEmbedder(embeddingsConfig({}));
    expect(embedder).toBeInstanceOf(UseEmbedder);
    expect(problem).toBeUndefined();
  });

  it('gives no embedder for "none"', async () => {
    expect(await createEmbedder(embeddingsConfig({ EMBEDDINGS_PROVIDER: 'none' }))).toEqual({});
  });

  it('loads transformers.js lazily, offline, from MODELS_DIR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    try {
      const { embedder } = await createEmbedder(
        embeddingsConfig({ EMBEDDINGS_PROVIDER: 'transformers', EMBEDDINGS_MODEL: 'Xenova/multilingual-e5-small', MODELS_DIR: dir }),
      );
      expect(embedder?.provider).toBe('transformers');
      expect(embedder?.model).toBe('Xenova/multilingual-e5-small');
      // No model files and remote loading off: unavailable, which the service turns into lexical-only.
      await expect(embedder!.init()).rejects.toBeInstanceOf(EmbedderUnavailableError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
