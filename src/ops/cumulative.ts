// cumSum and cumProd: running sums and products along one axis, inclusive or exclusive (the
// element itself left out, the first result being the identity), forward or in reverse. The
// reference accumulates in JS doubles in the line's order; i32 products wrap at every step
// (Math.imul), as i32 mul does.
import { type DType, formatType, tensorType } from '../ir/types.ts';
import { fromNumberArray, getNumber } from '../ir/tensor.ts';
import type { OpDef, OpDefs } from './def.ts';
import { NUMERIC } from './dtypes.ts';
import { gradWith } from './gradient.ts';
import { fail, normAxis, splitAt } from './util.ts';

type CumulativeKind = 'cumSum' | 'cumProd';

/** The identity and the step of each kind, by dtype. */
export const CUMULATIVE: Readonly<Record<CumulativeKind, { readonly identity: number; step(acc: number, x: number, dtype: DType): number }>> = {
  cumSum: { identity: 0, step: (acc, x) => acc + x },
  cumProd: { identity: 1, step: (acc, x, dtype) => (dtype === 'i32' ? Math.imul(acc, x) : acc * x) },
};

function cumulativeOp<K extends CumulativeKind>(kind: K): OpDef<K> {
  const { identity, step } = CUMULATIVE[kind];
  return {
    kind,
    groups: [],
    arity: { min: 1, max: 1 },
    infer([x], { axis }) {
      if (!NUMERIC.includes(x!.dtype)) fail(`${kind} needs f32, i32 or i64, got ${formatType(x!)}`);
      normAxis(axis, x!.shape.length, `${kind} axis`);
      return [tensorType(x!.dtype, x!.shape)];
    },
    evaluate([x], { axis, exclusive, reverse }, [out]) {
      const { outer, len, inner } = splitAt(x!.shape, normAxis(axis, x!.shape.length));
      const ys = new Float64Array(outer * len * inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let acc = identity;
          for (let s = 0; s < len; s++) {
            const at = o * len * inner + (reverse ? len - 1 - s : s) * inner + i;
            const v = getNumber(x!, at);
            if (!exclusive) acc = step(acc, v, x!.dtype);
            ys[at] = acc;
            if (exclusive) acc = step(acc, v, x!.dtype);
          }
        }
      }
      return [fromNumberArray(out!, ys)];
    },
    grad: (kind === 'cumSum' ? cumSumGrad : NOT_CUMPROD) as OpDef<K>['grad'],
  };
}

/** The gradient of a running sum is the running sum of the gradient in the other direction. */
const cumSumGrad = gradWith<'cumSum'>((d, g, c) => [d.op('cumSum', { ...c.attrs, reverse: !c.attrs.reverse }, [g])]);

/** cumProd's gradient divides by the elements (undefined at zeros), so none is offered. */
const NOT_CUMPROD = { none: 'the gradient of a running product is not implemented (it needs care where elements are 0)' };

/** The running reductions. */
export const cumulativeOps: OpDefs<CumulativeKind> = {
  cumSum: cumulativeOp('cumSum'),
  cumProd: cumulativeOp('cumProd'),
};
