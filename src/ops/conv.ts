// Convolutions over any number of spatial dims: conv (cross-correlation, PyTorch's and ONNX's
// Conv) and convTranspose (its input gradient, ConvTranspose). Both f32, with groups and an
// optional per-output-channel bias. The reference sums in JS doubles, one output at a time for
// conv; convTranspose scatters every input element into the outputs its taps reach.
import { type Shape, type TensorType, formatType, numel, tensorType } from '../ir/types.ts';
import { type Tensor, fromNumberArray } from '../ir/tensor.ts';
import type { OpAttrs } from './attrs.ts';
import type { OpDef, OpDefs } from './def.ts';
import { expectAllF32 } from './dtypes.ts';
import { convGrad, convTransposeGrad } from './window-grad.ts';
import { checkDims, fail } from './util.ts';
import { checkList, checkWindow, padBegin, padEnd, scatterTable, span, windowShape, windowTable } from './window.ts';

/** The sizes a convolution's operands agree on. */
export interface ConvPlan {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly group: number;
  readonly input: Shape;
  readonly kernel: Shape;
  readonly output: Shape;
}

/** Checks x, w and bias of a conv or convTranspose; `wOut` says whether w's dim 0 is the output channels (conv). */
function planOperands(op: string, inputs: readonly TensorType[], group: number, wOut: boolean): Omit<ConvPlan, 'output'> {
  expectAllF32(op, inputs);
  const [x, w, bias] = inputs as [TensorType, TensorType, TensorType | undefined];
  if (x.shape.length < 3) fail(`${op} needs an input of rank >= 3 ([N, C, ...spatial]), got ${formatType(x)}`);
  if (w.shape.length !== x.shape.length) fail(`${op} weight ${formatType(w)} must have the input's rank ${x.shape.length}`);
  if (!Number.isSafeInteger(group) || group < 1) fail(`${op} group must be an integer >= 1, got ${group}`);
  const [batch, inChannels] = [x.shape[0]!, x.shape[1]!];
  const [w0, w1] = [w.shape[0]!, w.shape[1]!];
  if (inChannels % group !== 0) fail(`${op} input channels ${inChannels} are not divisible by group ${group}`);
  if (wOut && w1 * group !== inChannels) fail(`${op} weight ${formatType(w)} needs dim 1 = ${inChannels / group} (input channels ${inChannels} / group ${group}), got ${w1}`);
  if (!wOut && w0 !== inChannels) fail(`${op} weight ${formatType(w)} needs dim 0 = ${inChannels} (the input channels), got ${w0}`);
  if (wOut && w0 % group !== 0) fail(`${op} output channels ${w0} are not divisible by group ${group}`);
  const outChannels = wOut ? w0 : w1 * group;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== outChannels)) fail(`${op} bias ${formatType(bias)} must be [${outChannels}] (one per output channel)`);
  const kernel = w.shape.slice(2);
  if (kernel.includes(0)) fail(`${op} weight ${formatType(w)} has an empty kernel`);
  return { batch, inChannels, outChannels, group, input: x.shape.slice(2), kernel };
}

/** The conv shape rule. */
export function planConv(inputs: readonly TensorType[], attrs: OpAttrs['conv']): ConvPlan {
  const base = planOperands('conv', inputs, attrs.group, true);
  checkWindow('conv', attrs, base.input.length);
  return { ...base, output: windowShape('conv', base.input, base.kernel, attrs) };
}

/** The convTranspose shape rule: out = stride (in - 1) + outputPadding + span - pads, at least 1. */
export function planConvTranspose(inputs: readonly TensorType[], attrs: OpAttrs['convTranspose']): ConvPlan {
  const base = planOperands('convTranspose', inputs, attrs.group, false);
  const rank = base.input.length;
  checkWindow('convTranspose', attrs, rank);
  checkList('convTranspose', 'outputPadding', attrs.outputPadding, rank, 'natural');
  const output = base.input.map((size, d) => {
    const full = attrs.strides[d]! * (size - 1) + attrs.outputPadding[d]! + span(base.kernel[d]!, attrs.dilations[d]!);
    const out = full - padBegin(attrs, d) - padEnd(attrs, d);
    if (out < 1) fail(`convTranspose pads ${padBegin(attrs, d)}+${padEnd(attrs, d)} crop all ${full} elements of spatial dim ${d}`);
    return out;
  });
  return { ...base, output };
}

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
export const convOps: OpDefs<'conv' | 'convTranspose'> = { conv, convTranspose };
