import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('retrieval configuration', () => {
  it('has safe offline defaults', () => {
    expect(loadConfig({}).retrieval).toEqual({
      embeddings: { provider: 'use', model: 'Xenova/multilingual-e5-small', modelsDir: './models', allowRemote: false, workers: 0, backend: 'auto' },
      chunkMaxTokens: 256,
      gate: { answerThreshold: undefined, clarifyThreshold: undefined, modelDir: undefined },
    });
  });

  it('reads every variable', () => {
    const r = loadConfig({
      EMBEDDINGS_PROVIDER: 'Transformers',
      EMBEDDINGS_MODEL: 'Xenova/bge-small-en-v1.5',
      MODELS_DIR: '/srv/models',
      ALLOW_REMOTE_MODELS: 'true',
      EMBEDDINGS_WORKERS: '1',
      EMBEDDING_BACKEND: 'CPU',
      CHUNK_MAX_TOKENS: '128',
      GATE_ANSWER_THRESHOLD: '0.8',
      GATE_CLARIFY_THRESHOLD: '0.5',
      GATE_MODEL_DIR: '/srv/calibration',
    }).retrieval;
    expect(r).toEqual({
      embeddings: { provider: 'transformers', model: 'Xenova/bge-small-en-v1.5', modelsDir: '/srv/models', allowRemote: true, workers: 1, backend: 'cpu' },
      chunkMaxTokens: 128,
      gate: { answerThreshold: 0.8, clarifyThreshold: 0.5, modelDir: '/srv/calibration' },
    });
  });

  it('reports every bad value with its variable name', () => {
    try {
      loadConfig({ EMBEDDINGS_PROVIDER: 'openai', EMBEDDING_BACKEND: 'gpu', GATE_ANSWER_THRESHOLD: '1.5', CHUNK_MAX_TOKENS: '10' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/EMBEDDINGS_PROVIDER: expected use, transformers or none/);
      expect(problems).toMatch(/EMBEDDING_BACKEND: expected auto, wasm or cpu/);
      expect(problems).toMatch(/GATE_ANSWER_THRESHOLD: expected a number between 0 and 1/);
      expect(problems).toMatch(/CHUNK_MAX_TOKENS: expected an integer between 64 and 2048/);
    }
    expect(() => loadConfig({ GATE_ANSWER_THRESHOLD: '0.5', GATE_CLARIFY_THRESHOLD: '0.7' })).toThrow(/GATE_CLARIFY_THRESHOLD: must not be above GATE_ANSWER_THRESHOLD/);
  });
});
