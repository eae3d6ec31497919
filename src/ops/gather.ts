// gather (ONNX Gather / numpy take): select slices of `data` along one axis by an index tensor.
// Embedding lookup is gather on axis 0. Indices are data, so range errors surface at evaluate time.
import { type TensorType, formatType, isIndex, tensorType } from '../ir/types.ts';
import { IndexError } from '../errors.ts';
import type { OpDefs } from './def.ts';
import { fail, normAxis, splitAt } from './util.ts';
import { takeElements } from './copy.ts';
import { gradWith } from './gradient.ts';
import { indexRangeMessage } from './scalar.ts';
import { type Tensor, tensor } from '../ir/tensor.ts';
import type { Graph, ValueId } from '../ir/graph.ts';
import { describeNode } from './infer.ts';

/** Output type of gather: data.shape[:axis] + indices.shape + data.shape[axis+1:], data's dtype. */
function gatherType(data: TensorType, indices: TensorType, axis: number): TensorType {
  if (!isIndex(indices.dtype)) fail(`gather indices must be i32 or i64, got ${formatType(indices)}`);
  const ax = normAxis(axis, data.shape.length, 'gather axis');
  return tensorType(data.dtype, [...data.shape.slice(0, ax), ...indices.shape, ...data.shape.slice(ax + 1)]);
}

/** Index values resolved into [0, len): negatives wrap once; anything else out of range throws IndexError. */
function resolveIndices(indices: Tensor, len: number, axis: number): number[] {
  const out = new Array<number>(indices.data.length);
  for (let j = 0; j < out.length; j++) {
    const raw = indices.data[j]!;
    const v = Number(raw);
    if (!(v >= -len && v < len)) throw new IndexError(indexRangeMessage(raw, axis, len));
    out[j] = v < 0 ? v + len : v;
  }
  return out;
}

/**
 * Checks every gather whose indices are a constant node against its data's axis, before any
 * backend allocates or runs: an IndexError naming the node, as the interpreter raises at run time.
 */
export function checkConstantIndices(g: Graph): void {
  const constants = new Map<ValueId, Tensor>();
  const types = new Map<ValueId, TensorType>();
  for (const v of [...g.inputs, ...g.weights]) types.set(v.id, v.type);
  for (const n of g.nodes) {
    for (const o of n.outputs) types.set(o.id, o.type);
    if (n.op === 'constant') constants.set(n.outputs[0]!.id, n.attrs.value);
    if (n.op !== 'gather') continue;
    const idx = constants.get(n.inputs[1]!);
    const shape = types.get(n.inputs[0]!)?.shape;
    if (!idx || !shape) continue;
    const ax = normAxis(n.attrs.axis, shape.length);
    try {
      resolveIndices(idx, shape[ax]!, ax);
    } catch (e) {
      if (e instanceof IndexError) throw new IndexError(`${describeNode('gather', n.outputs[0]?.id, n.label)}: constant indices: ${e.message}`);
      throw e;
    }
  }
}

/** Source offset of every output element: out[o, j, i] = data[o, idx[j], i] in (outer, index, inner) form. */
function gatherMap(outer: number, len: number, inner: number, idx: readonly number[]): Int32Array {
  const m = idx.length;
  const map = new Int32Array(outer * m * inner);
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const base = (o * len + idx[j]!) * inner;
      for (let i = 0; i < inner; i++) map[k++] = base + i;
    }
  }
  return map;
}

/** Definition of gather. */
export const gatherOps: OpDefs<'gather'> = {
  gather: {
    kind: 'gather',
    groups: ['movement'],
    arity: { min: 2, max: 2 },
    infer: ([data, indices], { axis }) => [gatherType(data!, indices!, axis)],
    evaluate: ([data, indices], { axis }, [out]) => {
      const ax = normAxis(axis, data!.shape.length);
      const { outer, len, inner } = splitAt(data!.shape, ax);
      const idx = resolveIndices(indices!, len, ax);
      return [takeElements(data!, out!, gatherMap(outer, len, inner, idx))];
    },
    // Scatter-add as a contraction: with the indices one-hot encoded as onehot [M, len],
    // d data [outer, len, inner] = onehot^T @ g [outer, M, inner] (repeated indices add up).
    grad: gradWith<'gather'>((d, g, c) => {
      const [data, indices] = c.inputs as [ValueId, ValueId];
      const shape = d.shape(data);
      const ax = normAxis(c.attrs.axis, shape.length);
      const { outer, len, inner } = splitAt(shape, ax);
      const it = d.type(indices);
      const m = it.shape.reduce((p, q) => p * q, 1);
      const flat = d.reshape(indices, [m, 1]);
      const lenT = d.op('constant', { value: tensor(it.dtype, [], [len]) }, []);
      const wrapped = d.where(d.op('less', {}, [flat, d.op('constant', { value: tensor(it.dtype, [], [0]) }, [])]), d.add(flat, lenT), flat);
      const range = d.op('constant', { value: tensor(it.dtype, [1, len], Array.from({ length: len }, (_, i) => i)) }, []);
      const onehot = d.op('cast', { to: 'f32' }, [d.op('equal', {}, [wrapped, range])]);
      const dd = d.op('matmul', { transA: true, transB: false }, [onehot, d.reshape(g, [outer, m, inner])]);
      return [d.reshape(dd, shape), undefined];
    }),
  },
};
