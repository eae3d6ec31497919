// The convolutional side of torch.nn.functional: convolutions, transposed convolutions, pools,
// adaptive pools, batch normalisation and flatten, over [N, C, ...spatial] tensors, with
// PyTorch's argument names, defaults and checks. Each maps onto the IR's window ops (conv,
// convTranspose, maxPool, avgPool) or onto elementwise and reduction ops.
import type { OpAttrs } from '../ops/attrs.ts';
import * as F from './functional.ts';
import type { Sym } from './sym.ts';

/** One size for every spatial dim, or one per dim (PyTorch's `int or tuple`). */
export type Size = number | readonly number[];

/** Options of conv1d / conv2d / conv3d, as torch.nn.functional names them. */
export interface ConvOptions {
  /** Default 1. */
  readonly stride?: Size;
  /** Zeros added on both sides of each spatial dim (default 0); `'valid'` is 0, `'same'` keeps the size (stride 1 only). */
  readonly padding?: Size | 'valid' | 'same';
  /** Default 1. */
  readonly dilation?: Size;
  /** Default 1; `groups = in_channels` is a depthwise convolution. */
  readonly groups?: number;
}

/** Options of convTranspose1d / 2d / 3d. */
export interface ConvTransposeOptions {
  readonly stride?: Size;
  /** `dilation * (kernel - 1) - padding` zeros are effectively added to each side of the input (default 0). */
  readonly padding?: Size;
  /** Extra size added to one side of each output dim (default 0; less than stride or dilation). */
  readonly outputPadding?: Size;
  readonly groups?: number;
  readonly dilation?: Size;
}

/** Options of maxPool1d / 2d / 3d. */
export interface MaxPoolOptions {
  /** Default: the kernel size. */
  readonly stride?: Size;
  /** Implicit -inf padding on both sides (at most half the kernel). */
  readonly padding?: Size;
  readonly dilation?: Size;
  /** Keep a last window that starts inside the input but runs past it (default false). */
  readonly ceilMode?: boolean;
}

/** Options of avgPool1d / 2d / 3d. */
export interface AvgPoolOptions {
  readonly stride?: Size;
  /** Implicit zero padding on both sides (at most half the kernel). */
  readonly padding?: Size;
  readonly ceilMode?: boolean;
  /** Count the padding zeros in the divisor (PyTorch's default, true). */
  readonly countIncludePad?: boolean;
}

/** Expands `v` to `n` spatial entries, checking each is an integer >= `min`. */
function sizes(x: Sym, op: string, name: string, v: Size, n: number, min: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (list.length !== n || !list.every((s) => Number.isSafeInteger(s) && s >= min)) {
    x.builder.fail(`${op}: ${name} ${JSON.stringify(v)} must be ${n === 1 ? 'an integer' : `an integer or ${n} integers`} >= ${min}`);
  }
  return list;
}

/** Checks that `x` is [N, C, ...spatial] with `spatial` spatial dims. */
function checkRank(x: Sym, op: string, spatial: number): void {
  const dims = ['L', 'H, W', 'D, H, W'][spatial - 1];
  if (x.rank !== spatial + 2) x.builder.fail(`${op} expects an [N, C, ${dims}] input (rank ${spatial + 2}), got ${x}`);
}

/** ONNX-order pads (every begin, then every end) from symmetric per-dim paddings. */
const symmetric = (p: readonly number[]): number[] => [...p, ...p];

