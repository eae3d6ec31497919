// Convolutions and pools: Conv, ConvTranspose, MaxPool (with Indices), AveragePool, LpPool and the
// global pools. auto_pad and ConvTranspose's output_shape are resolved here into the explicit pads
// (and output padding) of the IR ops, since every shape is static.
import type { WindowAttrs } from '../../../ops/window.ts';
import { span } from '../../../ops/window.ts';
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

/** The spatial dims of an [N, C, ...spatial] input, failing on a rank below 3. */
function spatialOf(c: NodeContext, x: Val): number[] {
  if (x.type.shape.length < 3) c.fail(`input must have rank >= 3 ([N, C, ...spatial]), got ${c.fmt(x)}`);
  return x.type.shape.slice(2);
}

/** An ints attribute of one entry per spatial dim, or `fill` repeated. */
function perDim(c: NodeContext, name: string, rank: number, fill: number, count = rank): number[] {
  const v = c.ints(name);
  if (v === undefined || v.length === 0) return new Array<number>(count).fill(fill);
  if (v.length !== count) c.fail(`${name} has ${v.length} entries, expected ${count} (for ${rank} spatial dims)`);
  return v;
}

/**
 * Explicit pads for `input` from auto_pad: NOTSET reads `pads`, VALID is none, SAME_UPPER and
 * SAME_LOWER pad so the output is ceil(in / stride), the odd element after (UPPER) or before (LOWER).
 */
function resolvePads(c: NodeContext, input: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
  const mode = c.string('auto_pad', 'NOTSET');
  const rank = input.length;
  if (mode === 'NOTSET') return perDim(c, 'pads', rank, 0, 2 * rank);
  if (mode === 'VALID') return new Array<number>(2 * rank).fill(0);
  if (mode !== 'SAME_UPPER' && mode !== 'SAME_LOWER') c.fail(`auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got ${JSON.stringify(mode)}`);
  const begins: number[] = [];
  const ends: number[] = [];
  input.forEach((size, d) => {
    const out = Math.ceil(size / strides[d]!);
    const total = Math.max(0, (out - 1) * strides[d]! + span(kernel[d]!, dilations[d]!) - size);
    const before = mode === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
    begins.push(before);
    ends.push(total - before);
  });
  return [...begins, ...ends];
}

/** The window attributes of a Conv-like node whose kernel is `kernel`. */
function windowAttrs(c: NodeContext, input: readonly number[], kernel: readonly number[]): WindowAttrs {
  const rank = input.length;
  const strides = perDim(c, 'strides', rank, 1);
  const dilations = perDim(c, 'dilations', rank, 1);
  return { strides, dilations, pads: resolvePads(c, input, kernel, strides, dilations) };
}

/** Checks a kernel_shape attribute against the weight's spatial dims. */
function checkKernelShape(c: NodeContext, w: Val): number[] {
  const kernel = w.type.shape.slice(2);
  const attr = c.ints('kernel_shape');
  if (attr && (attr.length !== kernel.length || attr.some((k, i) => k !== kernel[i]))) {
    c.fail(`kernel_shape [${attr.join(',')}] does not match the weight ${c.fmt(w)}`);
  }
  return kernel;
}

/** An IR conv of `x` and `w` (and `bias`) under this node's window attributes (Conv, and the integer convolutions). */
export function convOf(c: NodeContext, x: Val, w: Val, bias?: Val): Val {
  const input = spatialOf(c, x);
  const attrs = { ...windowAttrs(c, input, checkKernelShape(c, w)), group: c.int('group', 1) };
  return c.op1('conv', attrs, bias ? [x, w, bias] : [x, w]);
}

function conv(c: NodeContext): Val[] {
  return [convOf(c, c.input(0), c.input(1), c.maybe(2))];
}

/**
 * ConvTranspose. Given output_shape (or SAME auto_pad, whose output is in * stride), the pads are
 * what crops the full result to it, the odd one at the end for SAME_UPPER and at the start
 * otherwise (ONNX's rule); an output longer than the full result extends it by output padding.
 */
