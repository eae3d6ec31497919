// Spatial ONNX ops composed from IR ops with static index tables: LRN (an average pool across
// channels), CenterCropPad (slices and zero borders), Col2Im (one gather of every kernel tap, summed)
// MaxUnpool (a scatter into zeros) and DeformConv (bilinear gathers, then a matmul). Every backend
// runs them as the ops they already have.
import { numel } from '../../../ir/types.ts';
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';
import { axisOf } from './movement.ts';

/**
 * LRN: x / (bias + alpha / size * sum of x^2 over the channels c - floor((size-1)/2) ..
 * c + ceil((size-1)/2))^beta. The window sum is an average pool (pads counted) over x^2 viewed as
 * [N, 1, C, rest], times size.
 */
function lrn(c: NodeContext): Val[] {
  const x = c.input(0);
  const shape = x.type.shape;
  if (x.type.dtype !== 'f32' || shape.length < 3) c.fail(`input must be a float [N, C, ...] tensor, got ${c.fmt(x)}`);
  const size = c.int('size', 0);
  if (!(size > 0)) c.fail(`size must be positive, got ${size}`);
  const [alpha, beta, bias] = [c.float('alpha', 1e-4), c.float('beta', 0.75), c.float('bias', 1)];
  const rest = numel(shape.slice(2));
  const sq = c.op1('reshape', { shape: [shape[0]!, 1, shape[1]!, rest] }, [c.op1('mul', {}, [x, x])]);
  const lo = Math.floor((size - 1) / 2);
  const pool = { kernel: [size, 1], strides: [1, 1], dilations: [1, 1], pads: [lo, 0, size - 1 - lo, 0], ceilMode: false, countIncludePad: true };
  const mean = c.op1('reshape', { shape: [...shape] }, [c.op1('avgPool', pool, [sq])]);
  const base = c.op1('add', {}, [c.scalar(bias), c.op1('mul', {}, [mean, c.scalar(alpha)])]);
  return [c.op1('div', {}, [x, c.op1('pow', {}, [base, c.scalar(beta)])])];
}

/**
 * CenterCropPad(x, shape): each listed axis (default all) cropped or zero-padded to its target
 * around the centre: a crop starts at floor((n - t) / 2), a pad puts floor((t - n) / 2) before.
 */
function centerCropPad(c: NodeContext): Val[] {
  const x = c.input(0);
  const rank = x.type.shape.length;
  const target = c.staticInts(1, 'shape') ?? c.fail('shape is required');
  const axes = (c.ints('axes') ?? [...Array(rank).keys()]).map((a) => axisOf(c, a, rank));
  if (new Set(axes).size !== axes.length || axes.length !== target.length) c.fail(`shape [${target.join(',')}] must give one size per axis of [${axes.join(',')}], each axis once`);
  let cur = x;
  axes.forEach((axis, i) => {
    const [n, t] = [cur.type.shape[axis]!, target[i]!];
    if (!Number.isSafeInteger(t) || t < 0) c.fail(`target size ${t} for axis ${axis} must be a non-negative integer`);
    if (n > t) {
      const start = Math.floor((n - t) / 2);
      cur = c.op1('slice', { starts: [start], ends: [start + t], axes: [axis], steps: [1] }, [cur]);
    } else if (n < t) {
      const before = Math.floor((t - n) / 2);
      const zeros = (len: number): Val => c.op1('expand', { shape: cur.type.shape.map((d, k) => (k === axis ? len : d)) }, [c.scalar(0, x.type.dtype)]);
      cur = c.op1('concat', { axis }, [...(before > 0 ? [zeros(before)] : []), cur, zeros(t - n - before)]);
    }
  });
  return [cur];
}

/** Row-major multi-indices of a box of `dims` (the last varying fastest). */
function multiIndices(dims: readonly number[]): number[][] {
  const out: number[][] = [];
  const total = numel(dims);
  for (let f = 0; f < total; f++) {
    let r = f;
    out.push(dims.map((_, d) => {
      const inner = numel(dims.slice(d + 1));
      const v = Math.floor(r / inner);
      r -= v * inner;
      return v;
    }));
  }
  return out;
}

/**
 * Col2Im(input [N, C * prod(block), L], image_shape, block_shape) -> [N, C, ...image]: every column
 * entry added into the image pixel its block and tap land on. As one gather: per tap k and pixel p,
 * the column l whose block covers p at k (or a zero column past the end), then a sum over the taps.
 */
