// Normalisations: softmax and logSoftmax along one axis (numerically stable), and layerNorm over
// trailing dims. All f32; statistics are accumulated in JS doubles.
import { type TensorType, numel, sameShape, tensorType } from '../ir/types.ts';
import { f32 } from '../ir/tensor.ts';
import type { OpDef, OpDefs } from './def.ts';
import { expectAllF32 } from './dtypes.ts';
import { fail, normAxis, splitAt } from './util.ts';
import { type GradEmitter, gradWith } from './gradient.ts';
import type { ValueId } from '../ir/graph.ts';

/** Maps one shifted element (x - max along the axis) and the axis' sum of exp(shifted) to the output. */
type SoftmaxFinish = (shifted: number, sumExp: number) => number;

/**
 * Softmax-like op along `attrs.axis`. The axis max is subtracted first, so large inputs do not
 * overflow; a slice that is all -Infinity gives NaN (as PyTorch), since -Inf - -Inf is NaN.
 */
function softmaxOp<K extends 'softmax' | 'logSoftmax'>(kind: K, finish: SoftmaxFinish, grad: SoftmaxGrad): OpDef<K> {
  return {
    kind,
    groups: ['normalize'],
    arity: { min: 1, max: 1 },
    infer([x], { axis }) {
      expectAllF32(kind, [x!]);
      normAxis(axis, x!.shape.length);
      return [tensorType('f32', x!.shape)];
    },
    evaluate([x], { axis }) {
      const { outer, len, inner } = splitAt(x!.shape, normAxis(axis, x!.shape.length));
      const src = x!.data as Float32Array;
      const out = new Float32Array(src.length);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * len * inner + i;
          let max = -Infinity;
          for (let j = 0; j < len; j++) max = Math.max(max, src[base + j * inner]!);
          let sum = 0;
          for (let j = 0; j < len; j++) sum += Math.exp(src[base + j * inner]! - max);
          for (let j = 0; j < len; j++) out[base + j * inner] = finish(src[base + j * inner]! - max, sum);
        }
      }
      return [f32(x!.shape, out)];
    },
    grad: gradWith<K>((d, g, c) => {
      const axis = normAxis(c.attrs.axis, d.shape(g).length);
      const sum = (v: ValueId): ValueId => d.expand(d.sum(v, [axis], true), d.shape(g));
      return [grad(d, c.outputs[0]!, g, sum)];
    }),
  };
}

/** A softmax-like op's input gradient from its result y, the gradient g and a sum along the axis. */
type SoftmaxGrad = (d: GradEmitter, y: ValueId, g: ValueId, sum: (v: ValueId) => ValueId) => ValueId;

/** Checks that an optional scale/bias input has exactly the normalised trailing dims. */
function checkAffine(what: string, t: TensorType | undefined, dims: readonly number[]): void {
  if (t && !sameShape(t.shape, dims)) {
    fail(`layerNorm ${what} must have shape [${dims.join(',')}], got [${t.shape.join(',')}]`);
  }
}

type F32 = Float32Array;

/** One row of layerNorm: mean and biased variance (two passes), then normalise, scale and shift. */
function normRow(src: F32, out: F32, base: number, d: number, eps: number, g?: F32, b?: F32): void {
  let mean = 0;
  for (let j = 0; j < d; j++) mean += src[base + j]!;
  mean /= d;
  let variance = 0;
  for (let j = 0; j < d; j++) variance += (src[base + j]! - mean) ** 2;
  variance /= d;
  const inv = 1 / Math.sqrt(variance + eps);
  for (let j = 0; j < d; j++) {
    out[base + j] = (src[base + j]! - mean) * inv * (g ? g[j]! : 1) + (b ? b[j]! : 0);
  }
}

const layerNorm: OpDef<'layerNorm'> = {
  kind: 'layerNorm',
  groups: ['normalize'],
  arity: { min: 1, max: 3 },
  infer(inputs, { axis, epsilon }) {
    expectAllF32('layerNorm', inputs);
    const x = inputs[0]!;
    const dims = x.shape.slice(normAxis(axis, x.shape.length));
    checkAffine('scale', inputs[1], dims);
    checkAffine('bias', inputs[2], dims);
    if (!(epsilon >= 0)) fail(`layerNorm epsilon must be a non-negative number, got ${epsilon}`);
    return [tensorType('f32', x.shape)];
  },
  evaluate([x, scale, bias], { axis, epsilon }) {
    const d = numel(x!.shape.slice(normAxis(axis, x!.shape.length)));
    const src = x!.data as Float32Array;
    const out = new Float32Array(src.length);
    const g = scale?.data as F32 | undefined;
    const b = bias?.data as F32 | undefined;
    for (let base = 0; base < src.length; base += d) normRow(src, out, base, d, epsilon, g, b);
    return [f32(x!.shape, out)];
  },
  grad: gradWith<'layerNorm'>((d, g, c) => layerNormGrad(d, g, c.inputs, c.attrs.axis, c.attrs.epsilon)),
};

/**
 * layerNorm's gradients, recomputing the statistics: with xh = (x - mean) r, r = 1/sqrt(var + eps)
 * and gh = g * scale, dx = r (gh - mean(gh) - xh mean(gh xh)); dscale = sum(g xh), dbias = sum(g)
 * over the leading dims.
 */
function layerNormGrad(d: GradEmitter, g: ValueId, [x, scale, bias]: readonly ValueId[], axis: number, eps: number): (ValueId | undefined)[] {
  const shape = d.shape(x!);
  const ax = normAxis(axis, shape.length);
  const norm = shape.map((_, i) => i).filter((i) => i >= ax);
  const lead = shape.map((_, i) => i).filter((i) => i < ax);
  const mean = (v: ValueId): ValueId => d.op('reduceMean', { axes: norm, keepDims: true }, [v]);
  const centred = d.sub(x!, mean(x!));
  const r = d.op('reciprocal', {}, [d.op('sqrt', {}, [d.add(mean(d.mul(centred, centred)), d.scalar(eps))])]);
  const xh = d.mul(centred, r);
  const gh = scale === undefined ? g : d.mul(g, scale);
  const dx = d.mul(r, d.sub(d.sub(gh, mean(gh)), d.mul(xh, mean(d.mul(gh, xh)))));
  const leadSum = (v: ValueId): ValueId => (lead.length ? d.sum(v, lead, false) : v);
  return [dx, scale === undefined ? undefined : leadSum(d.mul(g, xh)), bias === undefined ? undefined : leadSum(g)];
}

/** The normalisation ops: softmax, logSoftmax and layerNorm. */
export const normalizeOps: OpDefs<'softmax' | 'logSoftmax' | 'layerNorm'> = {
  // dx = y (g - sum(g y)).
  softmax: softmaxOp('softmax', (shifted, sum) => Math.exp(shifted) / sum, (d, y, g, sum) => d.mul(y, d.sub(g, sum(d.mul(g, y))))),
  // dx = g - exp(y) sum(g).
  logSoftmax: softmaxOp('logSoftmax', (shifted, sum) => shifted - Math.log(sum), (d, y, g, sum) => d.sub(g, d.mul(d.op('exp', {}, [y]), sum(g)))),
  layerNorm,
};
