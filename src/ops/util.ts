// Helpers shared by the op families: axis normalisation, broadcasting, strided index maps.
import { ShapeError } from '../errors.ts';
import { type Shape, type TensorType, formatType, numel, stridesOf } from '../ir/types.ts';

/** Throws a ShapeError; op rules call this with a message, the caller adds node context. */
export function fail(message: string): never {
  throw new ShapeError(message);
}

/** Resolves a possibly negative axis against `rank`, failing with `what` in the message. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    fail(`${what} ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolves a list of axes, rejecting duplicates. */
export function normAxes(axes: readonly number[], rank: number, what = 'axes'): number[] {
  const out = axes.map((a) => normAxis(a, rank, what));
  if (new Set(out).size !== out.length) fail(`${what} [${axes.join(',')}] repeat an axis`);
  return out;
}

/** Numpy broadcast of two shapes; fails naming both. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      fail(`shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast (dim ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Broadcast of any number of shapes. */
export function broadcastAll(shapes: readonly Shape[]): number[] {
  return shapes.reduce<number[]>((acc, s) => broadcastShapes(acc, s), []);
}

/** Checks that every input has the same dtype and returns it. */
export function sameDType(inputs: readonly TensorType[]): TensorType['dtype'] {
  const d = inputs[0]!.dtype;
  for (const t of inputs) {
    if (t.dtype !== d) fail(`dtypes differ: ${inputs.map(formatType).join(', ')}`);
  }
  return d;
}

/** Strides of a tensor of `inShape` broadcast (numpy rules) to `outShape`: 0 on broadcast dims. */
export function broadcastStrides(outShape: Shape, inShape: Shape): number[] {
  const st = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((_, d) => (d < lead || inShape[d - lead] === 1 ? 0 : st[d - lead]!));
}

/**
 * For each flat index of `outShape`, the flat index into a tensor of `inShape`
 * broadcast to it (right-aligned numpy broadcasting).
 */
export function broadcastIndexMap(outShape: Shape, inShape: Shape): Int32Array {
  return stridedIndexMap(outShape, broadcastStrides(outShape, inShape));
}

/**
 * Flat source offsets for viewing a tensor of `shape` through per-dim `strides` and a base
 * `offset`: out[k] = offset + sum(index_d(k) * strides[d]). Movement ops are built on this.
 */
export function stridedIndexMap(shape: Shape, strides: readonly number[], offset = 0): Int32Array {
  const n = numel(shape);
  const map = new Int32Array(n);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = offset;
  for (let k = 0; k < n; k++) {
    map[k] = off;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return map;
}

/** Splits a shape around `axis` into (outer, axis length, inner) element counts. */
export function splitAt(shape: Shape, axis: number): { outer: number; len: number; inner: number } {
  return {
    outer: numel(shape.slice(0, axis)),
    len: shape[axis]!,
    inner: numel(shape.slice(axis + 1)),
  };
}

/**
 * Checks that `dims` are valid static dimensions: non-negative integers, none above MAX_ELEMENTS
 * (so a zero elsewhere cannot hide a 1e300), element count within MAX_ELEMENTS.
 */
export function checkDims(dims: readonly number[], what: string): void {
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > MAX_ELEMENTS) fail(`${what} has an invalid dimension ${d} in [${dims.join(',')}]`);
  }
  if (boundedNumel(dims) === undefined) fail(`${what} [${dims.join(',')}] has more than ${MAX_ELEMENTS} elements`);
}

/**
 * Element count of `dims`, or undefined when it exceeds `max` (default MAX_ELEMENTS). Checked as
 * the product grows, so huge dimensions never overflow to Infinity or NaN (Infinity * 0).
 */
export function boundedNumel(dims: readonly number[], max = MAX_ELEMENTS): number | undefined {
  if (dims.includes(0)) return 0;
  let n = 1;
  for (const d of dims) {
    n *= d;
    if (!(n <= max)) return undefined;
  }
  return n;
}

/** Upper bound on the element count of any one tensor (2^31 - 1: typed-array indexable). */
export const MAX_ELEMENTS = 2 ** 31 - 1;
