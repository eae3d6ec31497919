// Gradient cases: one op applied to seeded random operands. Every op with a gradient rule has at
// least one; f32 operands are differentiated, others (indices, conditions) are held fixed.
import type { OpAttrs, OpKind } from '../../src/ops/attrs.ts';
import type { DType, Shape } from '../../src/ir/types.ts';

/** An operand: its shape, dtype (f32 by default), and how its values are drawn. */
export interface Operand {
  readonly shape: Shape;
  readonly dtype?: DType;
  /** f32 draws: 'signed' in (-1, 1) (default), 'positive' in (0.5, 1.5). Others: explicit values. */
  readonly values?: 'signed' | 'positive' | readonly number[];
}

export interface GradCase<K extends OpKind = OpKind> {
  readonly name: string;
  readonly op: K;
  readonly attrs: OpAttrs[K];
  readonly operands: readonly Operand[];
}

type AnyCase = { [K in OpKind]: GradCase<K> }[OpKind];
const list = <const T extends readonly AnyCase[]>(l: T): T => l;
const none = {} as const;
const s = (...shape: number[]): Operand => ({ shape });
const pos = (...shape: number[]): Operand => ({ shape, values: 'positive' });
const rnn = { hidden: 3, direction: 'forward', activation: 'tanh' } as const;

