/**
 * Embedder backed by transformers.js (@huggingface/transformers): an ONNX sentence encoder run by
 * onnxruntime-node, mean-pooled over the attention mask and L2-normalised.
 *
 * Models are read from `<modelsDir>/<model id>/` in the transformers.js local layout. Nothing is
 * downloaded unless `allowRemote` is set; then missing files come from the Hugging Face Hub and are
 * cached in `cacheDir` (default: modelsDir, whose layout the cache shares, so the next start is
 * offline).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FeatureExtractionPipeline, Tensor } from '@huggingface/transformers';
import { type Embedder, EmbedderUnavailableError } from '../engine/ports/embedder.js';

export interface TransformersEmbedderOptions {
  /** Hugging Face model id, e.g. "Xenova/multilingual-e5-small". */
  model: string;
  /** Folder holding `<model id>/` (MODELS_DIR). */
  modelsDir?: string;
  /** Allow downloads from the Hub (ALLOW_REMOTE_MODELS). */
  allowRemote: boolean;
  /** Where Hub downloads are cached; default modelsDir. Also searched for an already downloaded model. */
  cacheDir?: string;
  /** Texts per forward pass. Default 16. */
  batchSize?: number;
  /** Prepended to queries; default "query: " for e5-family models, otherwise "". */
  queryPrefix?: string;
  /** Prepended to passages; default "passage: " for e5-family models, otherwise "". */
  passagePrefix?: string;
}

const DEFAULT_BATCH_SIZE = 16;
const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

/**
 * ONNX weight files transformers.js selects by dtype (`onnx/model<suffix>.onnx`), in our order of
 * preference when several are shipped: fp32 (the library's CPU default, most accurate), then 8-bit.
 */
const ONNX_VARIANTS = [
  { dtype: 'fp32', file: 'onnx/model.onnx' },
  { dtype: 'q8', file: 'onnx/model_quantized.onnx' },
  { dtype: 'int8', file: 'onnx/model_int8.onnx' },
  { dtype: 'uint8', file: 'onnx/model_uint8.onnx' },
  { dtype: 'fp16', file: 'onnx/model_fp16.onnx' },
] as const;
type OnnxDtype = (typeof ONNX_VARIANTS)[number]['dtype'];

/** What the operator must provide, for error messages. */
const EXPECTED_MODEL_FILES = `${REQUIRED_FILES.join(', ')}, onnx/model.onnx (or onnx/model_quantized.onnx)`;

/** Hub repository id: "name" or "owner/name", no path tricks. */
const MODEL_ID = /^(?:[\w.-]+\/)?[\w.-]+$/;

/** e5 models (intfloat/e5-*, multilingual-e5-*) were trained with "query: " / "passage: " prefixes. */
export function isE5Model(model: string): boolean {
  const name = model.slice(model.lastIndexOf('/') + 1);
  return /(?:^|[-_])e5(?:[-_]|$)/i.test(name);
}

export function defaultPrefixes(model: string): { query: string; passage: string } {
  return isE5Model(model) ? { query: 'query: ', passage: 'passage: ' } : { query: '', passage: '' };
}

interface ModelFolderReport {
  dir: string;
  /** Required files that are absent (an ONNX file counts as one entry). */
  missing: string[];
  /** dtype of the preferred ONNX file present. */
  dtype?: OnnxDtype;
}

/** Checks a `<root>/<model id>/` folder for the files transformers.js will read. */
function inspectModelFolder(dir: string): ModelFolderReport {
  const missing: string[] = REQUIRED_FILES.filter((file) => !existsSync(path.join(dir, file)));
  const variant = ONNX_VARIANTS.find(({ file }) => existsSync(path.join(dir, file)));
  if (!variant) missing.push('onnx/model.onnx (or onnx/model_quantized.onnx)');
  return variant ? { dir, missing, dtype: variant.dtype } : { dir, missing };
}

type ModelSource = { kind: 'local'; dir: string; dtype: OnnxDtype } | { kind: 'hub' };

type Library = typeof import('@huggingface/transformers');
type ModelOptions = NonNullable<Parameters<Library['AutoModel']['from_pretrained']>[1]>;

/** Loaded lazily: the library pulls in onnxruntime's native binding, needless for other providers. */
async function importLibrary(): Promise<Library> {
  try {
    return await import('@huggingface/transformers');
  } catch (error) {
    throw new EmbedderUnavailableError(
      `The transformers embedding provider needs @huggingface/transformers and onnxruntime-node, which failed to load: ${String(error)}`,
      { cause: error },
    );
  }
}

/** Splits a [rows, dimension] tensor into one Float32Array per row. */
function tensorRows(tensor: Tensor): Float32Array[] {
  const [rows = 0, dimension = 0] = tensor.dims;
  const data = (tensor.type === 'float32' ? tensor : tensor.to('float32')).data as Float32Array;
  return Array.from({ length: rows }, (_, row) => data.slice(row * dimension, (row + 1) * dimension));
}

export class TransformersEmbedder implements Embedder {
  readonly provider = 'transformers';
  readonly model: string;
  private readonly modelsDir: string | undefined;
  private readonly cacheDir: string | undefined;
  private readonly allowRemote: boolean;
  private readonly batchSize: number;
  private readonly queryPrefix: string;
  private readonly passagePrefix: string;
  private extractor: FeatureExtractionPipeline | undefined;
  private loading: Promise<void> | undefined;
  private dim = 0;

