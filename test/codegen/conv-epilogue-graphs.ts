// Conv + activation graphs for the epilogue tests (ts and wasm in conv-epilogues.test.ts, WGSL in
// test/wgsl/jobs.ts): every conv shape the kernels special-case (1-D, 2-D, grouped, depthwise,
// depthwise with a multiplier, pointwise, strided and dilated, with and without bias) times every
// activation fuse-epilogues takes into a conv, written as the ONNX importer writes them (Clip as
// max/min by scalars, PRelu as where(less(x, 0), mul(x, slope), x)).
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, ValueId } from '../../src/ir/graph.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import type { OpAttrs } from '../../src/ops/attrs.ts';
import { Rng, randomTensor } from './helpers.ts';

/** A conv's input, weight and (when present) bias shapes and attrs. */
export interface ConvShape {
  readonly name: string;
  readonly x: number[];
  readonly w: number[];
  readonly bias: boolean;
  readonly attrs: OpAttrs['conv'];
}

const attrs = (rank: number, o: Partial<OpAttrs['conv']> = {}): OpAttrs['conv'] => ({
  strides: Array(rank).fill(1), dilations: Array(rank).fill(1), pads: Array(2 * rank).fill(0), group: 1, ...o,
});

export const CONV_SHAPES: readonly ConvShape[] = [
  { name: 'conv1d k5 pad 2, bias', x: [2, 3, 19], w: [6, 3, 5], bias: true, attrs: attrs(1, { pads: [2, 2] }) },
  { name: 'conv2d 3x3 pad 1, bias', x: [1, 3, 9, 11], w: [10, 3, 3, 3], bias: true, attrs: attrs(2, { pads: [1, 1, 1, 1] }) },
  { name: 'conv2d stride 2 dilation 2, no bias', x: [2, 4, 11, 10], w: [7, 4, 3, 3], bias: false, attrs: attrs(2, { strides: [2, 2], dilations: [2, 2], pads: [2, 1, 2, 1] }) },
  { name: 'grouped conv2d (2 groups), bias', x: [1, 6, 8, 9], w: [10, 3, 3, 3], bias: true, attrs: attrs(2, { group: 2, pads: [1, 1, 1, 1] }) },
  { name: 'depthwise conv2d 3x3, bias', x: [1, 8, 10, 12], w: [8, 1, 3, 3], bias: true, attrs: attrs(2, { group: 8, pads: [1, 1, 1, 1] }) },
  { name: 'depthwise conv2d multiplier 2 stride 2, no bias', x: [1, 4, 9, 9], w: [8, 1, 3, 3], bias: false, attrs: attrs(2, { group: 4, strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'depthwise conv1d k7, bias', x: [2, 5, 23], w: [5, 1, 7], bias: true, attrs: attrs(1, { group: 5, pads: [3, 3] }) },
  { name: 'pointwise conv2d 1x1, bias', x: [2, 12, 5, 7], w: [9, 12, 1, 1], bias: true, attrs: attrs(2) },
];

export const ACTIVATIONS = ['relu', 'relu6', 'leakyRelu', 'hardSwish', 'hardSigmoid', 'sigmoid', 'prelu', 'addChannel+relu', 'addInput+relu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** conv(x, w[, b]) then `activation`; per-channel operands are [C, 1, ...] weights. */
export function convActivation(s: ConvShape, activation: Activation): Graph {
  const b = new IRBuilder(`conv_${activation}`);
  const rng = new Rng(s.w.reduce((a, d) => a * 7 + d, 1));
  const weight = (name: string, shape: number[]): ValueId => b.weight(name, tensorType('f32', shape), randomTensor(rng, tensorType('f32', shape), { range: 0.5 })).id;
  const scalar = (name: string, v: number): ValueId => b.weight(name, tensorType('f32', []), f32([], [v])).id;
  const x = b.input('x', tensorType('f32', s.x)).id;
  const oc = s.w[0]!;
  const channel = [oc, ...s.x.slice(2).map(() => 1)];
  const ins = [x, weight('w', s.w), ...(s.bias ? [weight('b', [oc])] : [])];
  const y = b.node('conv', s.attrs, ins, 'conv')[0]!.id;
  const op = (kind: string, a: object, args: ValueId[]): ValueId => b.node(kind as never, a as never, args)[0]!.id;
  let out: ValueId;
  switch (activation) {
    case 'relu': out = op('relu', {}, [y]); break;
    case 'relu6': out = op('min', {}, [op('max', {}, [y, scalar('lo', 0)]), scalar('hi', 6)]); break;
    case 'leakyRelu': out = op('leakyRelu', { alpha: 0.1 }, [y]); break;
    case 'hardSwish': out = op('hardSwish', {}, [y]); break;
    case 'hardSigmoid': out = op('hardSigmoid', { alpha: 0.2, beta: 0.5 }, [y]); break;
    case 'sigmoid': out = op('sigmoid', {}, [y]); break;
    case 'prelu': out = op('where', {}, [op('less', {}, [y, scalar('zero', 0)]), op('mul', {}, [y, weight('slope', channel)]), y]); break;
    // A static shift is folded into the bias by fold-affine first; an input one stays an epilogue operand.
    case 'addChannel+relu': out = op('relu', {}, [op('add', {}, [y, weight('shift', channel)])]); break;
    case 'addInput+relu': out = op('relu', {}, [op('add', {}, [y, b.input('shift', tensorType('f32', channel)).id])]); break;
  }
  b.output('y', out);
  return b.finish();
}

/** Every shape with every activation. */
export const CONV_EPILOGUE_GRAPHS = CONV_SHAPES.flatMap((shape) => ACTIVATIONS.map((activation) => ({ name: `${shape.name} + ${activation}`, shape, activation })));
