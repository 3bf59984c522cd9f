import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { env } from '@huggingface/transformers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbedderUnavailableError } from '../../src/engine/ports/embedder.js';
import {
  defaultPrefixes,
  isE5Model,
  TransformersEmbedder,
  type TransformersEmbedderOptions,
} from '../../src/embeddings/transformers.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { writeTinyBertModel } from '../helpers/tiny-onnx-model.js';

// Same seed for both ids: identical weights, so the e5 one differs only by its prefixes.
const E5_ID = 'test-org/tiny-multilingual-e5-small';
const PLAIN_ID = 'test-org/tiny-bert';
const QUANTIZED_ID = 'test-org/tiny-bert-quantized';
const HUB_ONLY_ID = 'test-org/hub-only-e5-small';
const DIMENSION = 16;

let tmp: string;
let modelsDir: string;
let hub: HubServer;
const fetched: string[] = [];
const original = { remoteHost: env.remoteHost, envFetch: env.fetch, globalFetch: globalThis.fetch };
const open: TransformersEmbedder[] = [];

/** Every request that reached the stand-in Hub or went through either fetch. */
function networkActivity(): string[] {
  return [...hub.requests, ...fetched];
}

function resetNetworkLog(): void {
  hub.requests.length = 0;
  fetched.length = 0;
}

async function ready(options: Partial<TransformersEmbedderOptions> & { model: string }): Promise<TransformersEmbedder> {
  const embedder = new TransformersEmbedder({ modelsDir, allowRemote: false, ...options });
  open.push(embedder);
  await embedder.init();
  return embedder;
}

function norm(vector: Float32Array): number {
  return Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
}

function cosine(a: Float32Array, b: Float32Array): number {
  return a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);
}

function expectSameVectors(actual: Float32Array[], expected: Float32Array[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((vector, i) => {
    const reference = expected[i] ?? new Float32Array();
    expect(vector).toHaveLength(reference.length);
    vector.forEach((x, j) => expect(x).toBeCloseTo(reference[j] ?? Number.NaN, 6));
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'helpdesk-transformers-'));
  modelsDir = path.join(tmp, 'models');
  writeTinyBertModel(path.join(modelsDir, E5_ID), { hiddenSize: DIMENSION, seed: 7 });
  writeTinyBertModel(path.join(modelsDir, PLAIN_ID), { hiddenSize: DIMENSION, seed: 7 });
  writeTinyBertModel(path.join(modelsDir, QUANTIZED_ID), { hiddenSize: 24, seed: 3, onnxFile: 'model_quantized.onnx' });
  writeTinyBertModel(path.join(tmp, 'hub', HUB_ONLY_ID), { hiddenSize: 12, seed: 5 });

  // Any Hub traffic goes to a local recorder, and both fetch entry points are logged.
  hub = await startHubServer(path.join(tmp, 'hub'));
  env.remoteHost = hub.url;
  env.fetch = (input, init) => {
    fetched.push(String(input));
    return original.envFetch(input, init);
  };
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    fetched.push(input instanceof Request ? input.url : String(input));
    return original.globalFetch(input, init);
  }) as typeof fetch;
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((embedder) => embedder.close()));
  resetNetworkLog();
});