/** The table. */
export const gradCases = list([
  { name: 'identity', op: 'identity', attrs: none, operands: [s(2, 3)] },
  { name: 'neg', op: 'neg', attrs: none, operands: [s(4)] },
  { name: 'abs', op: 'abs', attrs: none, operands: [s(5)] },
  { name: 'relu', op: 'relu', attrs: none, operands: [s(2, 3)] },
  { name: 'exp', op: 'exp', attrs: none, operands: [s(4)] },
  { name: 'log', op: 'log', attrs: none, operands: [pos(4)] },
  { name: 'sqrt', op: 'sqrt', attrs: none, operands: [pos(4)] },
  { name: 'reciprocal', op: 'reciprocal', attrs: none, operands: [pos(4)] },
  { name: 'tanh', op: 'tanh', attrs: none, operands: [s(2, 2)] },
  { name: 'sigmoid', op: 'sigmoid', attrs: none, operands: [s(3)] },
  { name: 'erf', op: 'erf', attrs: none, operands: [s(3)] },
  { name: 'sin', op: 'sin', attrs: none, operands: [s(3)] },
  { name: 'cos', op: 'cos', attrs: none, operands: [s(3)] },
  { name: 'tan', op: 'tan', attrs: none, operands: [s(3)] },
  { name: 'atan', op: 'atan', attrs: none, operands: [s(3)] },
  { name: 'sinh', op: 'sinh', attrs: none, operands: [s(3)] },
  { name: 'cosh', op: 'cosh', attrs: none, operands: [s(3)] },
  { name: 'softplus', op: 'softplus', attrs: none, operands: [s(2, 2)] },
  { name: 'leakyRelu', op: 'leakyRelu', attrs: { alpha: 0.1 }, operands: [s(2, 3)] },
  { name: 'gelu exact', op: 'gelu', attrs: { approximate: 'none' }, operands: [s(4)] },
  { name: 'gelu tanh', op: 'gelu', attrs: { approximate: 'tanh' }, operands: [s(4)] },
  { name: 'cast f32 to f32', op: 'cast', attrs: { to: 'f32' }, operands: [s(3)] },
  { name: 'add broadcast', op: 'add', attrs: none, operands: [s(2, 3), s(3)] },
  { name: 'sub broadcast', op: 'sub', attrs: none, operands: [s(2, 1), s(1, 3)] },
  { name: 'mul broadcast', op: 'mul', attrs: none, operands: [s(2, 3), s(2, 1)] },
  { name: 'div', op: 'div', attrs: none, operands: [s(2, 3), pos(3)] },
  { name: 'pow', op: 'pow', attrs: none, operands: [pos(3), s(3)] },
  { name: 'max', op: 'max', attrs: none, operands: [s(2, 3), s(3)] },
  { name: 'min', op: 'min', attrs: none, operands: [s(4), s(4)] },
  { name: 'where', op: 'where', attrs: none, operands: [{ shape: [2, 3], dtype: 'bool', values: [1, 0, 1, 0, 0, 1] }, s(2, 3), s(3)] },
  { name: 'matmul', op: 'matmul', attrs: { transA: false, transB: false }, operands: [s(2, 3), s(3, 4)] },
  { name: 'matmul batched, transposed, broadcast', op: 'matmul', attrs: { transA: true, transB: true }, operands: [s(2, 3, 2), s(4, 3)] },
  { name: 'matmul vector', op: 'matmul', attrs: { transA: false, transB: false }, operands: [s(3), s(2, 3, 4)] },
  { name: 'gemm with bias', op: 'gemm', attrs: { transA: false, transB: true, alpha: 1, beta: 1 }, operands: [s(2, 5, 3), s(4, 3), s(4)] },
  { name: 'gemm transA, scaled', op: 'gemm', attrs: { transA: true, transB: false, alpha: 0.5, beta: 2 }, operands: [s(3, 2), s(3, 4), s(2, 1)] },
  { name: 'softmax', op: 'softmax', attrs: { axis: 1 }, operands: [s(2, 4, 2)] },
  { name: 'logSoftmax', op: 'logSoftmax', attrs: { axis: -1 }, operands: [s(3, 4)] },
  { name: 'layerNorm', op: 'layerNorm', attrs: { axis: 1, epsilon: 1e-5 }, operands: [s(2, 2, 3), s(2, 3), s(2, 3)] },
  { name: 'layerNorm plain', op: 'layerNorm', attrs: { axis: -1, epsilon: 1e-5 }, operands: [s(3, 4)] },
  { name: 'reduceSum', op: 'reduceSum', attrs: { axes: [0, 2], keepDims: false }, operands: [s(2, 3, 2)] },
  { name: 'reduceMean all', op: 'reduceMean', attrs: { axes: [], keepDims: false }, operands: [s(2, 3)] },
  { name: 'reduceMax', op: 'reduceMax', attrs: { axes: [1], keepDims: true }, operands: [s(2, 4)] },
  { name: 'reshape', op: 'reshape', attrs: { shape: [3, -1] }, operands: [s(2, 3)] },
  { name: 'transpose', op: 'transpose', attrs: { perm: [2, 0, 1] }, operands: [s(2, 3, 4)] },
  { name: 'squeeze', op: 'squeeze', attrs: { axes: [1] }, operands: [s(2, 1, 3)] },
  { name: 'unsqueeze', op: 'unsqueeze', attrs: { axes: [0] }, operands: [s(3)] },
  { name: 'expand', op: 'expand', attrs: { shape: [2, 3, 4] }, operands: [s(3, 1)] },
  { name: 'concat', op: 'concat', attrs: { axis: 1 }, operands: [s(2, 1), s(2, 3)] },
  { name: 'split', op: 'split', attrs: { axis: 0, sizes: [1, 2] }, operands: [s(3, 2)] },
  { name: 'slice', op: 'slice', attrs: { starts: [1, 0], ends: [3, 2], axes: [0, 1], steps: [1, 1] }, operands: [s(4, 3)] },
  { name: 'cumSum axis 1', op: 'cumSum', attrs: { axis: 1, exclusive: false, reverse: false }, operands: [s(2, 4)] },
  { name: 'cumSum exclusive reverse', op: 'cumSum', attrs: { axis: 0, exclusive: true, reverse: true }, operands: [s(3, 2)] },
  { name: 'gather axis 0, repeated', op: 'gather', attrs: { axis: 0 }, operands: [s(4, 3), { shape: [2, 2], dtype: 'i64', values: [1, 3, 1, -4] }] },
  { name: 'gather axis 1', op: 'gather', attrs: { axis: 1 }, operands: [s(2, 3, 2), { shape: [2], dtype: 'i32', values: [2, 0] }] },
  { name: 'rnn tanh', op: 'rnn', attrs: rnn, operands: [s(4, 2, 2), s(1, 3, 2), s(1, 3, 3), s(1, 3), s(1, 3), s(1, 2, 3)] },
  { name: 'rnn relu reverse', op: 'rnn', attrs: { ...rnn, activation: 'relu', direction: 'reverse' }, operands: [s(3, 1, 2), pos(1, 3, 2), s(1, 3, 3), pos(1, 3), s(1, 3), s(1, 1, 3)] },
  { name: 'rnn bidirectional', op: 'rnn', attrs: { ...rnn, direction: 'bidirectional' }, operands: [s(3, 2, 2), s(2, 3, 2), s(2, 3, 3), s(2, 3), s(2, 3), s(2, 2, 3)] },
  { name: 'lstm', op: 'lstm', attrs: { hidden: 2, direction: 'forward' }, operands: [s(3, 2, 2), s(1, 8, 2), s(1, 8, 2), s(1, 8), s(1, 8), s(1, 2, 2), s(1, 2, 2)] },
  { name: 'lstm bidirectional', op: 'lstm', attrs: { hidden: 2, direction: 'bidirectional' }, operands: [s(3, 1, 2), s(2, 8, 2), s(2, 8, 2), s(2, 8), s(2, 8), s(2, 1, 2), s(2, 1, 2)] },
  { name: 'gru', op: 'gru', attrs: { hidden: 2, direction: 'forward', linearBeforeReset: true }, operands: [s(3, 2, 2), s(1, 6, 2), s(1, 6, 2), s(1, 6), s(1, 6), s(1, 2, 2)] },
  // ── window ops (src/ops/window-grad.ts) ──
  { name: 'conv 1-D, stride 2, pads, bias', op: 'conv', attrs: { strides: [2], dilations: [1], pads: [1, 2], group: 1 }, operands: [s(2, 2, 7), s(3, 2, 3), s(3)] },
  { name: 'conv 2-D grouped, dilated, uneven stride', op: 'conv', attrs: { strides: [2, 1], dilations: [1, 2], pads: [1, 0, 0, 1], group: 2 }, operands: [s(1, 4, 5, 6), s(4, 2, 2, 2)] },
  { name: 'conv 2-D depthwise, leftover rows', op: 'conv', attrs: { strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], group: 3 }, operands: [s(2, 3, 6, 5), s(3, 1, 3, 2), s(3)] },
  { name: 'convTranspose 1-D, stride, output padding, bias', op: 'convTranspose', attrs: { strides: [2], dilations: [1], pads: [1, 0], group: 1, outputPadding: [1] }, operands: [s(2, 3, 4), s(3, 2, 3), s(2)] },
  { name: 'convTranspose 2-D grouped, dilated', op: 'convTranspose', attrs: { strides: [1, 2], dilations: [2, 1], pads: [0, 1, 1, 0], group: 2, outputPadding: [0, 1] }, operands: [s(1, 4, 3, 3), s(4, 1, 2, 2)] },
  { name: 'avgPool 2-D, pads counted, ceil mode', op: 'avgPool', attrs: { kernel: [3, 2], strides: [2, 2], dilations: [1, 1], pads: [1, 0, 1, 1], ceilMode: true, countIncludePad: true }, operands: [s(2, 2, 5, 6)] },
  { name: 'avgPool 1-D, pads not counted', op: 'avgPool', attrs: { kernel: [3], strides: [2], dilations: [1], pads: [1, 1], ceilMode: false, countIncludePad: false }, operands: [s(1, 3, 7)] },
  { name: 'maxPool 2-D overlapping windows, pads, ceil mode', op: 'maxPool', attrs: { kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: true }, operands: [s(2, 2, 6, 5)] },
  { name: 'maxPool 1-D dilated', op: 'maxPool', attrs: { kernel: [2], strides: [1], dilations: [2], pads: [0, 0], ceilMode: false }, operands: [s(2, 3, 7)] },
  { name: 'gru reverse', op: 'gru', attrs: { hidden: 3, direction: 'reverse', linearBeforeReset: true }, operands: [s(4, 1, 2), s(1, 9, 2), s(1, 9, 3), s(1, 9), s(1, 9), s(1, 1, 3)] },
]);
