// The shape rules of the convolutions (conv, convTranspose): the sizes their operands agree
// on, and how a conv's store reads an epilogue operand. Table-free, so kernels and passes import
// it without pulling in the op table (src/ops/conv.ts holds the op definitions).
import { type Shape, type TensorType, formatType } from '../ir/types.ts';
import type { OpAttrs } from './attrs.ts';
import { expectAllF32 } from './dtypes.ts';
import { fail } from './util.ts';
import { checkList, checkWindow, padBegin, padEnd, span, windowShape } from './window.ts';

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

/**
 * The stride along the output channels of an operand broadcast to a conv result of `out`'s shape
 * (0 for a scalar, 1 for one value per channel: [C], [C,1,1], [1,C,1,1]...), or undefined when it
 * varies along any other dim: a conv store reads its epilogue operands by channel alone.
 */
export function channelStride(out: Shape, shape: Shape): 0 | 1 | undefined {
  if (shape.length > out.length) return undefined;
  const lead = out.length - shape.length;
  let stride: 0 | 1 = 0;
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    if (lead + d !== 1 || shape[d] !== out[1]) return undefined;
    stride = 1;
  }
  return stride;
}

