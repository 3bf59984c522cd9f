/**
 * Serialises small ONNX inference graphs (a real ModelProto) for tests, so that model-loading code
 * runs against onnxruntime without downloading anything. The message definitions live in
 * onnx-subset.proto beside this file; protobufjs does the wire encoding.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** ONNX TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, INT64: 7 } as const;
export type OnnxElemType = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** A symbolic (e.g. "batch") or fixed dimension. */
export type OnnxDim = string | number;

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxElemType;
  shape: OnnxDim[];
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export interface OnnxAttribute {
  name: string;
  /** Integer attribute (e.g. Gather axis, Cast to). */
  int: number;
}

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes?: OnnxAttribute[];
}

export interface OnnxGraph {
  name: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: OnnxInitializer[];
  nodes: OnnxNode[];
  /** Default-domain opset version. */
  opset?: number;
}

const IR_VERSION = 8;
const DEFAULT_OPSET = 17;
const ATTRIBUTE_TYPE_INT = 2;

let modelType: protobuf.Type | undefined;

function onnxModelType(): protobuf.Type {
  if (!modelType) {
    const protoPath = fileURLToPath(new URL('./onnx-subset.proto', import.meta.url));
    // keepCase: field names stay as in onnx.proto (op_type, raw_data, ...).
    const { root } = protobuf.parse(readFileSync(protoPath, 'utf8'), { keepCase: true });
    modelType = root.lookupType('onnx.ModelProto');
  }
  return modelType;
}

/** Little-endian bytes, as ONNX raw_data requires regardless of the host. */
function rawData(data: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(data.length * data.BYTES_PER_ELEMENT);
  const view = new DataView(bytes.buffer);
  data.forEach((value: number | bigint, i: number) => {
    if (typeof value === 'bigint') view.setBigInt64(i * 8, value, true);
    else view.setFloat32(i * 4, value, true);
  });
  return bytes;
}

function tensorProto(init: OnnxInitializer): Record<string, unknown> {
  return {
    name: init.name,
    dims: init.dims,
    data_type: init.data instanceof Float32Array ? OnnxDataType.FLOAT : OnnxDataType.INT64,
    raw_data: rawData(init.data),
  };
}

function valueInfoProto(info: OnnxValueInfo): Record<string, unknown> {
  return {
    name: info.name,
    type: {
      tensor_type: {
        elem_type: info.elemType,
        shape: {
          dim: info.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })),
        },
      },
    },
  };
}

function nodeProto(node: OnnxNode, index: number): Record<string, unknown> {
  return {
    name: `${node.opType.toLowerCase()}_${index}`,
    op_type: node.opType,
    input: node.inputs,
    output: node.outputs,
    attribute: (node.attributes ?? []).map((a) => ({ name: a.name, type: ATTRIBUTE_TYPE_INT, i: a.int })),
  };
}

/** Encodes the graph as a serialised ONNX ModelProto (the bytes of a `.onnx` file). */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  const type = onnxModelType();
  const model = {
    ir_version: IR_VERSION,
    producer_name: 'helpdesk-bot-tests',
    producer_version: '1',
    opset_import: [{ domain: '', version: graph.opset ?? DEFAULT_OPSET }],
    graph: {
      name: graph.name,
      node: graph.nodes.map(nodeProto),
      initializer: graph.initializers.map(tensorProto),
      input: graph.inputs.map(valueInfoProto),
      output: graph.outputs.map(valueInfoProto),
    },
  };
  const problem = type.verify(model);
  if (problem) throw new Error(`invalid ONNX model description: ${problem}`);
  return type.encode(type.fromObject(model)).finish();
}

