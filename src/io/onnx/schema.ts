// The ONNX message schema (the subset of onnx.proto the importer reads), as a protobufjs
// descriptor. Decoding is protobufjs's; this file only names the messages and their field
// numbers. Fields not listed here are skipped by the decoder.
import protobuf from 'protobufjs/light.js';

const rep = 'repeated' as const;

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: { rule: rep, type: 'OperatorSetIdProto', id: 8 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: rep, type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: rep, type: 'TensorProto', id: 5 },
            sparseInitializer: { rule: rep, type: 'SparseTensorProto', id: 15 },
            input: { rule: rep, type: 'ValueInfoProto', id: 11 },
            output: { rule: rep, type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: rep, type: 'ValueInfoProto', id: 13 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: rep, type: 'string', id: 1 },
            output: { rule: rep, type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { rule: rep, type: 'AttributeProto', id: 5 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            refAttrName: { type: 'string', id: 21 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: { rule: rep, type: 'float', id: 7 },
            ints: { rule: rep, type: 'int64', id: 8 },
            strings: { rule: rep, type: 'bytes', id: 9 },
            tensors: { rule: rep, type: 'TensorProto', id: 10 },
            graphs: { rule: rep, type: 'GraphProto', id: 11 },
            tp: { type: 'TypeProto', id: 14 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } },
        },
        TypeProto: {
          fields: {
            tensorType: { type: 'TensorTypeProto', id: 1 },
            sequenceType: { type: 'ElementTypeProto', id: 4 },
            mapType: { type: 'bytes', id: 5 },
            sparseTensorType: { type: 'bytes', id: 8 },
            optionalType: { type: 'ElementTypeProto', id: 9 },
          },
        },
        // TypeProto.Sequence and TypeProto.Optional: both hold one field, the element's type.
        ElementTypeProto: {
          fields: { elemType: { type: 'TypeProto', id: 1 } },
        },
        TensorTypeProto: {
          fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: {
          fields: { dim: { rule: rep, type: 'Dimension', id: 1 } },
        },
        Dimension: {
          // A oneof as in onnx.proto: a dimension may carry neither (unknown), which the decoder
          // then leaves absent instead of defaulting dimValue to 0.
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } },
        },
        TensorProto: {
          fields: {
            dims: { rule: rep, type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            segment: { type: 'bytes', id: 3 },
            floatData: { rule: rep, type: 'float', id: 4 },
            int32Data: { rule: rep, type: 'int32', id: 5 },
            stringData: { rule: rep, type: 'bytes', id: 6 },
            int64Data: { rule: rep, type: 'int64', id: 7 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            doubleData: { rule: rep, type: 'double', id: 10 },
            uint64Data: { rule: rep, type: 'uint64', id: 11 },
            externalData: { rule: rep, type: 'StringStringEntryProto', id: 13 },
            dataLocation: { type: 'int32', id: 14 },
          },
        },
        // The test data's sequence and optional values (onnx-data.proto); elemType is their
        // DataType enum (1 tensor, 2 sparse tensor, 3 sequence, 4 map, 5 optional).
        SequenceProto: {
          fields: {
            name: { type: 'string', id: 1 },
            elemType: { type: 'int32', id: 2 },
            tensorValues: { rule: rep, type: 'TensorProto', id: 3 },
            sequenceValues: { rule: rep, type: 'SequenceProto', id: 5 },
            mapValues: { rule: rep, type: 'bytes', id: 6 },
            optionalValues: { rule: rep, type: 'OptionalProto', id: 7 },
          },
        },
        OptionalProto: {
          fields: {
            name: { type: 'string', id: 1 },
            elemType: { type: 'int32', id: 2 },
            tensorValue: { type: 'TensorProto', id: 3 },
            sequenceValue: { type: 'SequenceProto', id: 5 },
            mapValue: { type: 'bytes', id: 6 },
            optionalValue: { type: 'OptionalProto', id: 7 },
          },
        },
        SparseTensorProto: {
          fields: { values: { type: 'TensorProto', id: 1 } },
        },
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
      },
    },
  },
};

/** int64 fields arrive as JS numbers (protobufjs without the `long` package); exact below 2^53. */
type I64 = number;

