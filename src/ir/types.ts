// Element types and static tensor types of the IR.

/** Element types a value may have. i64 is for indices; its data lives in BigInt64Array. */
export type DType = 'f32' | 'i32' | 'i64' | 'bool';

/** All element types, in a fixed order (used by tests and error messages). */
export const DTYPES: readonly DType[] = ['f32', 'i32', 'i64', 'bool'];

/** A static shape: every dimension is a known non-negative integer. */
export type Shape = readonly number[];

/** The type of every SSA value: element type plus static shape. */
export interface TensorType {
  readonly dtype: DType;
  readonly shape: Shape;
}

/** Bytes per element of each dtype (bool is stored as one byte). */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = { f32: 4, i32: 4, i64: 8, bool: 1 };

/** Builds a frozen tensor type. */
export function tensorType(dtype: DType, shape: Shape): TensorType {
  return Object.freeze({ dtype, shape: Object.freeze([...shape]) });
}

/** Number of elements of a shape (1 for a scalar). */
export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** `f32[2,3]`: the canonical spelling of a type, used by printers and errors. */
export function formatType(t: TensorType): string {
  return `${t.dtype}[${t.shape.join(',')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function sameType(a: TensorType, b: TensorType): boolean {
  return a.dtype === b.dtype && sameShape(a.shape, b.shape);
}

/** True for dtypes arithmetic ops accept. */
export function isNumeric(d: DType): boolean {
  return d !== 'bool';
}

/** True for integer dtypes usable as indices. */
export function isIndex(d: DType): boolean {
  return d === 'i32' || d === 'i64';
}
