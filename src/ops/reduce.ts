// Reductions over a set of axes (empty = all), with or without keeping them as 1s.
// One factory: each op is an initial value, a step and a finish, accumulated in JS doubles.
//
// Empty reductions (a reduced axis of length 0) give the identity: sum 0; mean 0/0 = NaN
// (as PyTorch); max -Infinity for f32 and, as ONNX ReduceMax, the dtype's minimum for integers.
// i64 values pass through doubles, so they are exact while |value| and partial sums stay below 2^53.
import { type DType, type Shape, formatType, numel, stridesOf, tensorType } from '../ir/types.ts';
import { fromNumberArray, getNumber } from '../ir/tensor.ts';
import type { ReduceAttrs } from './attrs.ts';
import type { OpDef, OpDefs } from './def.ts';
import { NUMERIC } from './dtypes.ts';
import { fail, normAxes, stridedIndexMap } from './util.ts';
import { type GradEmitter, gradWith } from './gradient.ts';
import type { GradRule } from './def.ts';
import type { ValueId } from '../ir/graph.ts';

type ReduceKind = 'reduceSum' | 'reduceMean' | 'reduceMax' | 'reduceProd';

/** What distinguishes one reduction from another. */
interface ReduceSpec {
  readonly dtypes: readonly DType[];
  /** The accumulator's start value (the identity of `step`). */
  init(dtype: DType): number;
  step(acc: number, x: number): number;
  /** Final value from the accumulator and the number of reduced elements. */
  finish(acc: number, count: number): number;
  /** The input's gradient from x, the result y and its gradient g, both broadcast back to x's shape (absent: none offered). */
  grad?(d: GradEmitter, x: ValueId, y: ValueId, g: ValueId, axes: readonly number[]): ValueId;
}

/** A reduction's gradient rule: result and gradient reshaped to the kept dims and expanded to x. */
function reduceGrad<K extends ReduceKind>(spec: ReduceSpec): GradRule<K> {
  return gradWith<K>((d, g, c) => {
    const x = c.inputs[0]!;
    const shape = d.shape(x);
    const reduced = reducedAxes(shape, (c.attrs as ReduceAttrs).axes);
    const kept = keptShape(shape, reduced);
    const back = (v: ValueId): ValueId => d.expand(d.reshape(v, kept), shape);
    return [spec.grad!(d, x, back(c.outputs[0]!), back(g), [...reduced])];
  });
}

/** The reduced axes, normalised: all of them when `axes` is empty. */
function reducedAxes(shape: Shape, axes: readonly number[]): Set<number> {
  return new Set(axes.length === 0 ? shape.map((_, i) => i) : normAxes(axes, shape.length));
}

/** The output shape with reduced dims kept as 1. */
function keptShape(shape: Shape, reduced: Set<number>): number[] {
  return shape.map((d, i) => (reduced.has(i) ? 1 : d));
}

/**
 * For each flat input index, the flat index of its output element: the output's strides
 * (in the kept-dims shape) with the reduced dims' strides set to 0.
 */
function outputIndexMap(shape: Shape, reduced: Set<number>): Int32Array {
  const strides = stridesOf(keptShape(shape, reduced)).map((s, i) => (reduced.has(i) ? 0 : s));
  return stridedIndexMap(shape, strides);
}

/** A reduction op over `attrs.axes`, defined by its spec. */
function reduceOp<K extends ReduceKind>(kind: K, spec: ReduceSpec): OpDef<K> {
  return {
    kind,
    groups: ['reduce'],
    arity: { min: 1, max: 1 },
    infer([x], { axes, keepDims }: ReduceAttrs) {
      if (!spec.dtypes.includes(x!.dtype)) {
        fail(`${kind} needs ${spec.dtypes.join(' or ')}, got ${formatType(x!)}`);
      }
      const reduced = reducedAxes(x!.shape, axes);
      const shape = keepDims ? keptShape(x!.shape, reduced) : x!.shape.filter((_, i) => !reduced.has(i));
      return [tensorType(x!.dtype, shape)];
    },
    evaluate([x], { axes }: ReduceAttrs, [outType]) {
      const reduced = reducedAxes(x!.shape, axes);
      const map = outputIndexMap(x!.shape, reduced);
      const acc = new Float64Array(numel(outType!.shape)).fill(spec.init(x!.dtype));
      for (let i = 0; i < map.length; i++) acc[map[i]!] = spec.step(acc[map[i]!]!, getNumber(x!, i));
      const count = numel(x!.shape.filter((_, i) => reduced.has(i)));
      for (let i = 0; i < acc.length; i++) acc[i] = spec.finish(acc[i]!, count);
      return [fromNumberArray(outType!, acc)];
    },
    grad: spec.grad ? reduceGrad<K>(spec) : { none: `the gradient of ${kind} is not implemented (it divides by the elements, undefined at zeros)` },
  };
}

const LOWEST: Readonly<Record<DType, number>> = { f32: -Infinity, i32: -(2 ** 31), i64: -(2 ** 63), bool: 0 };
const sum = (acc: number, x: number): number => acc + x;

/** The reductions: sum, mean, max and product over `axes` (an empty product is 1). */
export const reduceOps: OpDefs<ReduceKind> = {
  reduceProd: reduceOp('reduceProd', { dtypes: ['f32'], init: () => 1, step: (acc, x) => acc * x, finish: (acc) => acc }),
  reduceSum: reduceOp('reduceSum', { dtypes: NUMERIC, init: () => 0, step: sum, finish: (acc) => acc, grad: (_d, _x, _y, g) => g }),
  reduceMean: reduceOp('reduceMean', { dtypes: ['f32'], init: () => 0, step: sum, finish: (acc, n) => acc / n, grad: (d, x, _y, g, axes) => d.scale(g, 1 / numel(axes.map((a) => d.shape(x)[a]!))) }),
  // Math.max propagates NaN, as torch.amax does.
  reduceMax: reduceOp('reduceMax', {
    dtypes: NUMERIC,
    init: (dtype) => LOWEST[dtype],
    step: Math.max,
    finish: (acc) => acc,
    // As torch.amax: the gradient is shared evenly by the elements equal to the max.
    grad: (d, x, y, g, axes) => {
      const hit = d.op('cast', { to: 'f32' }, [d.op('equal', {}, [x, y])]);
      const ties = axes.length === 0 ? hit : d.expand(d.sum(hit, axes, true), d.shape(x));
      return d.mul(hit, d.div(g, ties));
    },
  }),
};
