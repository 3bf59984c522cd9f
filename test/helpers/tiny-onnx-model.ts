/**
 * Writes a tiny BERT-like sentence encoder in the transformers.js local model layout:
 *
 *   <dir>/config.json, tokenizer.json, tokenizer_config.json, onnx/<model.onnx | model_quantized.onnx>
 *
 * The graph takes input_ids, attention_mask and token_type_ids [batch, sequence] and returns
 * last_hidden_state [batch, sequence, hidden]: word + token-type embeddings, a dense layer, tanh,
 * zeroed at padding. Weights come from a seeded generator, so the same seed gives the same model.
 * The WordPiece vocabulary knows "query", "passage" and ":" (e5 prefixes change the vector) and
 * every single letter and digit, so any text maps to distinct pieces rather than [UNK].
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeOnnxModel, OnnxDataType, type OnnxGraph } from './onnx-builder.js';

export interface TinyBertOptions {
  /** Embedding size (the vector dimension the embedder reports). Default 16. */
  hiddenSize?: number;
  /** Weight seed. Default 1. */
  seed?: number;
  /** Which file of the dtype family to write: fp32 `model.onnx` (default) or q8 `model_quantized.onnx`. */
  onnxFile?: 'model.onnx' | 'model_quantized.onnx';
  /** tokenizer_config.json model_max_length. Default 128. */
  maxLength?: number;
}

export interface TinyBertModel {
  dir: string;
  hiddenSize: number;
  vocabulary: string[];
  /** Paths relative to dir, in the order written. */
  files: string[];
}

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const PUNCTUATION = [':', '?', '!', '.', ',', "'", '-', '/', '(', ')'];
const WORDS = [
  'query', 'passage', 'how', 'do', 'i', 'my', 'the', 'to', 'is', 'not', 'can', 'reset', 'password',
  'vpn', 'printer', 'wifi', 'email', 'outlook', 'teams', 'laptop', 'account', 'locked', 'connect',
  'working', 'slow', 'access', 'comment', 'mot', 'de', 'passe', 'imprimante', 'reinitialiser', 'mon',
  'ne', 'pas', 'marche', 'compte', 'bloque',
];
const SUFFIXES = ['##s', '##ing', '##ed', '##er'];
const CHARACTERS = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');

/** The WordPiece vocabulary; a token's id is its index. */
export function tinyBertVocabulary(): string[] {
  return [
    ...SPECIAL_TOKENS,
    ...PUNCTUATION,
    ...WORDS,
    ...SUFFIXES,
    ...CHARACTERS,
    ...CHARACTERS.map((c) => `##${c}`),
  ];
}

/** mulberry32: small, fast, deterministic. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomMatrix(random: () => number, size: number, scale: number): Float32Array {
  return Float32Array.from({ length: size }, () => (random() * 2 - 1) * scale);
}

/** The BERT-like encoder graph. */
export function tinyBertGraph(vocabSize: number, hiddenSize: number, seed: number): OnnxGraph {
  const random = seededRandom(seed);
  const tokens = ['batch', 'sequence'];
  const int64Input = (name: string) => ({ name, elemType: OnnxDataType.INT64, shape: tokens });
  return {
    name: 'tiny_bert',
    inputs: [int64Input('input_ids'), int64Input('attention_mask'), int64Input('token_type_ids')],
    outputs: [{ name: 'last_hidden_state', elemType: OnnxDataType.FLOAT, shape: [...tokens, hiddenSize] }],
    initializers: [
      { name: 'word_embeddings', dims: [vocabSize, hiddenSize], data: randomMatrix(random, vocabSize * hiddenSize, 1) },
      { name: 'token_type_embeddings', dims: [2, hiddenSize], data: randomMatrix(random, 2 * hiddenSize, 0.1) },
      { name: 'dense_weight', dims: [hiddenSize, hiddenSize], data: randomMatrix(random, hiddenSize * hiddenSize, 0.5) },
      { name: 'dense_bias', dims: [hiddenSize], data: randomMatrix(random, hiddenSize, 0.1) },
      { name: 'last_axis', dims: [1], data: BigInt64Array.of(-1n) },
    ],
    nodes: [
      { opType: 'Gather', inputs: ['word_embeddings', 'input_ids'], outputs: ['words'], attributes: [{ name: 'axis', int: 0 }] },
      { opType: 'Gather', inputs: ['token_type_embeddings', 'token_type_ids'], outputs: ['types'], attributes: [{ name: 'axis', int: 0 }] },
      { opType: 'Add', inputs: ['words', 'types'], outputs: ['embeddings'] },
      { opType: 'MatMul', inputs: ['embeddings', 'dense_weight'], outputs: ['projected'] },
      { opType: 'Add', inputs: ['projected', 'dense_bias'], outputs: ['dense'] },
      { opType: 'Tanh', inputs: ['dense'], outputs: ['activated'] },
      { opType: 'Unsqueeze', inputs: ['attention_mask', 'last_axis'], outputs: ['mask_column'] },
      { opType: 'Cast', inputs: ['mask_column'], outputs: ['mask'], attributes: [{ name: 'to', int: OnnxDataType.FLOAT }] },
      { opType: 'Mul', inputs: ['activated', 'mask'], outputs: ['last_hidden_state'] },
    ],
  };
}

/** tokenizer.json as written by Hugging Face `tokenizers` for an uncased BERT (WordPiece). */
export function tinyBertTokenizerJson(vocabulary: string[]): Record<string, unknown> {
  const id = (token: string) => vocabulary.indexOf(token);
  const special = (token: string) => ({ SpecialToken: { id: token, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]')],
      pair: [
        special('[CLS]'),
        { Sequence: { id: 'A', type_id: 0 } },
        special('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((token) => [token, { id: token, ids: [id(token)], tokens: [token] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary.map((token, index) => [token, index])),
    },
  };
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes the model folder (creating it) and returns what was written. */
export function writeTinyBertModel(dir: string, options: TinyBertOptions = {}): TinyBertModel {
  const hiddenSize = options.hiddenSize ?? 16;
  const onnxFile = options.onnxFile ?? 'model.onnx';
  const vocabulary = tinyBertVocabulary();
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });

  writeJson(path.join(dir, 'config.json'), {
    model_type: 'bert',
    architectures: ['BertModel'],
    vocab_size: vocabulary.length,
    hidden_size: hiddenSize,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: hiddenSize,
    max_position_embeddings: options.maxLength ?? 128,
    type_vocab_size: 2,
    pad_token_id: 0,
  });
  writeJson(path.join(dir, 'tokenizer.json'), tinyBertTokenizerJson(vocabulary));
  writeJson(path.join(dir, 'tokenizer_config.json'), {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: options.maxLength ?? 128,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  });
  const graph = tinyBertGraph(vocabulary.length, hiddenSize, options.seed ?? 1);
  writeFileSync(path.join(dir, 'onnx', onnxFile), encodeOnnxModel(graph));

  return {
    dir,
    hiddenSize,
    vocabulary,
    files: ['config.json', 'tokenizer.json', 'tokenizer_config.json', `onnx/${onnxFile}`],
  };
}