function col2im(c: NodeContext): Val[] {
  const x = c.input(0);
  const image = c.staticInts(1, 'image_shape') ?? c.fail('image_shape is required');
  const block = c.staticInts(2, 'block_shape') ?? c.fail('block_shape is required');
  const r = image.length;
  const [strides, dilations] = [c.ints('strides') ?? Array(r).fill(1), c.ints('dilations') ?? Array(r).fill(1)];
  const pads = c.ints('pads') ?? Array(2 * r).fill(0);
  if (block.length !== r || strides.length !== r || dilations.length !== r || pads.length !== 2 * r) c.fail(`image_shape, block_shape, strides, dilations and pads must agree on ${r} spatial dims`);
  const [n, ck, L] = x.type.shape as [number, number, number];
  const K = numel(block);
  if (x.type.shape.length !== 3 || ck % K !== 0) c.fail(`input must be [N, C * ${K}, L], got ${c.fmt(x)}`);
  const blocks = image.map((d, i) => Math.floor((d + pads[i]! + pads[i + r]! - dilations[i]! * (block[i]! - 1) - 1) / strides[i]!) + 1);
  if (blocks.some((b) => b <= 0) || numel(blocks) !== L) c.fail(`input has ${L} blocks, the image and window give [${blocks.join(',')}]`);
  const ch = ck / K;
  const P = numel(image);
  const idx: number[] = [];
  for (const [k, tap] of multiIndices(block).entries()) {
    for (const p of multiIndices(image)) {
      const l = p.map((pd, d) => (pd + pads[d]! - tap[d]! * dilations[d]!) / strides[d]!);
      const ok = l.every((v, d) => Number.isInteger(v) && v >= 0 && v < blocks[d]!);
      idx.push(k * (L + 1) + (ok ? l.reduce((acc, v, d) => acc * blocks[d]! + v, 0) : L));
    }
  }
  const cols = c.op1('concat', { axis: 3 }, [c.op1('reshape', { shape: [n, ch, K, L] }, [x]), c.op1('expand', { shape: [n, ch, K, 1] }, [c.scalar(0, x.type.dtype)])]);
  const taps = c.op1('gather', { axis: 2 }, [c.op1('reshape', { shape: [n, ch, K * (L + 1)] }, [cols]), c.constant('i64', [K * P], idx)]);
  const sum = c.op1('reduceSum', { axes: [2], keepDims: false }, [c.op1('reshape', { shape: [n, ch, K, P] }, [taps])]);
  return [c.op1('reshape', { shape: [n, ch, ...image] }, [sum])];
}

/**
 * MaxUnpool(x, indices, output_shape?): x's values written at their flat indices (MaxPool's, over
 * the whole output) into zeros of the output shape, by default (in - 1) * stride + kernel - pads.
 * An index outside the output reaches the scatter's range check.
 */
function maxUnpool(c: NodeContext): Val[] {
  const [x, idx] = [c.input(0), c.input(1)];
  const spatial = x.type.shape.slice(2);
  const kernel = c.ints('kernel_shape') ?? c.fail('kernel_shape is required');
  const strides = c.ints('strides') ?? kernel.map(() => 1);
  const pads = c.ints('pads') ?? kernel.map(() => 0).concat(kernel.map(() => 0));
  if (kernel.length !== spatial.length || strides.length !== spatial.length || pads.length !== 2 * spatial.length) c.fail(`kernel_shape, strides and pads must have one entry per spatial dim of ${c.fmt(x)}`);
  if (idx.type.shape.join() !== x.type.shape.join() || idx.type.dtype !== 'i64') c.fail(`indices must be int64 of x's shape, got ${c.fmt(idx)} for ${c.fmt(x)}`);
  const out = c.staticInts(2, 'output_shape') ?? [...x.type.shape.slice(0, 2), ...spatial.map((d, i) => (d - 1) * strides[i]! + kernel[i]! - pads[i]! - pads[i + spatial.length]!)];
  if (out.length !== x.type.shape.length || out.some((d) => !Number.isSafeInteger(d) || d < 0)) c.fail(`output shape [${out.join(',')}] must be non-negative, one size per dim of ${c.fmt(x)}`);
  const flat = (v: Val): Val => c.op1('reshape', { shape: [numel(v.type.shape)] }, [v]);
  const zeros = c.op1('expand', { shape: [numel(out)] }, [c.scalar(0, x.type.dtype)]);
  return [c.op1('reshape', { shape: out }, [c.op1('scatterElements', { axis: 0, reduction: 'none' }, [zeros, flat(idx), flat(x)])])];
}

/** Constant [K, oH, oW] positions of tap k's sample along one image axis (`y`: the row) before the offsets. */
function deformBase(kernel: readonly number[], out: readonly number[], strides: readonly number[], dilations: readonly number[], pads: readonly number[], y: boolean): number[] {
  const v: number[] = [];
  for (let i = 0; i < kernel[0]!; i++) for (let j = 0; j < kernel[1]!; j++) for (let oh = 0; oh < out[0]!; oh++) for (let ow = 0; ow < out[1]!; ow++) {
    v.push(y ? oh * strides[0]! - pads[0]! + i * dilations[0]! : ow * strides[1]! - pads[1]! + j * dilations[1]!);
  }
  return v;
}

/**
 * DeformConv (2-D): each tap samples x bilinearly at its window position plus the learned offset
 * (a corner outside the image counts 0), times the mask when given; the samples [N, C * K, oH * oW]
 * then meet the weights in one matmul per group, plus B. The four corners are gathers from the
 * flattened x at clamped indices, their weights zeroed where the corner is outside.
 */
