// Pooling over the spatial dims of [N, C, ...spatial]: maxPool (with optional argmax indices),
// avgPool and lpPool, one factory over the window geometry of src/ops/window.ts. f32 in, f32 out;
// sums in JS doubles.
import { type TensorType, formatType, numel, tensorType } from '../ir/types.ts';
import { type Tensor, fromNumberArray } from '../ir/tensor.ts';
import type { OpAttrs, PoolAttrs } from './attrs.ts';
import type { OpDef, OpDefs } from './def.ts';
import { expectAllF32 } from './dtypes.ts';
import { fail } from './util.ts';
import { avgPoolGrad, maxPoolGrad } from './window-grad.ts';
import { IN_PAD, checkList, checkWindow, windowShape, windowTable } from './window.ts';

type PoolKind = 'maxPool' | 'avgPool' | 'lpPool';

/** The output spatial dims of a pool over `x` (checking the attributes). */
export function poolShape(op: string, x: TensorType, attrs: PoolAttrs): number[] {
  expectAllF32(op, [x]);
  if (x.shape.length < 3) fail(`${op} needs an input of rank >= 3 ([N, C, ...spatial]), got ${formatType(x)}`);
  const rank = x.shape.length - 2;
  checkList(op, 'kernel', attrs.kernel, rank, 'positive');
  checkWindow(op, attrs, rank);
  return windowShape(op, x.shape.slice(2), attrs.kernel, attrs, attrs.ceilMode);
}

/** What one pool kind computes over a window's taps: `reduce(values, padTaps)` -> output value. */
interface PoolSpec<K extends PoolKind> {
  /** Checks of the kind's own attributes. */
  readonly check?: (attrs: OpAttrs[K]) => void;
  /** The value of one window: its taps inside the input, and how many more lie in the pads. */
  readonly reduce: (values: readonly number[], padTaps: number, attrs: OpAttrs[K]) => number;
}

/** Runs `reduce` over every window of every (n, c) plane of `x`. */
function evaluatePool<K extends PoolKind>(x: Tensor, attrs: OpAttrs[K], out: TensorType, spec: PoolSpec<K>): Tensor {
  const input = x.shape.slice(2);
  const output = out.shape.slice(2);
  const taps = windowTable(input, output, attrs.kernel, attrs);
  const [inSize, outSize, ks] = [numel(input), numel(output), numel(attrs.kernel)];
  const xs = x.data as Float32Array;
  const res = new Float64Array(numel(out.shape));
  const values: number[] = [];
  for (let plane = 0; plane < x.shape[0]! * x.shape[1]!; plane++) {
    for (let q = 0; q < outSize; q++) {
      values.length = 0;
      let padTaps = 0;
      for (let t = 0; t < ks; t++) {
        const at = taps[q * ks + t]!;
        if (at >= 0) values.push(xs[plane * inSize + at]!);
        else if (at === IN_PAD) padTaps++;
      }
      res[plane * outSize + q] = spec.reduce(values, padTaps, attrs);
    }
  }
  return fromNumberArray(out, res);
}

function pool<K extends PoolKind>(kind: K, spec: PoolSpec<K>): OpDef<K> {
  return {
    kind,
    groups: ['window'],
    arity: { min: 1, max: 1 },
    infer([x], attrs) {
      const output = poolShape(kind, x!, attrs);
      spec.check?.(attrs);
      return [tensorType('f32', [...x!.shape.slice(0, 2), ...output])];
    },
    evaluate: ([x], attrs, [out]) => [evaluatePool(x!, attrs, out!, spec)],
    grad: { none: 'lpPool gradients are not implemented' },
  };
}

/** The max of `values` with NaN propagating; -Infinity for an empty window. */
function maxOf(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m || Number.isNaN(v)) m = v;
  return m;
}

/**
 * maxPool: the window max, and with `indices` the flat input index [N, C, ...spatial] of its first
 * occurrence (the first NaN, if any), spatial part row- or column-major.
 */
const maxPool: OpDef<'maxPool'> = {
  ...pool('maxPool', { reduce: (values) => maxOf(values) }),
  grad: maxPoolGrad,
  arity: { min: 1, max: 1 },
  infer([x], attrs) {
    const output = poolShape('maxPool', x!, attrs);
    if (attrs.indices !== undefined && attrs.indices !== 'row-major' && attrs.indices !== 'column-major') {
      fail(`maxPool indices must be 'row-major' or 'column-major', got ${JSON.stringify(attrs.indices)}`);
    }
    const shape = [...x!.shape.slice(0, 2), ...output];
    return attrs.indices ? [tensorType('f32', shape), tensorType('i64', shape)] : [tensorType('f32', shape)];
  },
  evaluate([x], attrs, outs) {
    const values = evaluatePool(x!, attrs, outs[0]!, { reduce: (v) => maxOf(v) });
    return attrs.indices ? [values, argmaxIndices(x!, attrs, outs[1]!)] : [values];
  },
};

/** The flat input index of each window's maximum (-1 for an empty window). */
function argmaxIndices(x: Tensor, attrs: OpAttrs['maxPool'], out: TensorType): Tensor {
  const input = x.shape.slice(2);
  const output = out.shape.slice(2);
  const taps = windowTable(input, output, attrs.kernel, attrs);
  const [inSize, outSize, ks] = [numel(input), numel(output), numel(attrs.kernel)];
  const xs = x.data as Float32Array;
  const res = new Float64Array(numel(out.shape));
  for (let plane = 0; plane < x.shape[0]! * x.shape[1]!; plane++) {
    for (let q = 0; q < outSize; q++) {
      let [best, at] = [-Infinity, -1];
      for (let t = 0; t < ks; t++) {
        const i = taps[q * ks + t]!;
        if (i < 0) continue;
        const v = xs[plane * inSize + i]!;
        if (at < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) [best, at] = [v, i];
      }
      res[plane * outSize + q] = at < 0 ? -1 : plane * inSize + (attrs.indices === 'column-major' ? columnMajor(at, input) : at);
    }
  }
  return fromNumberArray(out, res);
}

/** A row-major flat spatial index re-expressed column-major (first dim fastest). */
export function columnMajor(flat: number, dims: readonly number[]): number {
  let [rest, out, stride] = [flat, 0, 1];
  const coords = dims.map(() => 0);
  for (let d = dims.length - 1; d >= 0; d--) {
    coords[d] = rest % dims[d]!;
    rest = Math.floor(rest / dims[d]!);
  }
  for (let d = 0; d < dims.length; d++) {
    out += coords[d]! * stride;
    stride *= dims[d]!;
  }
  return out;
}

/** The pooling ops. */
export const poolOps: OpDefs<PoolKind> = {
  maxPool,
  // The mean of the taps inside the input (and, with countIncludePad, the pad taps as zeros); NaN for none.
  avgPool: {
    ...pool('avgPool', {
      reduce: (values, padTaps, { countIncludePad }) => values.reduce((s, v) => s + v, 0) / (values.length + (countIncludePad ? padTaps : 0)),
    }),
    grad: avgPoolGrad,
  },
  lpPool: pool('lpPool', {
    check: ({ p }) => {
      if (!(Number.isFinite(p) && p > 0)) fail(`lpPool p must be a positive number, got ${p}`);
    },
    reduce: (values, _pad, { p }) => values.reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p),
  }),
};
