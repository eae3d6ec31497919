// Shared reference machinery of the elementwise families (unary, binary, where):
// read elements as JS doubles, compute, store into the output dtype by one rule.
//
// Every dtype goes through this one path. i64 elements are read with getNumber, so i64
// arithmetic is exact while operands and results stay below 2^53 in magnitude.
import { type TensorType, numel } from '../ir/types.ts';
import { type Tensor, fromNumberArray, getNumber } from '../ir/tensor.ts';
import { broadcastIndexMap } from './util.ts';

/** out[i] = fn(x[i]); `x` has the output's shape. */
export function map1(x: Tensor, out: TensorType, fn: (a: number) => number): Tensor {
  const ys = new Float64Array(numel(out.shape));
  for (let i = 0; i < ys.length; i++) ys[i] = fn(getNumber(x, i));
  return fromNumberArray(out, ys);
}

/** out[i] = fn(a[i], b[i]) with `a` and `b` broadcast to the output shape. */
export function map2(a: Tensor, b: Tensor, out: TensorType, fn: (x: number, y: number) => number): Tensor {
  const ia = broadcastIndexMap(out.shape, a.shape);
  const ib = broadcastIndexMap(out.shape, b.shape);
  const ys = new Float64Array(ia.length);
  for (let i = 0; i < ys.length; i++) ys[i] = fn(getNumber(a, ia[i]!), getNumber(b, ib[i]!));
  return fromNumberArray(out, ys);
}

/** out[i] = fn(a[i], b[i], c[i]) with all three broadcast to the output shape. */
export function map3(
  a: Tensor,
  b: Tensor,
  c: Tensor,
  out: TensorType,
  fn: (x: number, y: number, z: number) => number,
): Tensor {
  const ia = broadcastIndexMap(out.shape, a.shape);
  const ib = broadcastIndexMap(out.shape, b.shape);
  const ic = broadcastIndexMap(out.shape, c.shape);
  const ys = new Float64Array(ia.length);
  for (let i = 0; i < ys.length; i++) {
    ys[i] = fn(getNumber(a, ia[i]!), getNumber(b, ib[i]!), getNumber(c, ic[i]!));
  }
  return fromNumberArray(out, ys);
}
