// A pre-scan of an ONNX file's protobuf wire format, run before protobufjs decodes it: it counts
// the repeated fields the importer's schema decodes (nodes, dims, inputs, initializers,
// attributes, strings, numbers) without building any object, so a file whose counts break a
// limit, or whose decoded objects would cost far more than its bytes (10M empty NodeProtos in
// 20 MB decode to 4 GB), is refused in one linear pass that allocates nothing.
import { LimitError } from '../../errors.ts';
import { checkLimit } from '../limits.ts';
import type { OnnxLimits } from './limits.ts';

type Msg = 'Model' | 'Opset' | 'Graph' | 'Node' | 'Attribute' | 'ValueInfo' | 'Type' | 'TensorType' | 'Shape' | 'Dim' | 'Tensor' | 'Sparse' | 'Entry';

/** How the decoder treats a field: an embedded message, a string or bytes, or (repeated) numbers of a wire width (0: varint). */
type Field = { readonly msg: Msg } | 'bytes' | { readonly num: 0 | 4 | 8 };

const v = { num: 0 } as const;
const f32 = { num: 4 } as const;
const f64 = { num: 8 } as const;

/** The fields of each message the schema (schema.ts) decodes; others are skipped by the decoder and here. */
const SCHEMA: Readonly<Record<Msg, Readonly<Record<number, Field>>>> = {
  Model: { 1: v, 2: 'bytes', 3: 'bytes', 4: 'bytes', 5: v, 6: 'bytes', 7: { msg: 'Graph' }, 8: { msg: 'Opset' } },
  Opset: { 1: 'bytes', 2: v },
  Graph: { 1: { msg: 'Node' }, 2: 'bytes', 5: { msg: 'Tensor' }, 11: { msg: 'ValueInfo' }, 12: { msg: 'ValueInfo' }, 13: { msg: 'ValueInfo' }, 15: { msg: 'Sparse' } },
  Node: { 1: 'bytes', 2: 'bytes', 3: 'bytes', 4: 'bytes', 7: 'bytes', 5: { msg: 'Attribute' } },
  Attribute: { 1: 'bytes', 21: 'bytes', 20: v, 2: f32, 3: v, 4: 'bytes', 5: { msg: 'Tensor' }, 6: { msg: 'Graph' }, 7: f32, 8: v, 9: 'bytes', 10: { msg: 'Tensor' }, 11: { msg: 'Graph' } },
  ValueInfo: { 1: 'bytes', 2: { msg: 'Type' } },
  Type: { 1: { msg: 'TensorType' }, 4: 'bytes', 5: 'bytes', 8: 'bytes', 9: 'bytes' },
  TensorType: { 1: v, 2: { msg: 'Shape' } },
  Shape: { 1: { msg: 'Dim' } },
  Dim: { 1: v, 2: 'bytes' },
  Tensor: { 1: v, 2: v, 3: 'bytes', 4: f32, 5: v, 6: 'bytes', 7: v, 8: 'bytes', 9: 'bytes', 10: f64, 11: v, 13: { msg: 'Entry' }, 14: v },
  Sparse: { 1: { msg: 'Tensor' } },
  Entry: { 1: 'bytes', 2: 'bytes' },
};

/**
 * Bytes of JS heap one decoded object costs at its peak (protobufjs's message and the plain
 * object made from it), measured on Node 20: an empty NodeProto keeps 200 bytes, an
 * AttributeProto 510, a TensorProto 780, a Dimension or ValueInfoProto 64; numbers 8.
 */
const COST: Readonly<Record<Msg, number>> = { Model: 400, Opset: 130, Graph: 600, Node: 400, Attribute: 1000, ValueInfo: 130, Type: 130, TensorType: 130, Shape: 130, Dim: 130, Tensor: 1600, Sparse: 130, Entry: 130 };
const BYTES_COST = 32;
const NUMBER_COST = 16;

/** A file may cost DECODE_FACTOR times its size plus DECODE_SLACK bytes to decode; more is refused. */
export const DECODE_FACTOR = 32;
export const DECODE_SLACK = 256 * 2 ** 20;

/** Deepest nesting of messages (graphs in attributes in nodes...) the scan follows. */
const MAX_DEPTH = 100;

/** What the scan counted. */
export interface WireCounts {
  nodes: number;
  messages: number;
  /** Estimated peak bytes of the decoded objects. */
  cost: number;
}

