// argMax and argMin: the index (i64) of the largest or smallest element along one axis. Ties go to
// the first index, or the last with selectLast. A NaN beats every number (numpy's and ONNX's
// reference rule), so a line holding NaNs gives its first (or last) NaN.
import { type TensorType, formatType, tensorType } from '../ir/types.ts';
import { fromNumberArray, getNumber } from '../ir/tensor.ts';
import type { OpDef, OpDefs } from './def.ts';
import { NUMERIC } from './dtypes.ts';
import { NOT_DIFFERENTIABLE } from './gradient.ts';
import { fail, normAxis, splitAt } from './util.ts';

type ArgKind = 'argMax' | 'argMin';

/** The result type: i64, the axis kept as 1 or dropped. */
function argType(kind: ArgKind, x: TensorType, axis: number, keepDims: boolean): TensorType {
  if (!NUMERIC.includes(x.dtype)) fail(`${kind} needs f32, i32 or i64, got ${formatType(x)}`);
  const ax = normAxis(axis, x.shape.length, `${kind} axis`);
  if (x.shape[ax] === 0) fail(`${kind} over axis ${ax} of length 0 has no element to pick, got ${formatType(x)}`);
  return tensorType('i64', keepDims ? x.shape.map((d, i) => (i === ax ? 1 : d)) : x.shape.filter((_, i) => i !== ax));
}

/**
 * True when `v` replaces the best `b` so far: strictly better (or, with `last`, as good), where a
 * NaN is better than any number and as good as another NaN.
 */
export function argBeats(v: number, b: number, min: boolean, last: boolean): boolean {
  if (Number.isNaN(v)) return last || !Number.isNaN(b);
  if (Number.isNaN(b)) return false;
  return min ? (last ? v <= b : v < b) : last ? v >= b : v > b;
}

function argOp<K extends ArgKind>(kind: K): OpDef<K> {
  const min = kind === 'argMin';
  return {
    kind,
    groups: [],
    arity: { min: 1, max: 1 },
    infer: ([x], { axis, keepDims }) => [argType(kind, x!, axis, keepDims)],
    evaluate([x], { axis, selectLast }, [out]) {
      const { outer, len, inner } = splitAt(x!.shape, normAxis(axis, x!.shape.length));
      const result = new Float64Array(outer * inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * len * inner + i;
          let best = 0;
          for (let j = 1; j < len; j++) {
            if (argBeats(getNumber(x!, base + j * inner), getNumber(x!, base + best * inner), min, selectLast)) best = j;
          }
          result[o * inner + i] = best;
        }
      }
      return [fromNumberArray(out!, result)];
    },
    grad: NOT_DIFFERENTIABLE,
  };
}

/** The arg reductions. */
export const argOps: OpDefs<ArgKind> = {
  argMax: argOp('argMax'),
  argMin: argOp('argMin'),
};
