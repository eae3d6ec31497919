// Strided accesses: how a fused op reads a logical tensor out of an input's flat buffer (or
// writes one into its output's). Element (i0, i1, ...) of the logical tensor lives at
// offset + sum(i_d * strides[d]) of the row-major buffer. Movement ops in front of (or behind)
// a fused op fold into its accesses when the composition is still strided.
import { type Shape, numel, stridesOf } from '../ir/types.ts';

/** A strided read of a logical tensor from a flat buffer. */
export interface Access {
  readonly offset: number;
  readonly strides: readonly number[];
}

/** The access reading a contiguous tensor of `shape` as itself. */
export function denseAccess(shape: Shape): Access {
  return { offset: 0, strides: stridesOf(shape) };
}

/** True when every element of a logical tensor of `sizes` read through `a` lies inside a buffer of `length`. */
export function accessInBounds(a: Access, sizes: Shape, length: number): boolean {
  if (!Number.isInteger(a.offset) || a.offset < 0 || a.strides.length !== sizes.length) return false;
  if (numel(sizes) === 0) return true;
  let last = a.offset;
  for (let d = 0; d < sizes.length; d++) {
    const s = a.strides[d]!;
    if (!Number.isInteger(s) || s < 0) return false;
    last += (sizes[d]! - 1) * s;
  }
  return last < length;
}

/** True when `a` writes a logical tensor of `sizes` one-to-one onto all `numel(sizes)` elements of a buffer. */
export function isBijective(a: Access, sizes: Shape): boolean {
  if (a.offset !== 0 || a.strides.length !== sizes.length) return false;
  const dims = sizes.map((n, d) => ({ n, s: a.strides[d]! })).filter((x) => x.n > 1).sort((x, y) => x.s - y.s);
  let expect = 1;
  for (const { n, s } of dims) {
    if (s !== expect) return false;
    expect *= n;
  }
  return true;
}

/**
 * Each logical dim's stride (and the offset) as coordinates of a contiguous tensor of `shape`,
 * or undefined when walking a logical dim would carry from one of its dims into the next
 * (then the access is not a product of per-dim moves and cannot be remapped).
 */
function coordinates(a: Access, sizes: Shape, shape: Shape): { offset: number[]; deltas: number[][] } | undefined {
  const st = stridesOf(shape);
  const unravel = (x: number): number[] => st.map((s, t) => (t === 0 ? Math.floor(x / s) : Math.floor(x / s) % shape[t]!));
  const offset = unravel(a.offset);
  const deltas = a.strides.map(unravel);
  for (let t = 0; t < shape.length; t++) {
    let reach = offset[t]!;
    sizes.forEach((n, d) => (reach += (n - 1) * deltas[d]![t]!));
    if (reach > shape[t]! - 1) return undefined;
  }
  return { offset, deltas };
}

/** Where coordinate t of the view's tensor sits in its source: source dim, multiplier and start. */
export interface DimMap {
  readonly dim: number;
  readonly scale: number;
  readonly start: number;
}

/**
 * Re-expresses an access over the output of a movement op as an access over its input.
 * `map[t]` says where the op's output dim t comes from in the input (dim -1: broadcast).
 */
export function remapAccess(a: Access, sizes: Shape, viewShape: Shape, sourceShape: Shape, map: readonly DimMap[]): Access | undefined {
  const c = coordinates(a, sizes, viewShape);
  if (!c) return undefined;
  const srcStrides = stridesOf(sourceShape);
  const flat = (coords: readonly number[], withStart: boolean): number =>
    coords.reduce((acc, x, t) => {
      const m = map[t]!;
      if (m.dim < 0) return acc;
      return acc + ((withStart ? m.start : 0) + x * m.scale) * srcStrides[m.dim]!;
    }, 0);
  const strides = c.deltas.map((d) => flat(d, false));
  if (strides.some((s) => s < 0)) return undefined;
  return { offset: flat(c.offset, true), strides };
}

/** The dim map of transpose(perm): output dim t is input dim perm[t]. */
export function transposeMap(perm: readonly number[]): DimMap[] {
  return perm.map((p) => ({ dim: p, scale: 1, start: 0 }));
}

/** The dim map of expand from `inShape` to `outShape`: broadcast dims map nowhere. */
export function expandMap(inShape: Shape, outShape: Shape): DimMap[] {
  const lead = outShape.length - inShape.length;
  return outShape.map((_, t) => (t < lead || inShape[t - lead] === 1 ? { dim: -1, scale: 0, start: 0 } : { dim: t - lead, scale: 1, start: 0 }));
}

/**
 * Re-expresses an access writing into a tensor X as one writing into Y = transpose(X, perm):
 * X's dim j is Y's dim t where perm[t] = j.
 */
export function remapThroughTranspose(a: Access, sizes: Shape, xShape: Shape, perm: readonly number[]): Access | undefined {
  const inverse: DimMap[] = xShape.map((_, j) => ({ dim: perm.indexOf(j), scale: 1, start: 0 }));
  const yShape = perm.map((p) => xShape[p]!);
  return remapAccess(a, sizes, xShape, yShape, inverse);
}
