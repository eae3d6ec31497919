// topK: the k largest (or smallest) elements along one axis, in order, and their indices (i64).
// Equal elements keep their order (the lower index first, as ONNX specifies); a NaN counts as
// greater than every number, so it leads the largest and trails the smallest.
import { type TensorType, formatType, tensorType } from '../ir/types.ts';
import { fromNumberArray, getNumber } from '../ir/tensor.ts';
import type { OpDefs } from './def.ts';
import { NUMERIC } from './dtypes.ts';
import { fail, normAxis, splitAt } from './util.ts';

/** True when value `a` (at index i) comes before `b` (at j) in topK's order. */
export function topKBefore(a: number, i: number, b: number, j: number, largest: boolean): boolean {
  const [na, nb] = [Number.isNaN(a), Number.isNaN(b)];
  if (na || nb) return na && nb ? i < j : largest ? na : nb;
  if (a === b) return i < j;
  return largest ? a > b : a < b;
}

function topKTypes(x: TensorType, axis: number, k: number): TensorType[] {
  if (!NUMERIC.includes(x.dtype)) fail(`topK needs f32, i32 or i64, got ${formatType(x)}`);
  const ax = normAxis(axis, x.shape.length, 'topK axis');
  if (!Number.isInteger(k) || k < 0 || k > x.shape[ax]!) fail(`topK k = ${k} must be in [0, ${x.shape[ax]}] (the length of axis ${ax} of ${formatType(x)})`);
  const shape = x.shape.map((d, i) => (i === ax ? k : d));
  return [tensorType(x.dtype, shape), tensorType('i64', shape)];
}

/** Definition of topK. */
export const topKOps: OpDefs<'topK'> = {
  topK: {
    kind: 'topK',
    groups: [],
    arity: { min: 1, max: 1 },
    infer: ([x], { axis, k }) => topKTypes(x!, axis, k),
    evaluate([x], { axis, k, largest }, [valuesType, indicesType]) {
      const { outer, len, inner } = splitAt(x!.shape, normAxis(axis, x!.shape.length));
      const values = new Float64Array(outer * k * inner);
      const indices = new Float64Array(outer * k * inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const at = (j: number): number => getNumber(x!, (o * len + j) * inner + i);
          const order = Array.from({ length: len }, (_, j) => j).sort((p, q) => (topKBefore(at(p), p, at(q), q, largest) ? -1 : 1));
          for (let r = 0; r < k; r++) {
            values[(o * k + r) * inner + i] = at(order[r]!);
            indices[(o * k + r) * inner + i] = order[r]!;
          }
        }
      }
      return [fromNumberArray(valuesType!, values), fromNumberArray(indicesType!, indices)];
    },
    grad: { none: 'topK is a selection: differentiate through gather at its indices instead' },
  },
};
