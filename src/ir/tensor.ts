// Concrete tensors: a type plus a typed array. Used by constants, weights, IO and the interpreter.
import { type DType, type Shape, type TensorType, numel, formatType } from './types.ts';

/** The typed array that backs each dtype. */
export interface DataOf {
  f32: Float32Array;
  i32: Int32Array;
  i64: BigInt64Array;
  bool: Uint8Array;
}
/** A tensor's elements: the typed array of its dtype (f32 Float32Array, i32 Int32Array, i64 BigInt64Array, bool Uint8Array). */
export type TensorData = DataOf[DType];

/** A dense row-major tensor. */
export interface Tensor extends TensorType {
  readonly data: TensorData;
}

/** Allocates a zero-filled array for `n` elements of `dtype`. */
export function allocData(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case 'f32': return new Float32Array(n);
    case 'i32': return new Int32Array(n);
    case 'i64': return new BigInt64Array(n);
    case 'bool': return new Uint8Array(n);
  }
}

/** Builds a tensor, checking that the data matches the dtype and element count. */
export function tensor(dtype: DType, shape: Shape, data?: TensorData | readonly number[]): Tensor {
  const n = numel(shape);
  let arr: TensorData;
  if (data === undefined) arr = allocData(dtype, n);
  else if (Array.isArray(data)) arr = fromNumbers(dtype, data as readonly number[]);
  else arr = data as TensorData;
  if (arr.length !== n) {
    throw new RangeError(`tensor ${formatType({ dtype, shape })} needs ${n} elements, got ${arr.length}`);
  }
  if (!matchesDType(arr, dtype)) throw new TypeError(`tensor data is not a ${dtype} array`);
  return Object.freeze({ dtype, shape: Object.freeze([...shape]), data: arr });
}

/** Float32 tensor from nested-free numbers. */
export function f32(shape: Shape, data?: readonly number[] | Float32Array): Tensor {
  return tensor('f32', shape, data);
}

function fromNumbers(dtype: DType, xs: readonly number[]): TensorData {
  if (dtype === 'i64') return BigInt64Array.from(xs, (x) => BigInt(Math.trunc(x)));
  const out = allocData(dtype, xs.length) as Float32Array | Int32Array | Uint8Array;
  for (let i = 0; i < xs.length; i++) out[i] = dtype === 'bool' ? (xs[i] ? 1 : 0) : xs[i]!;
  return out;
}

function matchesDType(a: TensorData, dtype: DType): boolean {
  switch (dtype) {
    case 'f32': return a instanceof Float32Array;
    case 'i32': return a instanceof Int32Array;
    case 'i64': return a instanceof BigInt64Array;
    case 'bool': return a instanceof Uint8Array;
  }
}

/** Element `i` as a JS number (i64 is converted; exact below 2^53). */
export function getNumber(t: Tensor, i: number): number {
  const v = t.data[i]!;
  return typeof v === 'bigint' ? Number(v) : v;
}

/** All elements as JS numbers. */
export function toNumbers(t: Tensor): number[] {
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = getNumber(t, i);
  return out;
}

/**
 * Stores doubles as a tensor of `type`: the conversion rule of cast and of every computed
 * result. f32 rounds to nearest; i32 and i64 truncate toward zero and wrap modulo 2^32 / 2^64
 * (two's complement), with NaN and ±Inf stored as 0; bool is `x != 0`, so NaN is true.
 */
export function fromNumberArray(type: TensorType, xs: ArrayLike<number>): Tensor {
  const n = numel(type.shape);
  const data = allocData(type.dtype, n);
  if (data instanceof BigInt64Array) {
    // BigInt64Array stores wrap modulo 2^64 (ToBigInt64).
    for (let i = 0; i < n; i++) data[i] = Number.isFinite(xs[i]) ? BigInt(Math.trunc(xs[i]!)) : 0n;
  } else if (data instanceof Uint8Array) {
    for (let i = 0; i < n; i++) data[i] = xs[i] !== 0 ? 1 : 0;
  } else {
    // Float32Array rounds; Int32Array applies ToInt32 (truncate, wrap, NaN and ±Inf to 0).
    for (let i = 0; i < n; i++) data[i] = xs[i]!;
  }
  return tensor(type.dtype, type.shape, data);
}
