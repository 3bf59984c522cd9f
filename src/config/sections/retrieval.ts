import { z } from 'zod';
import { boolFlag, intInRange, optionalString } from '../env.js';

/** Embeddings, chunking and the answer-or-escalate gate. Documented in .env.example ("Retrieval"). */

const optionalProbability = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a number between 0 and 1, got "${v}"` });
      return z.NEVER;
    }
    return n;
  });

export const DEFAULT_TRANSFORMERS_MODEL = 'Xenova/multilingual-e5-small';

export const retrievalSchema = z
  .object({
    EMBEDDINGS_PROVIDER: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? 'use' : v.trim().toLowerCase()))
      .pipe(z.enum(['use', 'transformers', 'none'], { message: 'expected use, transformers or none' })),
    EMBEDDING_BACKEND: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? 'auto' : v.trim().toLowerCase()))
      .pipe(z.enum(['auto', 'wasm', 'cpu'], { message: 'expected auto, wasm or cpu' })),
    EMBEDDINGS_MODEL: optionalString,
    MODELS_DIR: optionalString,
    ALLOW_REMOTE_MODELS: boolFlag(false),
    EMBEDDINGS_WORKERS: intInRange(0, 0, 64),
    CHUNK_MAX_TOKENS: intInRange(256, 64, 2048),
    GATE_ANSWER_THRESHOLD: optionalProbability,
    GATE_CLARIFY_THRESHOLD: optionalProbability,
    GATE_MODEL_DIR: optionalString,
  })
  .superRefine((e, ctx) => {
    if (e.GATE_ANSWER_THRESHOLD !== undefined && e.GATE_CLARIFY_THRESHOLD !== undefined && e.GATE_CLARIFY_THRESHOLD > e.GATE_ANSWER_THRESHOLD) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['GATE_CLARIFY_THRESHOLD'], message: 'must not be above GATE_ANSWER_THRESHOLD' });
    }
  })
  .transform((e) => ({
    embeddings: {
      provider: e.EMBEDDINGS_PROVIDER,
      /** Only used by the transformers provider (USE ships one model). */
      model: e.EMBEDDINGS_MODEL ?? DEFAULT_TRANSFORMERS_MODEL,
      modelsDir: e.MODELS_DIR ?? './models',
      allowRemote: e.ALLOW_REMOTE_MODELS,
      /** 0 = one worker per core. */
      workers: e.EMBEDDINGS_WORKERS,
      /** use provider: TensorFlow.js backend (auto = WebAssembly, else the JavaScript CPU backend). */
      backend: e.EMBEDDING_BACKEND,
    },
    chunkMaxTokens: e.CHUNK_MAX_TOKENS,
    gate: {
      /** Overrides of the calibrated thresholds; unset = the values chosen by `helpdesk calibrate`. */
      answerThreshold: e.GATE_ANSWER_THRESHOLD,
      clarifyThreshold: e.GATE_CLARIFY_THRESHOLD,
      /** Folder with the calibrated gate models (default: the repository's calibration/). */
      modelDir: e.GATE_MODEL_DIR,
    },
  }));

export type RetrievalConfig = z.output<typeof retrievalSchema>;