/**
 * Scans `bytes` as an onnx.ModelProto and throws a LimitError, naming the file, when a count breaks
 * a limit (nodes: maxNodes over every graph; dims of one shape or tensor: maxRank; initializers and
 * graph inputs, outputs and value infos: maxTensors each; numbers in one field: maxTensorElements) or
 * when decoding would cost more than DECODE_FACTOR x its size + DECODE_SLACK. Malformed wire data
 * is left to the decoder, which names it.
 */
export function prescanModel(bytes: Uint8Array, limits: OnnxLimits, file: string): WireCounts {
  const counts: WireCounts = { nodes: 0, messages: 0, cost: bytes.length };
  scan(bytes, 0, bytes.length, 'Model', counts, limits, file, 0);
  const bound = DECODE_FACTOR * bytes.length + DECODE_SLACK;
  if (counts.cost > bound) {
    throw new LimitError(`${file}: decoding its ${counts.messages} messages (${counts.nodes} nodes) would take about ${counts.cost} bytes, over ${DECODE_FACTOR}x the file's ${bytes.length} bytes + ${DECODE_SLACK} bytes`);
  }
  checkLimit(limits, 'maxNodes', counts.nodes, `${file}: node count`);
  return counts;
}

/** Reads a varint at `p`; returns [value, next position] (value exact below 2^53), or undefined past `end`. */
function varint(b: Uint8Array, p: number, end: number): [number, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= end) return undefined;
    const byte = b[p++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, p];
    scale *= 128;
  }
  return undefined;
}

/** Counts the fields of one message of type `type` in b[start, end). Stops quietly at malformed data. */
function scan(b: Uint8Array, start: number, end: number, type: Msg, c: WireCounts, limits: OnnxLimits, file: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new LimitError(`${file}: messages nested more than ${MAX_DEPTH} deep`);
  c.messages++;
  c.cost += COST[type];
  if (type === 'Node') c.nodes++;
  const fields = SCHEMA[type];
  const repeats = new Map<number, number>();
  let p = start;
  while (p < end) {
    const tag = varint(b, p, end);
    if (!tag) return;
    p = tag[1];
    const [field, wire] = [Math.floor(tag[0] / 8), tag[0] % 8];
    let len = 0;
    if (wire === 0) {
      const x = varint(b, p, end);
      if (!x) return;
      p = x[1];
    } else if (wire === 1 || wire === 5) {
      len = wire === 1 ? 8 : 4;
      p += len;
    } else if (wire === 2) {
      const x = varint(b, p, end);
      if (!x || x[1] + x[0] > end) return;
      [len, p] = [x[0], x[1]];
    } else return; // groups and invalid wire types: the decoder reports them
    const kind = fields[field];
    const at = p - (wire === 2 ? 0 : len);
    if (wire === 2) p += len;
    if (kind === undefined) continue;
    let n = 1;
    if (kind === 'bytes') c.cost += BYTES_COST + len;
    else if ('msg' in kind) {
      if (wire !== 2) continue;
      scan(b, at, at + len, kind.msg, c, limits, file, depth + 1);
    } else {
      n = wire === 2 ? packedCount(b, at, at + len, kind.num) : 1;
      c.cost += n * NUMBER_COST;
    }
    const total = (repeats.get(field) ?? 0) + n;
    repeats.set(field, total);
    checkRepeats(type, field, total, limits, file);
  }
}

/** Elements in a packed run of numbers of `width` bytes (0: varints, counted by their last bytes). */
function packedCount(b: Uint8Array, start: number, end: number, width: 0 | 4 | 8): number {
  if (width > 0) return Math.floor((end - start) / width);
  let n = 0;
  for (let i = start; i < end; i++) if (b[i]! < 0x80) n++;
  return n;
}

/** The per-message count limits, checked as each repeated field grows. */
function checkRepeats(type: Msg, field: number, n: number, limits: OnnxLimits, file: string): void {
  if ((type === 'Shape' && field === 1) || (type === 'Tensor' && field === 1)) checkLimit(limits, 'maxRank', n, `${file}: a ${type === 'Shape' ? 'shape' : 'tensor'}'s rank (counted before decoding)`);
  else if (type === 'Graph' && field !== 1 && field !== 2) checkLimit(limits, 'maxTensors', n, `${file}: ${({ 5: 'initializers', 11: 'graph inputs', 12: 'graph outputs', 13: 'value infos', 15: 'sparse initializers' } as Record<number, string>)[field]} of one graph`);
  else if (n > limits.maxTensorElements) checkLimit(limits, 'maxTensorElements', n, `${file}: elements of one repeated field`);
}
