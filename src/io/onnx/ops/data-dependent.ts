// ONNX ops whose output shape depends on input values: NonZero, Unique, and Compress (on its
// condition). The IR's shapes are static, so these are computed at import from inputs known
// there (constants, initializers, inputs pinned with --const); the values they are computed from
// must be known, else the import fails naming the input and saying why (the test runner then pins
// it, as it does for a Reshape's shape). Compress with a known condition is a gather at the kept
// positions, so its data may still be a run-time input.
import { type Tensor, getNumber } from '../../../ir/tensor.ts';
import { numel, stridesOf } from '../../../ir/types.ts';
import type { NodeContext, Val } from '../context.ts';
import { axisOf } from './movement.ts';
import type { Lowerings } from './lowering.ts';

/** Input `i`'s values, which decide the output shape of this op. */
function shapeDeciding(c: NodeContext, i: number, what: string): Tensor {
  return c.static(i, `${what}, whose values decide the output shape of ${c.node.opType} (opgraph's shapes are static),`);
}

/** NonZero: the coordinates [rank, count] (i64) of the non-zero elements, in row-major order. */
function nonZero(c: NodeContext): Val[] {
  const x = shapeDeciding(c, 0, 'X');
  const strides = stridesOf(x.shape);
  const hits: number[] = [];
  for (let i = 0; i < x.data.length; i++) if (getNumber(x, i) !== 0) hits.push(i);
  const coords = x.shape.flatMap((d, axis) => hits.map((i) => Math.floor(i / strides[axis]!) % d));
  return [c.constant('i64', [x.shape.length, hits.length], coords)];
}

/** Compress: the slices along `axis` (of the flattened input without one) where the condition is true. */
function compress(c: NodeContext): Val[] {
  const x = c.input(0);
  const cond = shapeDeciding(c, 1, 'condition');
  const flat = !c.has('axis');
  const data = flat ? c.op1('reshape', { shape: [c.numel(x)] }, [x]) : x;
  const axis = flat ? 0 : axisOf(c, c.int('axis', 0), x.type.shape.length);
  const len = data.type.shape[axis]!;
  if (cond.data.length > len) c.fail(`condition has ${cond.data.length} entries for an axis of length ${len}`);
  const kept = Array.from({ length: cond.data.length }, (_, i) => i).filter((i) => getNumber(cond, i) !== 0);
  return [c.op1('gather', { axis }, [data, c.constant('i64', [kept.length], kept)])];
}

/** Lexicographic order of two slices, numbers compared as numbers. */
function compareSlices(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/**
 * Unique: the distinct elements (or, with `axis`, slices along it), sorted (sorted = 1, the
 * default) or in order of first occurrence; with the index of each one's first occurrence, the
 * index of every input element (slice) among them, and how often each occurs.
 */
function unique(c: NodeContext): Val[] {
  const x = shapeDeciding(c, 0, 'X');
  const hasAxis = c.has('axis');
  const shape = hasAxis ? x.shape : [x.data.length];
  const axis = hasAxis ? axisOf(c, c.int('axis', 0), shape.length) : 0;
  const [outer, len, inner] = [numel(shape.slice(0, axis)), shape[axis]!, numel(shape.slice(axis + 1))];
  const sliceAt = (j: number): number[] => Array.from({ length: outer * inner }, (_, k) => getNumber(x, (Math.floor(k / inner) * len + j) * inner + (k % inner)));
  const firsts: number[] = [];
  const seen = new Map<string, number>();
  const slot = Array.from({ length: len }, (_, j) => {
    const key = JSON.stringify(sliceAt(j).map((v) => (Object.is(v, -0) ? 0 : v)));
    if (!seen.has(key)) { seen.set(key, firsts.length); firsts.push(j); }
    return seen.get(key)!;
  });
  const order = firsts.map((_, u) => u);
  if (c.int('sorted', 1) !== 0) order.sort((p, q) => compareSlices(sliceAt(firsts[p]!), sliceAt(firsts[q]!)));
  const rank = new Map(order.map((u, r) => [u, r]));
  const counts = order.map((u) => slot.filter((s) => s === u).length);
  const picked = order.map((u) => firsts[u]!);
  const source = hasAxis ? c.input(0) : c.op1('reshape', { shape: [len] }, [c.input(0)]);
  const y = c.op1('gather', { axis }, [source, c.constant('i64', [picked.length], picked)]);
  return [y, c.constant('i64', [picked.length], picked), c.constant('i64', [len], slot.map((s) => rank.get(s)!)), c.constant('i64', [counts.length], counts)];
}

/** The data-dependent lowerings. */
export const dataDependentLowerings: Lowerings = {
  NonZero: nonZero,
  Compress: compress,
  Unique: unique,
};
