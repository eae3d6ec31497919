// Layout movement ops: reshape, transpose, squeeze, unsqueeze, expand. Each evaluates by
// building an index map (source offset per output element) and copying through it.
import { type Shape, numel, stridesOf, tensorType } from '../ir/types.ts';
import type { OpDefs } from './def.ts';
import { takeElements } from './copy.ts';
import { gradWith } from './gradient.ts';
import { broadcastIndexMap, broadcastShapes, checkDims, fail, normAxes, stridedIndexMap } from './util.ts';

const fmt = (s: Shape): string => `[${s.join(',')}]`;

/** Output shape of reshape: resolves the single -1 and checks the element count. */
export function reshapeShape(inShape: Shape, target: Shape): number[] {
  for (const d of target) {
    if (d !== -1 && !(Number.isInteger(d) && d >= 0)) fail(`reshape target ${fmt(target)} has an invalid entry ${d}`);
  }
  const holes = target.filter((d) => d === -1).length;
  if (holes > 1) fail(`reshape target ${fmt(target)} has more than one -1`);
  const n = numel(inShape);
  const known = numel(target.filter((d) => d !== -1));
  if (holes === 0) {
    if (known !== n) fail(`cannot reshape ${fmt(inShape)} (${n} elements) to ${fmt(target)} (${known} elements)`);
    checkDims(target, 'reshape target');
    return [...target];
  }
  if (known === 0 || n % known !== 0) {
    fail(`cannot reshape ${fmt(inShape)} (${n} elements) to ${fmt(target)}: -1 is not determined`);
  }
  const out = target.map((d) => (d === -1 ? n / known : d));
  checkDims(out, 'reshape target');
  return out;
}

/** Checks that `perm` is a permutation of 0..rank-1. */
function checkPerm(perm: readonly number[], rank: number): void {
  const seen = new Set(perm);
  const ok = perm.length === rank && seen.size === rank && perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank);
  if (!ok) fail(`perm [${perm.join(',')}] is not a permutation of 0..${rank - 1} (rank ${rank})`);
}

/** Output shape of squeeze: drops the listed size-1 dims, or every size-1 dim when `axes` is empty. */
function squeezeShape(shape: Shape, axes: readonly number[]): number[] {
  if (axes.length === 0) return shape.filter((d) => d !== 1);
  const drop = normAxes(axes, shape.length, 'squeeze axes');
  for (const a of drop) {
    if (shape[a] !== 1) fail(`cannot squeeze axis ${a} of ${fmt(shape)}: size is ${shape[a]}, not 1`);
  }
  return shape.filter((_, i) => !drop.includes(i));
}

/** Output shape of unsqueeze: `axes` index the output (rank + axes.length) and get size 1. */
function unsqueezeShape(shape: Shape, axes: readonly number[]): number[] {
  const rank = shape.length + axes.length;
  const ones = new Set(normAxes(axes, rank, 'unsqueeze axes'));
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(ones.has(i) ? 1 : shape[j++]!);
  return out;
}

/** The gradient of an op whose output holds the input's elements in row-major order: reshape it back. */
const reshapeBack = gradWith<'reshape' | 'squeeze' | 'unsqueeze'>((d, g, c) => [d.reshape(g, d.shape(c.inputs[0]!))]);

/** Definitions of the layout ops. Reshape-like ops copy in row-major order unchanged. */
export const layoutOps: OpDefs<'reshape' | 'transpose' | 'squeeze' | 'unsqueeze' | 'expand'> = {
  reshape: {
    kind: 'reshape',
    groups: ['movement'],
    view: true,
    arity: { min: 1, max: 1 },
    infer: ([x], { shape }) => [tensorType(x!.dtype, reshapeShape(x!.shape, shape))],
    evaluate: ([x], _attrs, [out]) => [takeElements(x!, out!)],
    grad: reshapeBack,
  },
  transpose: {
    kind: 'transpose',
    groups: ['movement'],
    arity: { min: 1, max: 1 },
    infer: ([x], { perm }) => {
      checkPerm(perm, x!.shape.length);
      return [tensorType(x!.dtype, perm.map((p) => x!.shape[p]!))];
    },
    evaluate: ([x], { perm }, [out]) => {
      const inStrides = stridesOf(x!.shape);
      return [takeElements(x!, out!, stridedIndexMap(out!.shape, perm.map((p) => inStrides[p]!)))];
    },
    // Transposing back by the inverse permutation.
    grad: gradWith<'transpose'>((d, g, { attrs: { perm } }) => {
      const inverse = perm.map((_, i) => perm.indexOf(i));
      return [d.op('transpose', { perm: inverse }, [g])];
    }),
  },
  squeeze: {
    kind: 'squeeze',
    groups: ['movement'],
    view: true,
    arity: { min: 1, max: 1 },
    infer: ([x], { axes }) => [tensorType(x!.dtype, squeezeShape(x!.shape, axes))],
    evaluate: ([x], _attrs, [out]) => [takeElements(x!, out!)],
    grad: reshapeBack,
  },
  unsqueeze: {
    kind: 'unsqueeze',
    groups: ['movement'],
    view: true,
    arity: { min: 1, max: 1 },
    infer: ([x], { axes }) => [tensorType(x!.dtype, unsqueezeShape(x!.shape, axes))],
    evaluate: ([x], _attrs, [out]) => [takeElements(x!, out!)],
    grad: reshapeBack,
  },
  expand: {
    kind: 'expand',
    groups: ['movement'],
    arity: { min: 1, max: 1 },
    infer: ([x], { shape }) => {
      checkDims(shape, 'expand shape');
      const out = broadcastShapes(x!.shape, shape);
      checkDims(out, 'expand output');
      return [tensorType(x!.dtype, out)];
    },
    evaluate: ([x], _attrs, [out]) => [takeElements(x!, out!, broadcastIndexMap(out!.shape, x!.shape))],
    grad: gradWith<'expand'>((d, g, c) => [d.unbroadcast(g, d.shape(c.inputs[0]!))]),
  },
};