afterAll(async () => {
  env.remoteHost = original.remoteHost;
  env.fetch = original.envFetch;
  globalThis.fetch = original.globalFetch;
  await hub?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('TransformersEmbedder with a local model', () => {
  it('loads the model from MODELS_DIR and knows its dimension after init', async () => {
    const embedder = new TransformersEmbedder({ model: PLAIN_ID, modelsDir, allowRemote: false });
    open.push(embedder);
    expect(() => embedder.dimension).toThrow(/init\(\)/);
    await expect(embedder.embedQueries(['vpn'])).rejects.toThrow(/init\(\)/);

    await embedder.init();

    expect(embedder.provider).toBe('transformers');
    expect(embedder.model).toBe(PLAIN_ID);
    expect(embedder.dimension).toBe(DIMENSION);
    const [vector] = await embedder.embedPassages(['How do I reset my VPN password?']);
    expect(vector).toBeInstanceOf(Float32Array);
    expect(vector).toHaveLength(DIMENSION);
  });

  it('returns L2-normalised vectors', async () => {
    const embedder = await ready({ model: E5_ID });
    const texts = ['vpn', 'My laptop is slow', 'Comment réinitialiser mon mot de passe ?', '', 'x'.repeat(300)];
    const vectors = [...(await embedder.embedQueries(texts)), ...(await embedder.embedPassages(texts))];
    expect(vectors).toHaveLength(texts.length * 2);
    for (const vector of vectors) expect(norm(vector)).toBeCloseTo(1, 5);
  });

  it('gives the same vectors in batches as one text at a time', async () => {
    const texts = [
      'printer not working',
      'How do I connect to the wifi when my account is locked?',
      'outlook',
      'Mon imprimante ne marche pas depuis ce matin, que faire ?',
      'teams access',
    ];
    const batched = await ready({ model: E5_ID, batchSize: 2 });
    const single = await ready({ model: E5_ID, batchSize: 1 });
    const whole = await ready({ model: E5_ID, batchSize: 64 });

    const oneByOne = await single.embedPassages(texts);
    expectSameVectors(await batched.embedPassages(texts), oneByOne);
    expectSameVectors(await whole.embedPassages(texts), oneByOne);
    expectSameVectors(await batched.embedQueries(texts), await single.embedQueries(texts));
    expect(await batched.embedQueries([])).toEqual([]);
  });

  it('maps identical texts to identical vectors and different texts to different ones', async () => {
    const embedder = await ready({ model: PLAIN_ID });
    const [a, b, again, c] = await embedder.embedPassages(['reset password', 'printer', 'reset password', 'vpn']);
    if (!a || !b || !again || !c) throw new Error('expected four vectors');
    expect(Array.from(again)).toEqual(Array.from(a));
    const [later] = await embedder.embedPassages(['reset password']);
    expectSameVectors([later ?? new Float32Array()], [a]);
    expect(cosine(a, b)).toBeLessThan(0.99);
    expect(cosine(a, c)).toBeLessThan(0.99);
    expect(cosine(b, c)).toBeLessThan(0.99);
  });

  it('loads a folder that ships only the 8-bit weights (onnx/model_quantized.onnx)', async () => {
    const embedder = await ready({ model: QUANTIZED_ID });
    expect(embedder.dimension).toBe(24);
    const [vector] = await embedder.embedQueries(['wifi']);
    expect(norm(vector ?? new Float32Array())).toBeCloseTo(1, 5);
  });
});

describe('e5 query/passage prefixes', () => {
  it('recognises e5-family model ids', () => {
    expect(isE5Model('Xenova/multilingual-e5-small')).toBe(true);
    expect(isE5Model('intfloat/e5-base-v2')).toBe(true);
    expect(isE5Model('Xenova/e5-small-v2')).toBe(true);
    expect(isE5Model('Xenova/all-MiniLM-L6-v2')).toBe(false);
    expect(isE5Model('Xenova/bge-m3')).toBe(false);
    expect(isE5Model('someone/model-e50')).toBe(false);
    expect(defaultPrefixes('Xenova/multilingual-e5-small')).toEqual({ query: 'query: ', passage: 'passage: ' });
    expect(defaultPrefixes('Xenova/all-MiniLM-L6-v2')).toEqual({ query: '', passage: '' });
  });

  it('prepends "query: " and "passage: " for e5 models and nothing otherwise', async () => {
    const e5 = await ready({ model: E5_ID });
    const plain = await ready({ model: PLAIN_ID });
    const text = 'reset my vpn password';

    const [query] = await e5.embedQueries([text]);
    const [passage] = await e5.embedPassages([text]);
    if (!query || !passage) throw new Error('expected vectors');
    expect(cosine(query, passage)).toBeLessThan(0.99);

    // Same weights without prefixes: the e5 vectors are exactly those of the prefixed texts.
    expectSameVectors([query, passage], await plain.embedPassages([`query: ${text}`, `passage: ${text}`]));
    expectSameVectors(await plain.embedQueries([text]), await plain.embedPassages([text]));
  });

  it('lets configuration override the prefixes', async () => {
    const unprefixed = await ready({ model: E5_ID, queryPrefix: '', passagePrefix: '' });
    const custom = await ready({ model: PLAIN_ID, queryPrefix: 'query: ' });
    const plain = await ready({ model: PLAIN_ID });
    const text = 'teams access';

    const [bare] = await plain.embedPassages([text]);
    expectSameVectors(await unprefixed.embedQueries([text]), [bare ?? new Float32Array()]);
    expectSameVectors(await unprefixed.embedPassages([text]), [bare ?? new Float32Array()]);
    expectSameVectors(await custom.embedQueries([text]), await plain.embedPassages([`query: ${text}`]));
    expectSameVectors(await custom.embedPassages([text]), [bare ?? new Float32Array()]);
  });
});

describe('offline behaviour', () => {
  it('attempts no network access when loading and embedding a local model', async () => {
    resetNetworkLog();
    const embedder = await ready({ model: E5_ID });
    await embedder.embedQueries(['vpn', 'printer']);
    await embedder.embedPassages(['wifi']);
    // Even with downloads allowed, a complete local copy is used as is.
    const permissive = await ready({ model: PLAIN_ID, allowRemote: true });
    await permissive.embedQueries(['email']);
    expect(networkActivity()).toEqual([]);
  });

  it('throws EmbedderUnavailableError naming the expected files when the model folder is missing', async () => {
    resetNetworkLog();
    const embedder = new TransformersEmbedder({ model: 'Xenova/multilingual-e5-small', modelsDir, allowRemote: false });
    const failure = embedder.init();
    await expect(failure).rejects.toBeInstanceOf(EmbedderUnavailableError);
    await expect(failure).rejects.toThrow(path.join(modelsDir, 'Xenova/multilingual-e5-small'));
    await expect(failure).rejects.toThrow(/config\.json, tokenizer\.json, tokenizer_config\.json, onnx\/model\.onnx/);
    await expect(failure).rejects.toThrow(/ALLOW_REMOTE_MODELS/);
    expect(() => embedder.dimension).toThrow(/init\(\)/);
    expect(networkActivity()).toEqual([]);
  });

  it('reports which files are missing from an incomplete folder, and a model that cannot be loaded', async () => {
    const incomplete = path.join(tmp, 'incomplete');
    writeTinyBertModel(path.join(incomplete, PLAIN_ID));
    rmSync(path.join(incomplete, PLAIN_ID, 'tokenizer.json'));
    const partial = new TransformersEmbedder({ model: PLAIN_ID, modelsDir: incomplete, allowRemote: false });
    await expect(partial.init()).rejects.toThrow(/missing: tokenizer\.json\)/);

    const corrupt = path.join(tmp, 'corrupt');
    writeTinyBertModel(path.join(corrupt, PLAIN_ID));
    writeFileSync(path.join(corrupt, PLAIN_ID, 'onnx', 'model.onnx'), 'not an onnx graph');
    const broken = new TransformersEmbedder({ model: PLAIN_ID, modelsDir: corrupt, allowRemote: false });
    const failure = broken.init();
    await expect(failure).rejects.toBeInstanceOf(EmbedderUnavailableError);
    await expect(failure).rejects.toThrow(/could not be loaded/);
    expect(networkActivity()).toEqual([]);
  });

  it('explains when MODELS_DIR is not set, and rejects model ids that are paths', async () => {
    const unset = new TransformersEmbedder({ model: E5_ID, allowRemote: false });
    await expect(unset.init()).rejects.toThrow(/MODELS_DIR is not set/);
    const traversal = new TransformersEmbedder({ model: '../../etc', modelsDir, allowRemote: false });
    await expect(traversal.init()).rejects.toBeInstanceOf(EmbedderUnavailableError);
    expect(networkActivity()).toEqual([]);
  });

  it('can be retried after the operator copies the model in', async () => {
    const later = path.join(tmp, 'later');
    const embedder = new TransformersEmbedder({ model: PLAIN_ID, modelsDir: later, allowRemote: false });
    open.push(embedder);
    await expect(embedder.init()).rejects.toBeInstanceOf(EmbedderUnavailableError);
    writeTinyBertModel(path.join(later, PLAIN_ID), { hiddenSize: DIMENSION });
    await embedder.init();
    expect(embedder.dimension).toBe(DIMENSION);
  });
});

describe('with ALLOW_REMOTE_MODELS', () => {
  it('downloads a missing model from the Hub endpoint into cacheDir, then works offline from there', async () => {
    const emptyModels = path.join(tmp, 'empty-models');
    const cacheDir = path.join(tmp, 'hub-cache');
    resetNetworkLog();

    const online = await ready({ model: HUB_ONLY_ID, modelsDir: emptyModels, cacheDir, allowRemote: true });
    expect(online.dimension).toBe(12);
    const served = hub.requests.filter((request) => request.startsWith(`GET /${HUB_ONLY_ID}/resolve/main/`));
    expect(served.map((request) => request.split('/resolve/main/')[1])).toEqual(
      expect.arrayContaining(['config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']),
    );
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
      expect(existsSync(path.join(cacheDir, HUB_ONLY_ID, file)), file).toBe(true);
    }
    const [downloaded] = await online.embedQueries(['vpn']);

    resetNetworkLog();
    const offline = await ready({ model: HUB_ONLY_ID, modelsDir: emptyModels, cacheDir, allowRemote: false });
    expectSameVectors(await offline.embedQueries(['vpn']), [downloaded ?? new Float32Array()]);
    expect(networkActivity()).toEqual([]);
  });

  it('turns a model the Hub does not have into EmbedderUnavailableError', async () => {
    const embedder = new TransformersEmbedder({
      model: 'test-org/not-on-the-hub',
      modelsDir: path.join(tmp, 'empty-models'),
      cacheDir: path.join(tmp, 'hub-cache-missing'),
      allowRemote: true,
    });
    const failure = embedder.init();
    await expect(failure).rejects.toBeInstanceOf(EmbedderUnavailableError);
    await expect(failure).rejects.toThrow(/could not be downloaded/);
    expect(hub.requests.some((request) => request.includes('/test-org/not-on-the-hub/resolve/main/'))).toBe(true);
  });
});
