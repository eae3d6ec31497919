// ONNX mutators aimed at the classes of issue 22: large declared shapes that cost nothing in the
// file (ConstantOfShape, chained Expands), long chains, out-of-range index inputs, external-data
// entries, and repeated fields on the wire (empty nodes, dims, inputs) that decode to far more
// than their bytes. Each keeps the file a well-formed protobuf, so the importer's and the memory
// budget's checks are what answer.
import type { Rng } from '../../src/api/init.ts';
import type { OnnxModel } from '../../src/io/onnx/schema.ts';
import { type Mutator, below, pick } from './mutate.ts';
import { structural } from './onnx-mutate.ts';

const INT64 = 7;
const FLOAT = 1;

/** Decodes, edits, encodes (files that do not decode pass unchanged): onnx-mutate.ts's structural mutator. */
const edit = structural;

const fresh = (rng: Rng, stem: string) => `${stem}_${below(rng, 1e9)}`;
const output = (name: string) => ({ name, type: { tensorType: { elemType: FLOAT } } });

/** The name of some float value of the graph (a graph input or a node output), or undefined. */
function someValue(m: OnnxModel, rng: Rng): string | undefined {
  const names = [...m.graph!.input.map((i) => i.name), ...m.graph!.node.flatMap((n) => n.output)].filter(Boolean);
  return names.length ? pick(rng, names) : undefined;
}

/** Wire bytes of a varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** `bytes` with a second GraphProto appended (protobuf merges it into the first): `count` copies of `item`. */
function appendToGraph(bytes: Uint8Array, item: readonly number[], count: number): Uint8Array {
  const body = new Uint8Array(item.length * count);
  for (let i = 0; i < count; i++) body.set(item, i * item.length);
  const head = [7 * 8 + 2, ...varint(body.length)];
  const out = new Uint8Array(bytes.length + head.length + body.length);
  out.set(bytes);
  out.set(head, bytes.length);
  out.set(body, bytes.length + head.length);
  return out;
}

const BIG_SIZES = [1e7, 4e8, 2 ** 31 - 1, 350_000_000];

export const HOSTILE_ONNX_MUTATORS: readonly Mutator[] = [
  // A few hundred bytes declaring gigabytes: ConstantOfShape([N]) (+ an Add), as a new output.
  edit('huge-constant-of-shape', (m, rng) => {
    const [shape, fill, sum] = [fresh(rng, 'shape'), fresh(rng, 'fill'), fresh(rng, 'sum')];
    m.graph!.initializer.push({ name: shape, dims: [1], dataType: INT64, int64Data: [pick(rng, BIG_SIZES)] } as never);
    m.graph!.node.push({ opType: 'ConstantOfShape', input: [shape], output: [fill], name: fill, attribute: [] } as never);
    const x = someValue(m, rng);
    m.graph!.node.push({ opType: 'Add', input: [fill, x ?? fill], output: [sum], name: sum, attribute: [] } as never);
    m.graph!.output.push(output(sum) as never);
  }),
  // Chained Expands of one value to a large shape, each tensor within the per-tensor limits.
  edit('chained-expands', (m, rng) => {
    let v = someValue(m, rng);
    if (!v) return;
    const shape = fresh(rng, 'eshape');
    m.graph!.initializer.push({ name: shape, dims: [1], dataType: INT64, int64Data: [pick(rng, BIG_SIZES)] } as never);
    for (let k = 0; k < 5; k++) {
      const out = fresh(rng, 'expand');
      m.graph!.node.push({ opType: k === 0 ? 'Expand' : 'Neg', input: k === 0 ? [v, shape] : [v], output: [out], name: out, attribute: [] } as never);
      v = out;
    }
    m.graph!.output.push(output(v) as never);
  }),
  // A long chain of unary nodes on some value.
  edit('long-chain', (m, rng) => {
    let v = someValue(m, rng);
    if (!v) return;
    const n = pick(rng, [100, 1000, 2000]);
    for (let k = 0; k < n; k++) {
      const out = fresh(rng, 'chain');
      m.graph!.node.push({ opType: k % 2 ? 'Neg' : 'Relu', input: [v], output: [out], name: out, attribute: [] } as never);
      v = out;
    }
    m.graph!.output.push(output(v) as never);
  }),
  // A Gather over some value with constant indices, often out of range (2^40 included).
  edit('index-input', (m, rng) => {
    const v = someValue(m, rng);
    if (!v) return;
    const [idx, out] = [fresh(rng, 'idx'), fresh(rng, 'gathered')];
    const values = Array.from({ length: 1 + below(rng, 3) }, () => pick(rng, [0, 1, -1, 3, -4, 1e6, -1e6, 2 ** 40, -(2 ** 40), 2 ** 31]));
    m.graph!.initializer.push({ name: idx, dims: [values.length], dataType: INT64, int64Data: values } as never);
    m.graph!.node.push({ opType: 'Gather', input: [v, idx], output: [out], name: out, attribute: [{ name: 'axis', type: 2, i: pick(rng, [0, -1, 1]) }] } as never);
    m.graph!.output.push(output(out) as never);
  }),
  // External-data entries: odd keys, offsets and lengths, repeated keys, special files.
  edit('external-data-entries', (m, rng) => {
    const t = m.graph!.initializer.length > 0 ? pick(rng, m.graph!.initializer) : undefined;
    if (!t) return;
    t.dataLocation = 1;
    const location = pick(rng, ['w.bin', 'fifo', '/dev/zero', '.', '', '../w.bin', 'sub/../../w.bin', 'x'.repeat(5000)]);
    const offset = pick(rng, ['0', '-8', '1e3', '9007199254740993', 'NaN', '0x10']);
    const length = pick(rng, ['0', '4', '2147483648', '-1', '1.5']);
    t.externalData = [{ key: 'location', value: location }, { key: 'offset', value: offset }, { key: 'length', value: length }];
    if (rng.next() < 0.3) t.externalData.push({ key: 'location', value: '/etc/passwd' });
  }),
  // Repeated fields on the wire: empty NodeProtos, graph inputs, or one input with many dims.
  {
    name: 'wire-repeats',
    apply(bytes, rng) {
      const count = pick(rng, [1000, 20_000, 2_000_000]); // 2M: refused on the wire
      switch (below(rng, 3)) {
        case 0: return appendToGraph(bytes, [1 * 8 + 2, 0], count); // GraphProto.node
        case 1: return appendToGraph(bytes, [11 * 8 + 2, 0], count); // GraphProto.input
        default: {
          const dims = new Array<number>(count * 2).fill(0).map((_, i) => (i % 2 ? 0 : 1 * 8 + 2)); // Dimension x count
          const shape = [1 * 8 + 2, ...varint(dims.length), ...dims]; // TensorShapeProto.dim
          const tensorType = [2 * 8 + 2, ...varint(shape.length), ...shape];
          const type = [1 * 8 + 2, ...varint(tensorType.length), ...tensorType];
          const input = [1 * 8 + 2, 1, 0x7a, 2 * 8 + 2, ...varint(type.length), ...type]; // name "z", type
          return appendToGraph(bytes, [11 * 8 + 2, ...varint(input.length), ...input], 1);
        }
      }
    },
  },
];
