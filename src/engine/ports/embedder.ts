/**
 * Sentence-embedding provider. Adapters live in src/embeddings/ (Universal Sentence Encoder,
 * transformers.js); retrieval only sees this port. Vectors are L2-normalised so cosine = dot.
 */
export interface Embedder {
  /** Provider name recorded in the index manifest and embedding cache, e.g. "use" or "transformers". */
  readonly provider: string;
  /** Model identifier recorded alongside, e.g. "universal-sentence-encoder-lite" or "Xenova/multilingual-e5-small". */
  readonly model: string;
  /** Loads weights; must be called (once) before embedding. Throws EmbedderUnavailableError when the model cannot be loaded. */
  init(): Promise<void>;
  /** Vector dimension; valid after init(). */
  readonly dimension: number;
  /** What runs the model, for operators (e.g. "wasm (tfjs 4.5.0, SIMD, 1 thread)"); valid after init(). */
  readonly runtime?: string;
  /** How many embedding calls can usefully run at once (worker threads); 1 when absent. */
  readonly concurrency?: number;
  /** Embeds user queries (models with asymmetric prefixes such as e5 use "query: "). */
  embedQueries(texts: string[]): Promise<Float32Array[]>;
  /** Embeds knowledge passages (e5: "passage: "). */
  embedPassages(texts: string[]): Promise<Float32Array[]>;
  close?(): Promise<void>;
}

/** The model could not be loaded (files missing, remote loading disabled): retrieval falls back to lexical-only. */
export class EmbedderUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbedderUnavailableError';
  }
}