  constructor(options: TransformersEmbedderOptions) {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    }
    const prefixes = defaultPrefixes(options.model);
    this.model = options.model;
    this.modelsDir = options.modelsDir === undefined ? undefined : path.resolve(options.modelsDir);
    this.cacheDir = options.cacheDir === undefined ? this.modelsDir : path.resolve(options.cacheDir);
    this.allowRemote = options.allowRemote;
    this.batchSize = batchSize;
    this.queryPrefix = options.queryPrefix ?? prefixes.query;
    this.passagePrefix = options.passagePrefix ?? prefixes.passage;
  }

  get dimension(): number {
    if (!this.extractor) throw new Error('TransformersEmbedder: call init() before reading dimension');
    return this.dim;
  }

  init(): Promise<void> {
    // Concurrent callers share one load; a failed load may be retried (e.g. after copying the files).
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  embedQueries(texts: string[]): Promise<Float32Array[]> {
    return this.embed(texts, this.queryPrefix);
  }

  embedPassages(texts: string[]): Promise<Float32Array[]> {
    return this.embed(texts, this.passagePrefix);
  }

  async close(): Promise<void> {
    const extractor = this.extractor;
    this.extractor = undefined;
    this.loading = undefined;
    await extractor?.dispose();
  }

  private async embed(texts: string[], prefix: string): Promise<Float32Array[]> {
    const extractor = this.extractor;
    if (!extractor) throw new Error('TransformersEmbedder: call init() before embedding');
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const batch = texts.slice(start, start + this.batchSize).map((text) => prefix + text);
      vectors.push(...(await this.run(extractor, batch)));
    }
    return vectors;
  }

  private async run(extractor: FeatureExtractionPipeline, batch: string[]): Promise<Float32Array[]> {
    const output = await extractor(batch, { pooling: 'mean', normalize: true });
    try {
      return tensorRows(output);
    } finally {
      output.dispose();
    }
  }

  private async load(): Promise<void> {
    const source = this.locate();
    const library = await importLibrary();
    let extractor: FeatureExtractionPipeline | undefined;
    try {
      extractor = await this.createExtractor(library, source);
      // One real pass: proves the graph runs and gives the output dimension.
      const [probe] = await this.run(extractor, ['dimension probe']);
      if (!probe || probe.length === 0) throw new Error('the model returned an empty embedding');
      this.dim = probe.length;
      this.extractor = extractor;
    } catch (error) {
      await extractor?.dispose().catch(() => undefined);
      throw new EmbedderUnavailableError(this.loadFailureMessage(source, error), { cause: error });
    }
  }

  private async createExtractor(library: Library, source: ModelSource): Promise<FeatureExtractionPipeline> {
    const [pretrained, options] = this.loadArguments(source);
    const model = await library.AutoModel.from_pretrained(pretrained, options);
    try {
      const tokenizer = await library.AutoTokenizer.from_pretrained(pretrained, options);
      return new library.FeatureExtractionPipeline({ task: 'feature-extraction', model, tokenizer });
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  private loadArguments(source: ModelSource): [string, ModelOptions] {
    // A local model is loaded by absolute path: transformers.js never treats a path as a Hub id, so
    // together with local_files_only no request can leave the machine.
    if (source.kind === 'local') {
      return [source.dir, { local_files_only: true, dtype: source.dtype, device: 'cpu' }];
    }
    const cache = this.cacheDir === undefined ? {} : { cache_dir: this.cacheDir };
    return [this.model, { local_files_only: false, device: 'cpu', ...cache }];
  }

  /** Finds a complete local copy, else the Hub when allowed; otherwise explains what is missing. */
  private locate(): ModelSource {
    if (!MODEL_ID.test(this.model) || this.model.includes('..')) {
      throw new EmbedderUnavailableError(
        `Invalid embedding model id "${this.model}" (EMBEDDINGS_MODEL): expected a Hugging Face id such as "Xenova/multilingual-e5-small".`,
      );
    }
    const roots = [...new Set([this.modelsDir, this.cacheDir].filter((root) => root !== undefined))];
    const reports = roots.map((root) => inspectModelFolder(path.join(root, this.model)));
    const complete = reports.find((report) => report.missing.length === 0 && report.dtype);
    if (complete?.dtype) return { kind: 'local', dir: complete.dir, dtype: complete.dtype };
    if (this.allowRemote) return { kind: 'hub' };
    throw new EmbedderUnavailableError(this.missingModelMessage(reports[0]));
  }

  private missingModelMessage(report: ModelFolderReport | undefined): string {
    const where = report
      ? `${report.dir}${path.sep} (missing: ${report.missing.join(', ')})`
      : `<MODELS_DIR>/${this.model}/ (MODELS_DIR is not set)`;
    return (
      `Embedding model "${this.model}" is not available locally and remote model downloads are disabled ` +
      `(ALLOW_REMOTE_MODELS=false). Expected in ${where}: ${EXPECTED_MODEL_FILES}. Copy the model folder ` +
      'there (see the README, "Using a multilingual model (transformers.js)"), or set ALLOW_REMOTE_MODELS=true ' +
      'on a machine that can reach the Hugging Face Hub. Retrieval continues lexical-only.'
    );
  }

  private loadFailureMessage(source: ModelSource, error: unknown): string {
    const detail = error instanceof Error ? error.message : String(error);
    return source.kind === 'local'
      ? `Embedding model "${this.model}" in ${source.dir} could not be loaded (${detail}). Check that the folder ` +
          `holds a complete transformers.js export: ${EXPECTED_MODEL_FILES}. Retrieval continues lexical-only.`
      : `Embedding model "${this.model}" could not be downloaded from the Hugging Face Hub into ` +
          `${this.cacheDir ?? 'the transformers.js default cache'}, or loaded (${detail}). Retrieval continues lexical-only.`;
  }
}
