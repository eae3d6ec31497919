// Shared reference machinery of the elementwise families (unary, binary, where):
// read elements as JS doubles, compute, store into the output dtype by one rule.
//
// Every dtype goes through this one path. i64 elements are read with getNumber, so i64
// arithmetic is exact while operands and results stay below 2^53 in magnitude.
import { type DType, type TensorType, formatType, numel } from '../ir/types.ts';
import { type Tensor, allocData, getNumber, tensor } from '../ir/tensor.ts';
import { broadcastIndexMap, fail } from './util.ts';

/** Dtype sets the elementwise families accept. */
export const ANY: readonly DType[] = ['f32', 'i32', 'i64', 'bool'];
export const FLOAT: readonly DType[] = ['f32'];
export const NUMERIC: readonly DType[] = ['f32', 'i32', 'i64'];
export const BOOL: readonly DType[] = ['bool'];

/** Fails unless `t` has one of `allowed`: `exp expects f32, got i32`. */
export function expectDType(op: string, t: TensorType, allowed: readonly DType[]): void {
  if (allowed.includes(t.dtype)) return;
  const names = allowed.length === 1 ? allowed[0]! : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)!}`;
  fail(`${op} expects ${names}, got ${t.dtype}`);
}

/** Fails unless `a` and `b` have one dtype (no implicit promotion): `add expects matching dtypes, got f32[2] and i32[2]`. */
export function expectSameDType(op: string, a: TensorType, b: TensorType, what = 'dtypes'): void {
  if (a.dtype !== b.dtype) fail(`${op} expects matching ${what}, got ${formatType(a)} and ${formatType(b)}`);
}

/**
 * Stores doubles as a tensor of `type`. This is the conversion rule of cast and of every
 * elementwise result: f32 rounds to nearest; i32 and i64 truncate toward zero and wrap
 * modulo 2^32 / 2^64 (two's complement), with NaN and ±Inf stored as 0; bool is `x != 0`,
 * so NaN is true.
 */
export function storeNumbers(type: TensorType, ys: Float64Array): Tensor {
  const data = allocData(type.dtype, ys.length);
  if (data instanceof BigInt64Array) {
    // BigInt64Array stores wrap modulo 2^64 (ToBigInt64).
    for (let i = 0; i < ys.length; i++) data[i] = Number.isFinite(ys[i]) ? BigInt(Math.trunc(ys[i]!)) : 0n;
  } else if (data instanceof Uint8Array) {
    for (let i = 0; i < ys.length; i++) data[i] = ys[i] !== 0 ? 1 : 0;
  } else {
    // Float32Array rounds; Int32Array applies ToInt32 (truncate, wrap, NaN and ±Inf to 0).
    data.set(ys);
  }
  return tensor(type.dtype, type.shape, data);
}

/** out[i] = fn(x[i]); `x` has the output's shape. */
export function map1(x: Tensor, out: TensorType, fn: (a: number) => number): Tensor {
  const ys = new Float64Array(numel(out.shape));
  for (let i = 0; i < ys.length; i++) ys[i] = fn(getNumber(x, i));
  return storeNumbers(out, ys);
}

/** out[i] = fn(a[i], b[i]) with `a` and `b` broadcast to the output shape. */
export function map2(a: Tensor, b: Tensor, out: TensorType, fn: (x: number, y: number) => number): Tensor {
  const ia = broadcastIndexMap(out.shape, a.shape);
  const ib = broadcastIndexMap(out.shape, b.shape);
  const ys = new Float64Array(ia.length);
  for (let i = 0; i < ys.length; i++) ys[i] = fn(getNumber(a, ia[i]!), getNumber(b, ib[i]!));
  return storeNumbers(out, ys);
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
  return storeNumbers(out, ys);
}
