// Convolutions over any number of spatial dims: conv (cross-correlation, PyTorch's and ONNX's
// Conv) and convTranspose (its input gradient, ConvTranspose). Both f32, with groups and an
// optional per-output-channel bias. The reference sums in JS doubles, one output at a time for
// conv; convTranspose scatters every input element into the outputs its taps reach.
// The shape rules live in conv-plan.ts (table-free, for kernels and passes).
import { type TensorType, formatType, numel, tensorType } from '../ir/types.ts';
import { type Tensor, fromNumberArray } from '../ir/tensor.ts';
import type { OpAttrs } from './attrs.ts';
import type { OpDef, OpDefs } from './def.ts';
import { convGrad, convTransposeGrad } from './window-grad.ts';
import { checkDims, fail } from './util.ts';
import { type ConvPlan, channelStride, planConv, planConvTranspose } from './conv-plan.ts';
import { withEpilogue } from './epilogue.ts';
import { scatterTable, windowTable } from './window.ts';

export { type ConvPlan, channelStride, planConv, planConvTranspose };

/** The result type [N, OC, ...output] of a plan. */
function resultType(p: ConvPlan): TensorType {
  const shape = [p.batch, p.outChannels, ...p.output];
  checkDims(shape, 'result');
  return tensorType('f32', shape);
}

/** conv: each output is bias + the sum over its group's input channels and kernel taps inside the input. */
function evaluateConv([x, w, bias]: readonly Tensor[], attrs: OpAttrs['conv'], out: TensorType): Tensor {
  const p = planConv([x!, w!], attrs);
  const [xs, ws, bs] = [x!.data as Float32Array, w!.data as Float32Array, bias?.data as Float32Array | undefined];
  const taps = windowTable(p.input, p.output, p.kernel, attrs);
  const [inSize, outSize, ks] = [numel(p.input), numel(p.output), numel(p.kernel)];
  const cg = p.inChannels / p.group;
  const ocg = p.outChannels / p.group;
  const acc = new Float64Array(p.batch * p.outChannels * outSize);
  for (let n = 0; n < p.batch; n++) {
    for (let oc = 0; oc < p.outChannels; oc++) {
      const c0 = Math.floor(oc / ocg) * cg;
      for (let q = 0; q < outSize; q++) {
        let s = bs ? bs[oc]! : 0;
        for (let ic = 0; ic < cg; ic++) {
          const xb = (n * p.inChannels + c0 + ic) * inSize;
          const wb = (oc * cg + ic) * ks;
          for (let t = 0; t < ks; t++) {
            const at = taps[q * ks + t]!;
            if (at >= 0) s += xs[xb + at]! * ws[wb + t]!;
          }
        }
        acc[(n * p.outChannels + oc) * outSize + q] = s;
      }
    }
  }
  return fromNumberArray(out, acc);
}

/** convTranspose: every input element times each tap's weight, added to the output that tap reaches. */
function evaluateConvTranspose([x, w, bias]: readonly Tensor[], attrs: OpAttrs['convTranspose'], out: TensorType): Tensor {
  const p = planConvTranspose([x!, w!], attrs);
  const [xs, ws, bs] = [x!.data as Float32Array, w!.data as Float32Array, bias?.data as Float32Array | undefined];
  const reach = scatterTable(p.input, p.output, p.kernel, attrs);
  const [inSize, outSize, ks] = [numel(p.input), numel(p.output), numel(p.kernel)];
  const cg = p.inChannels / p.group;
  const ocg = p.outChannels / p.group;
  const acc = new Float64Array(p.batch * p.outChannels * outSize);
  for (let n = 0; n < p.batch; n++) {
    for (let oc = 0; oc < p.outChannels; oc++) acc.fill(bs ? bs[oc]! : 0, (n * p.outChannels + oc) * outSize, (n * p.outChannels + oc + 1) * outSize);
    for (let ic = 0; ic < p.inChannels; ic++) {
      const g = Math.floor(ic / cg);
      const xb = (n * p.inChannels + ic) * inSize;
      for (let o = 0; o < ocg; o++) {
        const ob = (n * p.outChannels + g * ocg + o) * outSize;
        const wb = (ic * ocg + o) * ks;
        for (let q = 0; q < inSize; q++) {
          const v = xs[xb + q]!;
          for (let t = 0; t < ks; t++) {
            const at = reach[q * ks + t]!;
            if (at >= 0) acc[ob + at] += v * ws[wb + t]!;
          }
        }
      }
    }
  }
  return fromNumberArray(out, acc);
}

/** conv's epilogue operands: each scalar or per output channel. */
function checkChannelOperands(result: TensorType, extras: readonly TensorType[]): void {
  extras.forEach((t, e) => {
    if (channelStride(result.shape, t.shape) === undefined) {
      fail(`conv epilogue operand ${e + 1} ${formatType(t)} must hold one value per output channel of ${formatType(result)} (or one in all)`);
    }
  });
}

const conv: OpDef<'conv'> = {
  kind: 'conv',
  groups: ['contraction', 'window'],
  arity: { min: 2, max: 3 },
  infer: (inputs, attrs) => [resultType(planConv(inputs, attrs))],
  evaluate: (inputs, attrs, [out]) => [evaluateConv(inputs, attrs, out!)],
  grad: convGrad,
};

const convTranspose: OpDef<'convTranspose'> = {
  kind: 'convTranspose',
  groups: ['contraction', 'window'],
  arity: { min: 2, max: 3 },
  infer: (inputs, attrs) => [resultType(planConvTranspose(inputs, attrs))],
  evaluate: (inputs, attrs, [out]) => [evaluateConvTranspose(inputs, attrs, out!)],
  grad: convTransposeGrad,
};

/** The convolution ops. */
export const convOps: OpDefs<'conv' | 'convTranspose'> = { conv: withEpilogue(conv, checkChannelOperands), convTranspose };