export interface OnnxModel {
  irVersion: I64;
  opsetImport: { domain: string; version: I64 }[];
  producerName: string;
  graph?: OnnxGraph;
}
export interface OnnxGraph {
  node: OnnxNode[];
  name: string;
  initializer: OnnxTensor[];
  sparseInitializer: unknown[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
}
export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: OnnxAttribute[];
}
export interface OnnxAttribute {
  name: string;
  refAttrName: string;
  type: number;
  f: number;
  i: I64;
  s: Uint8Array;
  t?: OnnxTensor;
  g?: OnnxGraph;
  floats: number[];
  ints: I64[];
  strings: Uint8Array[];
  tensors: OnnxTensor[];
  graphs: OnnxGraph[];
  tp?: OnnxType | null;
}
/** A TypeProto: one of its fields is set (absent message fields decode as null, absent bytes as empty). */
export interface OnnxType {
  tensorType?: { elemType: number; shape?: { dim: { dimValue?: I64; dimParam?: string }[] } } | null;
  sequenceType?: { elemType?: OnnxType | null } | null;
  mapType?: Uint8Array;
  sparseTensorType?: Uint8Array;
  optionalType?: { elemType?: OnnxType | null } | null;
}
export interface OnnxValueInfo {
  name: string;
  type?: OnnxType | null;
}
/** A SequenceProto of the test data. */
export interface OnnxSequence {
  elemType: number;
  tensorValues: OnnxTensor[];
  sequenceValues: OnnxSequence[];
  mapValues: Uint8Array[];
  optionalValues: OnnxOptional[];
}
/** An OptionalProto of the test data. */
export interface OnnxOptional {
  elemType: number;
  tensorValue?: OnnxTensor | null;
  sequenceValue?: OnnxSequence | null;
  mapValue: Uint8Array;
  optionalValue?: OnnxOptional | null;
}
export interface OnnxTensor {
  dims: I64[];
  dataType: number;
  segment?: Uint8Array;
  floatData: number[];
  int32Data: number[];
  stringData: Uint8Array[];
  int64Data: I64[];
  name: string;
  rawData: Uint8Array;
  doubleData: number[];
  uint64Data: I64[];
  externalData: { key: string; value: string }[];
  dataLocation: number;
}

/** AttributeProto.AttributeType values. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, TYPE_PROTO: 13 } as const;

/** TensorProto.DataType values the importer names. */
export const ELEM = { FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16,
  FLOAT8E4M3FN: 17, FLOAT8E4M3FNUZ: 18, FLOAT8E5M2: 19, FLOAT8E5M2FNUZ: 20, UINT4: 21, INT4: 22, FLOAT4E2M1: 23, UINT2: 25, INT2: 26,
} as const;

const root = protobuf.Root.fromJSON(DESCRIPTOR);
const DECODE = { defaults: true, arrays: true, longs: Number, bytes: Uint8Array } as const;

function decoder<T>(name: string): (bytes: Uint8Array) => T {
  const type = root.lookupType(`onnx.${name}`);
  // toObject with `defaults` fills absent scalars (''/0) and `arrays` absent repeated fields ([]).
  return (bytes) => type.toObject(type.decode(bytes), DECODE) as T;
}

/** Decodes a serialized onnx.ModelProto (throws protobufjs's error on malformed input). */
export const decodeModel = decoder<OnnxModel>('ModelProto');
/** Decodes a serialized onnx.TensorProto (the `.pb` files of the ONNX test data sets). */
export const decodeTensor = decoder<OnnxTensor>('TensorProto');
/** Decodes a serialized onnx.SequenceProto (a test data set's sequence value). */
export const decodeSequence = decoder<OnnxSequence>('SequenceProto');
/** Decodes a serialized onnx.OptionalProto (a test data set's optional value). */
export const decodeOptional = decoder<OnnxOptional>('OptionalProto');

/** Encodes an onnx.ModelProto from a plain object in this schema's field names (tests and tools build models with it). */
export function encodeModel(model: Record<string, unknown>): Uint8Array {
  const type = root.lookupType('onnx.ModelProto');
  return type.encode(type.fromObject(model)).finish();
}