function deformConv(c: NodeContext): Val[] {
  const [x, w, offset, bias, mask] = [c.input(0), c.input(1), c.input(2), c.maybe(3), c.maybe(4)];
  if (x.type.shape.length !== 4 || w.type.shape.length !== 4 || x.type.dtype !== 'f32') c.unsupported('rank', `only 2-D float DeformConv is supported, got x ${c.fmt(x)} and w ${c.fmt(w)}`);
  const [n, ch, h, wd] = x.type.shape as [number, number, number, number];
  const [m, , kh, kw] = w.type.shape as [number, number, number, number];
  const [g, og] = [c.int('group', 1), c.int('offset_group', 1)];
  const strides = c.ints('strides') ?? [1, 1];
  const dilations = c.ints('dilations') ?? [1, 1];
  const pads = c.ints('pads') ?? [0, 0, 0, 0];
  if (!(g > 0 && og > 0) || ch % g !== 0 || ch % og !== 0 || m % g !== 0 || w.type.shape[1] !== ch / g) c.fail(`group ${g} and offset_group ${og} do not fit x ${c.fmt(x)} and w ${c.fmt(w)}`);
  const out = [0, 1].map((d) => Math.floor(([h, wd][d]! + pads[d]! + pads[d + 2]! - dilations[d]! * ([kh, kw][d]! - 1) - 1) / strides[d]!) + 1);
  const [K, P, cg] = [kh * kw, out[0]! * out[1]!, ch / og];
  if (offset.type.shape.join() !== [n, og * 2 * K, ...out].join()) c.fail(`offset must be [${[n, og * 2 * K, ...out].join(',')}], got ${c.fmt(offset)}`);
  if (mask && mask.type.shape.join() !== [n, og * K, ...out].join()) c.fail(`mask must be [${[n, og * K, ...out].join(',')}], got ${c.fmt(mask)}`);
  const off = c.op1('reshape', { shape: [n, og, 1, K, 2, P] }, [offset]);
  const along = (d: number): Val => {
    const base = c.constant('f32', [K, P], deformBase([kh, kw], out, strides, dilations, pads, d === 0));
    return c.op1('add', {}, [c.op1('reshape', { shape: [n, og, 1, K, P] }, [c.op1('slice', { starts: [d], ends: [d + 1], axes: [4], steps: [1] }, [off])]), base]);
  };
  const [py, px] = [along(0), along(1)];
  const [y0, x0] = [c.op1('floor', {}, [py]), c.op1('floor', {}, [px])];
  const [ly, lx] = [c.op1('sub', {}, [py, y0]), c.op1('sub', {}, [px, x0])];
  const one = c.scalar(1);
  // Flat offset of each (n, offset group, channel in group) plane in x.
  const planes = c.constant('i64', [n, og, cg, 1, 1], Array.from({ length: n * ch }, (_, i) => i * h * wd));
  const flatX = c.op1('reshape', { shape: [n * ch * h * wd] }, [x]);
  let sampled: Val | undefined;
  for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
    const yy = dy ? c.op1('add', {}, [y0, one]) : y0;
    const xx = dx ? c.op1('add', {}, [x0, one]) : x0;
    const inside = (v: Val, size: number): Val => c.op1('and', {}, [c.op1('not', {}, [c.op1('less', {}, [v, c.scalar(0)])]), c.op1('less', {}, [v, c.scalar(size)])]);
    const weight = c.op1('mul', {}, [dy ? ly : c.op1('sub', {}, [one, ly]), dx ? lx : c.op1('sub', {}, [one, lx])]);
    const wOk = c.op1('where', {}, [c.op1('and', {}, [inside(yy, h), inside(xx, wd)]), weight, c.scalar(0)]);
    const clampTo = (v: Val, size: number): Val => c.op1('cast', { to: 'i64' }, [c.op1('min', {}, [c.op1('max', {}, [v, c.scalar(0)]), c.scalar(size - 1)])]);
    const at = c.op1('add', {}, [c.op1('mul', {}, [clampTo(yy, h), c.scalar(wd, 'i64')]), clampTo(xx, wd)]);
    const idx = c.op1('add', {}, [planes, at]);
    const term = c.op1('mul', {}, [c.op1('gather', { axis: 0 }, [flatX, idx]), wOk]);
    sampled = sampled ? c.op1('add', {}, [sampled, term]) : term;
  }
  if (mask) sampled = c.op1('mul', {}, [sampled!, c.op1('reshape', { shape: [n, og, 1, K, P] }, [mask])]);
  const cols = c.op1('reshape', { shape: [n, g, (ch / g) * K, P] }, [sampled!]);
  const wm = c.op1('reshape', { shape: [g, m / g, (ch / g) * K] }, [w]);
  let y = c.op1('reshape', { shape: [n, m, ...out] }, [c.op1('matmul', { transA: false, transB: false }, [wm, cols])]);
  if (bias) y = c.op1('add', {}, [y, c.op1('reshape', { shape: [m, 1, 1] }, [bias])]);
  return [y];
}

/** The spatial lowerings. */
export const spatialLowerings: Lowerings = {
  LRN: lrn,
  CenterCropPad: centerCropPad,
  Col2Im: col2im,
  MaxUnpool: maxUnpool,
  DeformConv: deformConv,
};
