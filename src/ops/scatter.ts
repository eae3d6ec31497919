// scatterElements and scatterND: data with elements (or slices) replaced by, or combined with,
// updates at positions read from an index tensor, applied one update after another in row-major
// order (so with reduction none the last of repeated indices wins, as ONNX's reference does).
// Negative indices wrap once; anything else out of range is an IndexError naming the axis.
import { IndexError } from '../errors.ts';
import { type DType, type TensorType, formatType, isIndex, numel, sameShape, stridesOf } from '../ir/types.ts';
import { type Tensor, fromNumberArray, getNumber, tensor } from '../ir/tensor.ts';
import type { OpDefs } from './def.ts';
import { indexRangeMessage } from './scalar.ts';
import { fail, normAxis } from './util.ts';

/** How an update combines with the element it lands on. */
export type ScatterReduction = 'none' | 'add' | 'mul' | 'max' | 'min';

/** The combination of element `old` with update `u`, as the reference computes it (i32 mul wraps). */
export function scatterCombine(reduction: ScatterReduction, old: number, u: number, dtype: DType): number {
  switch (reduction) {
    case 'none': return u;
    case 'add': return old + u;
    case 'mul': return dtype === 'i32' ? Math.imul(old, u) : old * u;
    case 'max': return Math.max(old, u);
    case 'min': return Math.min(old, u);
  }
}

/** Checks the shared operand rules: index dtype, update dtype, and reductions only on numbers. */
function checkOperands(op: string, data: TensorType, indices: TensorType, updates: TensorType, reduction: ScatterReduction): void {
  if (!isIndex(indices.dtype)) fail(`${op} indices must be i32 or i64, got ${formatType(indices)}`);
  if (updates.dtype !== data.dtype) fail(`${op} updates must have the data's dtype, got ${formatType(updates)} for ${formatType(data)}`);
  if (reduction !== 'none' && data.dtype === 'bool') fail(`${op} reduction ${reduction} needs numeric data, got ${formatType(data)}`);
}

function scatterElementsType(data: TensorType, indices: TensorType, updates: TensorType, axis: number, reduction: ScatterReduction): TensorType {
  checkOperands('scatterElements', data, indices, updates, reduction);
  const ax = normAxis(axis, data.shape.length, 'scatterElements axis');
  const fits = indices.shape.length === data.shape.length && indices.shape.every((n, d) => d === ax || n <= data.shape[d]!);
  if (!fits || !sameShape(indices.shape, updates.shape)) {
    fail(`scatterElements needs indices and updates of one shape, of the data's rank and within its dims off the axis, got ${formatType(indices)} and ${formatType(updates)} for ${formatType(data)}`);
  }
  return data;
}

function scatterNDType(data: TensorType, indices: TensorType, updates: TensorType, reduction: ScatterReduction): TensorType {
  checkOperands('scatterND', data, indices, updates, reduction);
  const k = indices.shape.at(-1);
  if (k === undefined || k > data.shape.length) fail(`scatterND indices need a last dim of at most the data's rank, got ${formatType(indices)} for ${formatType(data)}`);
  const want = [...indices.shape.slice(0, -1), ...data.shape.slice(k)];
  if (!sameShape(want, updates.shape)) fail(`scatterND updates must have shape [${want.join(',')}], got ${formatType(updates)}`);
  return data;
}

/** An index resolved into [0, size): negatives wrap once, anything else out of range throws. */
function resolve(raw: number | bigint, axis: number, size: number, op: string): number {
  const v = Number(raw);
  if (!(v >= -size && v < size)) throw new IndexError(indexRangeMessage(raw, axis, size, op));
  return v < 0 ? v + size : v;
}

/** Any typed array, element-wise (an exact copy for every dtype, i64 included). */
type Elements = { [i: number]: number | bigint };

/**
 * data with every update `u` put at `at` by `visit(put)`: copied as stored for reduction none
 * (exact for i64), else combined in doubles and stored by the fromNumberArray rule.
 */
function scatterInto(data: Tensor, updates: Tensor, out: TensorType, reduction: ScatterReduction, visit: (put: (at: number, u: number) => void) => void): Tensor {
  if (reduction === 'none') {
    const ys = data.data.slice();
    const [dst, src]: Elements[] = [ys, updates.data];
    visit((at, u) => { dst![at] = src![u]!; });
    return tensor(out.dtype, out.shape, ys);
  }
  const ys = Float64Array.from({ length: data.data.length }, (_, i) => getNumber(data, i));
  visit((at, u) => { ys[at] = scatterCombine(reduction, ys[at]!, getNumber(updates, u), data.dtype); });
  return fromNumberArray(out, ys);
}

/** Definitions of the scatters. */
export const scatterOps: OpDefs<'scatterElements' | 'scatterND'> = {
  scatterElements: {
    kind: 'scatterElements',
    groups: [],
    arity: { min: 3, max: 3 },
    infer: ([data, indices, updates], { axis, reduction }) => [scatterElementsType(data!, indices!, updates!, axis, reduction)],
    evaluate([data, indices, updates], { axis, reduction }, [out]) {
      const ax = normAxis(axis, data!.shape.length);
      const dst = stridesOf(data!.shape);
      const shape = updates!.shape;
      const src = stridesOf(shape);
      return [scatterInto(data!, updates!, out!, reduction, (put) => {
        for (let p = 0; p < numel(shape); p++) {
          let at = 0;
          shape.forEach((n, d) => {
            const c = Math.floor(p / src[d]!) % n;
            at += (d === ax ? resolve(indices!.data[p]!, ax, data!.shape[ax]!, 'scatterElements') : c) * dst[d]!;
          });
          put(at, p);
        }
      })];
    },
    grad: { none: 'scatter gradients are not implemented' },
  },
  scatterND: {
    kind: 'scatterND',
    groups: [],
    arity: { min: 3, max: 3 },
    infer: ([data, indices, updates], { reduction }) => [scatterNDType(data!, indices!, updates!, reduction)],
    evaluate([data, indices, updates], { reduction }, [out]) {
      const k = indices!.shape.at(-1)!;
      const dst = stridesOf(data!.shape);
      const slice = numel(data!.shape.slice(k));
      const tuples = numel(indices!.shape.slice(0, -1));
      return [scatterInto(data!, updates!, out!, reduction, (put) => {
        for (let q = 0; q < tuples; q++) {
          let at = 0;
          for (let j = 0; j < k; j++) at += resolve(indices!.data[q * k + j]!, j, data!.shape[j]!, 'scatterND') * dst[j]!;
          for (let e = 0; e < slice; e++) put(at + e, q * slice + e);
        }
      })];
    },
    grad: { none: 'scatter gradients are not implemented' },
  },
};