function convTranspose(c: NodeContext): Val[] {
  const [x, w, bias] = [c.input(0), c.input(1), c.maybe(2)];
  const input = spatialOf(c, x);
  const rank = input.length;
  const kernel = checkKernelShape(c, w);
  const strides = perDim(c, 'strides', rank, 1);
  const dilations = perDim(c, 'dilations', rank, 1);
  let outputPadding = perDim(c, 'output_padding', rank, 0);
  const mode = c.string('auto_pad', 'NOTSET');
  const explicit = mode === 'NOTSET' || mode === 'VALID';
  if (!explicit && mode !== 'SAME_UPPER' && mode !== 'SAME_LOWER') c.fail(`auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got ${JSON.stringify(mode)}`);
  let pads = mode === 'NOTSET' ? perDim(c, 'pads', rank, 0, 2 * rank) : new Array<number>(2 * rank).fill(0);
  const full = input.map((size, d) => strides[d]! * (size - 1) + outputPadding[d]! + span(kernel[d]!, dilations[d]!));
  const given = c.ints('output_shape');
  const target = given ? (given.length === rank + 2 ? given.slice(2) : given) : explicit ? undefined : input.map((size, d) => size * strides[d]!);
  if (target) {
    if (target.length !== rank) c.fail(`output_shape has ${given!.length} entries for ${rank} spatial dims`);
    [pads, outputPadding] = mode === 'NOTSET' && c.has('pads')
      ? fitExplicit(pads, outputPadding, full, target)
      : fitTarget(c, mode === 'SAME_UPPER', outputPadding, full, target);
  }
  const attrs = { strides, dilations, pads, outputPadding, group: c.int('group', 1) };
  return [c.op1('convTranspose', attrs, bias ? [x, w, bias] : [x, w])];
}

/**
 * Explicit pads kept, the output cut or zero-extended at its end to `target`: the difference goes
 * to the output padding, or to the end pad where the output is shorter.
 */
function fitExplicit(pads: number[], outputPadding: number[], full: number[], target: number[]): [number[], number[]] {
  const rank = target.length;
  const extra = target.map((t, d) => outputPadding[d]! + t - (full[d]! - pads[d]! - pads[rank + d]!));
  return [[...pads.slice(0, rank), ...pads.slice(rank).map((p, d) => p + Math.max(0, -extra[d]!))], extra.map((e) => Math.max(0, e))];
}

/**
 * Pads cropping the full result to `target`, the odd element at the end for SAME_UPPER and at the
 * start otherwise (ONNX's rule); an end beyond the full result becomes output padding.
 */
function fitTarget(c: NodeContext, upper: boolean, outputPadding: number[], full: number[], target: number[]): [number[], number[]] {
  const total = full.map((f, d) => f - target[d]!);
  const before = total.map((t) => (upper ? Math.floor(t / 2) : t - Math.floor(t / 2)));
  if (before.some((b) => b < 0)) c.unsupported('output_shape', `output_shape [${target.join(',')}] starts before the full result, which the IR's convTranspose does not express`);
  const after = total.map((t, d) => t - before[d]!);
  return [[...before, ...after.map((a) => Math.max(0, a))], outputPadding.map((p, d) => p + Math.max(0, -after[d]!))];
}

/** The window of a pooling node (kernel_shape required), with ceil_mode. */
function poolAttrs(c: NodeContext, x: Val): WindowAttrs & { kernel: number[]; ceilMode: boolean } {
  const input = spatialOf(c, x);
  const kernel = c.ints('kernel_shape') ?? c.fail('kernel_shape is required');
  if (kernel.length !== input.length) c.fail(`kernel_shape [${kernel.join(',')}] has ${kernel.length} entries for ${input.length} spatial dims`);
  return { kernel, ...windowAttrs(c, input, kernel), ceilMode: c.int('ceil_mode', 0) === 1 };
}

function maxPool(c: NodeContext): Val[] {
  const x = c.input(0);
  const withIndices = (c.node.output[1] ?? '') !== '';
  const order = c.int('storage_order', 0);
  if (order !== 0 && order !== 1) c.fail(`storage_order must be 0 or 1, got ${order}`);
  const attrs = { ...poolAttrs(c, x), ...(withIndices ? { indices: order === 1 ? 'column-major' as const : 'row-major' as const } : {}) };
  return c.op('maxPool', attrs, [x]);
}

/** GlobalAveragePool / GlobalMaxPool: a mean or max over every spatial dim, kept as 1s. */
const globalPool = (kind: 'reduceMean' | 'reduceMax') => (c: NodeContext): Val[] => {
  const x = c.input(0);
  const axes = spatialOf(c, x).map((_, i) => i + 2);
  return [c.op1(kind, { axes, keepDims: true }, [x])];
};

/** The convolution and pooling lowerings. */
export const convLowerings: Lowerings = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: maxPool,
  AveragePool: (c) => [c.op1('avgPool', { ...poolAttrs(c, c.input(0)), countIncludePad: c.int('count_include_pad', 0) === 1 }, [c.input(0)])],
  LpPool: (c) => [c.op1('lpPool', { ...poolAttrs(c, c.input(0)), p: c.has('p') ? c.int('p', 2) : 2 }, [c.input(0)])],
  GlobalAveragePool: globalPool('reduceMean'),
  GlobalMaxPool: globalPool('reduceMax'),
};