function convNd(spatial: number, op: string, x: Sym, weight: Sym, bias: Sym | undefined, o: ConvOptions): Sym {
  checkRank(x, op, spatial);
  if (weight.rank !== spatial + 2) x.builder.fail(`${op}: weight must be [out, in / groups, ${'k, '.repeat(spatial).slice(0, -2)}], got ${weight}`);
  const kernel = weight.type.shape.slice(2);
  const strides = sizes(x, op, 'stride', o.stride ?? 1, spatial, 1);
  const dilations = sizes(x, op, 'dilation', o.dilation ?? 1, spatial, 1);
  let pads: number[];
  if (o.padding === 'same') {
    if (strides.some((s) => s !== 1)) x.builder.fail(`${op}: padding 'same' needs stride 1 (as in PyTorch), got stride ${JSON.stringify(o.stride)}`);
    // PyTorch puts the odd zero at the end.
    const total = kernel.map((k, d) => dilations[d]! * (k - 1));
    pads = [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
  } else pads = symmetric(sizes(x, op, 'padding', o.padding === 'valid' ? 0 : o.padding ?? 0, spatial, 0));
  const attrs: OpAttrs['conv'] = { strides, dilations, pads, group: o.groups ?? 1 };
  return x.builder.op('conv', attrs, bias ? [x, weight, bias] : [x, weight])[0]!;
}

/** torch.nn.functional.conv1d: x [N, C, L], weight [out, C / groups, k], bias [out]. */
export const conv1d = (x: Sym, weight: Sym, bias?: Sym, opts: ConvOptions = {}): Sym => convNd(1, 'conv1d', x, weight, bias, opts);
/** torch.nn.functional.conv2d: x [N, C, H, W], weight [out, C / groups, kh, kw], bias [out]. */
export const conv2d = (x: Sym, weight: Sym, bias?: Sym, opts: ConvOptions = {}): Sym => convNd(2, 'conv2d', x, weight, bias, opts);
/** torch.nn.functional.conv3d: x [N, C, D, H, W], weight [out, C / groups, kd, kh, kw], bias [out]. */
export const conv3d = (x: Sym, weight: Sym, bias?: Sym, opts: ConvOptions = {}): Sym => convNd(3, 'conv3d', x, weight, bias, opts);

function convTransposeNd(spatial: number, op: string, x: Sym, weight: Sym, bias: Sym | undefined, o: ConvTransposeOptions): Sym {
  checkRank(x, op, spatial);
  if (weight.rank !== spatial + 2) x.builder.fail(`${op}: weight must be [in, out / groups, ${'k, '.repeat(spatial).slice(0, -2)}], got ${weight}`);
  const strides = sizes(x, op, 'stride', o.stride ?? 1, spatial, 1);
  const dilations = sizes(x, op, 'dilation', o.dilation ?? 1, spatial, 1);
  const outputPadding = sizes(x, op, 'outputPadding', o.outputPadding ?? 0, spatial, 0);
  outputPadding.forEach((p, d) => {
    if (p >= Math.max(strides[d]!, dilations[d]!)) x.builder.fail(`${op}: outputPadding ${p} must be smaller than stride ${strides[d]} or dilation ${dilations[d]} (PyTorch's rule)`);
  });
  const attrs: OpAttrs['convTranspose'] = { strides, dilations, pads: symmetric(sizes(x, op, 'padding', o.padding ?? 0, spatial, 0)), group: o.groups ?? 1, outputPadding };
  return x.builder.op('convTranspose', attrs, bias ? [x, weight, bias] : [x, weight])[0]!;
}

/** torch.nn.functional.conv_transpose1d: weight [in, out / groups, k]. */
export const convTranspose1d = (x: Sym, weight: Sym, bias?: Sym, opts: ConvTransposeOptions = {}): Sym => convTransposeNd(1, 'convTranspose1d', x, weight, bias, opts);
/** torch.nn.functional.conv_transpose2d: weight [in, out / groups, kh, kw]. */
export const convTranspose2d = (x: Sym, weight: Sym, bias?: Sym, opts: ConvTransposeOptions = {}): Sym => convTransposeNd(2, 'convTranspose2d', x, weight, bias, opts);

/** The window attributes of a pool, PyTorch's checks included (padding at most half the kernel). */
function poolWindow(spatial: number, op: string, x: Sym, kernelSize: Size, o: { stride?: Size; padding?: Size; dilation?: Size; ceilMode?: boolean }) {
  checkRank(x, op, spatial);
  const kernel = sizes(x, op, 'kernelSize', kernelSize, spatial, 1);
  const strides = o.stride === undefined ? kernel : sizes(x, op, 'stride', o.stride, spatial, 1);
  const padding = sizes(x, op, 'padding', o.padding ?? 0, spatial, 0);
  padding.forEach((p, d) => {
    if (p > kernel[d]! / 2) x.builder.fail(`${op}: padding ${p} must be at most half the kernel size ${kernel[d]} (PyTorch's rule)`);
  });
  return { kernel, strides, dilations: sizes(x, op, 'dilation', o.dilation ?? 1, spatial, 1), pads: symmetric(padding), ceilMode: o.ceilMode ?? false };
}

function maxPoolNd(spatial: number, op: string, x: Sym, kernelSize: Size, o: MaxPoolOptions): Sym {
  return x.builder.op('maxPool', poolWindow(spatial, op, x, kernelSize, o), [x])[0]!;
}

function avgPoolNd(spatial: number, op: string, x: Sym, kernelSize: Size, o: AvgPoolOptions): Sym {
  const w = poolWindow(spatial, op, x, kernelSize, o);
  return x.builder.op('avgPool', { ...w, countIncludePad: o.countIncludePad ?? true }, [x])[0]!;
}

/** torch.nn.functional.max_pool1d over [N, C, L]. */
export const maxPool1d = (x: Sym, kernelSize: Size, opts: MaxPoolOptions = {}): Sym => maxPoolNd(1, 'maxPool1d', x, kernelSize, opts);
/** torch.nn.functional.max_pool2d over [N, C, H, W]. */
export const maxPool2d = (x: Sym, kernelSize: Size, opts: MaxPoolOptions = {}): Sym => maxPoolNd(2, 'maxPool2d', x, kernelSize, opts);
/** torch.nn.functional.avg_pool1d over [N, C, L]. */
export const avgPool1d = (x: Sym, kernelSize: Size, opts: AvgPoolOptions = {}): Sym => avgPoolNd(1, 'avgPool1d', x, kernelSize, opts);
/** torch.nn.functional.avg_pool2d over [N, C, H, W]. */
export const avgPool2d = (x: Sym, kernelSize: Size, opts: AvgPoolOptions = {}): Sym => avgPoolNd(2, 'avgPool2d', x, kernelSize, opts);

/**
 * Adaptive pooling, PyTorch's windows: output index i of a dim of input size n and output size m
 * covers [floor(i n / m), ceil((i + 1) n / m)). Separable, so one dim at a time: a reduction
 * where m is 1, a pool where m divides n, else one slice per output index.
 */
function adaptive(spatial: number, op: string, x: Sym, outputSize: Size, kind: 'mean' | 'max'): Sym {
  checkRank(x, op, spatial);
  const out = sizes(x, op, 'outputSize', outputSize, spatial, 1);
  let y = x;
  out.forEach((m, d) => {
    const dim = d + 2;
    const n = y.size(dim);
    if (m === n) return;
    if (m === 1) y = kind === 'mean' ? y.mean(dim, true) : y.amax(dim, true);
    else {
      const parts = Array.from({ length: m }, (_, i) => {
        const part = y.slice(dim, Math.floor((i * n) / m), Math.ceil(((i + 1) * n) / m));
        return kind === 'mean' ? part.mean(dim, true) : part.amax(dim, true);
      });
      y = F.concat(parts, dim);
    }
  });
  return y;
}

/** torch.nn.functional.adaptive_avg_pool1d. */
export const adaptiveAvgPool1d = (x: Sym, outputSize: Size): Sym => adaptive(1, 'adaptiveAvgPool1d', x, outputSize, 'mean');
/** torch.nn.functional.adaptive_avg_pool2d (`1`: global average pooling). */
export const adaptiveAvgPool2d = (x: Sym, outputSize: Size): Sym => adaptive(2, 'adaptiveAvgPool2d', x, outputSize, 'mean');
/** torch.nn.functional.adaptive_max_pool1d (without indices). */
export const adaptiveMaxPool1d = (x: Sym, outputSize: Size): Sym => adaptive(1, 'adaptiveMaxPool1d', x, outputSize, 'max');
/** torch.nn.functional.adaptive_max_pool2d (without indices). */
export const adaptiveMaxPool2d = (x: Sym, outputSize: Size): Sym => adaptive(2, 'adaptiveMaxPool2d', x, outputSize, 'max');

/** Options of batchNorm. */
export interface BatchNormOptions {
  readonly weight?: Sym;
  readonly bias?: Sym;
  /** Batch statistics (PyTorch's training mode): refused; opgraph normalises with the running ones. */
  readonly training?: boolean;
  readonly eps?: number;
}

/**
 * torch.nn.functional.batch_norm in inference: (x - running_mean) / sqrt(running_var + eps) *
 * weight + bias, per channel (dim 1). The factor weight / sqrt(var + eps) depends on weights only,
 * so compiled backends compute it once at load. Training mode (batch statistics and the running
 * statistics' update) is refused: a model trained here would otherwise leave its running
 * statistics stale.
 */
export function batchNorm(x: Sym, runningMean: Sym, runningVar: Sym, opts: BatchNormOptions = {}): Sym {
  if (x.rank < 2) x.builder.fail(`batchNorm expects an [N, C, ...] input, got ${x}`);
  if (opts.training) x.builder.fail('batchNorm in training mode (batch statistics) is not supported: call eval() on the module, or normalise with F.layerNorm / groupNorm');
  const C = x.size(1);
  const perChannel = (v: Sym, what: string): Sym => {
    if (v.rank !== 1 || v.size(0) !== C) x.builder.fail(`batchNorm: ${what} must be [${C}] (one per channel of ${x}), got ${v}`);
    return v.view(C, ...new Array<number>(x.rank - 2).fill(1));
  };
  let factor = perChannel(runningVar, 'runningVar').add(opts.eps ?? 1e-5).sqrt().reciprocal();
  if (opts.weight) factor = factor.mul(perChannel(opts.weight, 'weight'));
  const y = x.sub(perChannel(runningMean, 'runningMean')).mul(factor);
  return opts.bias ? y.add(perChannel(opts.bias, 'bias')) : y;
}

/** torch.flatten(x, startDim, endDim): dims startDim..endDim (negative from the end) merged into one. */
export function flatten(x: Sym, startDim = 1, endDim = -1): Sym {
  const r = x.rank;
  const [s, e] = [startDim < 0 ? startDim + r : startDim, endDim < 0 ? endDim + r : endDim];
  if (s < 0 || e >= r || s > e) x.builder.fail(`flatten(${startDim}, ${endDim}) is out of range for ${x}`);
  const shape = x.type.shape;
  const merged = shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return x.reshape(...shape.slice(0, s), merged, ...shape.slice(e + 1));
}

/** torch.nn.functional.leaky_relu: x where x > 0, else negativeSlope x. */
export const leakyRelu = (x: Sym, negativeSlope = 0.01): Sym => x.builder.op('leakyRelu', { alpha: negativeSlope }, [x])[0]!;
/** torch.nn.functional.hardsigmoid: clamp(x / 6 + 1 / 2, 0, 1). */
export const hardSigmoid = (x: Sym): Sym => x.builder.op('hardSigmoid', { alpha: 1 / 6, beta: 0.5 }, [x])[0]!;
/** torch.nn.functional.hardswish: x hardsigmoid(x). */
export const hardSwish = (x: Sym): Sym => x.builder.op('hardSwish', {}, [x])[0]!;
/** torch.clamp(x, min, max) with number bounds (torch.nn.functional.hardtanh; relu6 is clamp(x, 0, 6)). */
export function clamp(x: Sym, min: number, max: number): Sym {
  if (!(min <= max)) x.builder.fail(`clamp: min ${min} must not exceed max ${max}`);
  return x.maximum(min).minimum(max);
}
/** torch.nn.functional.relu6: clamp(x, 0, 6). */
export const relu6 = (x: Sym): Sym => clamp(x, 0, 6);
