// Gradient rules of the window ops, written with window ops themselves so every backend that runs
// the forward runs the backward:
//   conv          dx = convTranspose(gy, w); dw = a grouped conv of x by gy (strides and
//                 dilations swapped, batch as channels); db = gy summed over batch and space.
//   convTranspose dx = conv(gy, w); dw = the same correlation with the roles of x and gy swapped.
//   avgPool       dx = a depthwise convTranspose of gy / divisor with a kernel of ones.
//   maxPool       dx = a depthwise convTranspose of gy split into one channel per tap, where a
//                 tap keeps gy only at the window's first maximum (the indices maxPool returns),
//                 with one-hot kernels: the gradient goes to that one input, as in PyTorch.
import type { ValueId } from '../ir/graph.ts';
import { tensor } from '../ir/tensor.ts';
import { numel } from '../ir/types.ts';
import type { OpAttrs, PoolAttrs } from './attrs.ts';
import type { GradContext, GradRule } from './def.ts';
import { GradEmitter } from './gradient.ts';
import { IN_PAD, type WindowAttrs, padBegin, padEnd, span, windowTable } from './window.ts';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** gy summed to a per-output-channel bias [C]. */
function biasGrad(d: GradEmitter, gy: ValueId): ValueId {
  const rank = d.shape(gy).length;
  return d.sum(gy, range(rank).filter((a) => a !== 1), false);
}

/** `v` cut to `sizes` along its trailing spatial dims (from 2), where it is longer. */
function cropSpatial(d: GradEmitter, v: ValueId, sizes: readonly number[]): ValueId {
  const shape = d.shape(v);
  const axes = sizes.map((_, i) => i + 2).filter((a) => shape[a]! > sizes[a - 2]!);
  if (axes.length === 0) return v;
  return d.op('slice', { starts: axes.map(() => 0), ends: axes.map((a) => sizes[a - 2]!), axes, steps: axes.map(() => 1) }, [v]);
}

/**
 * A transposed convolution of `g` whose output has the spatial `sizes` exactly: output padding
 * makes up a short result, a slice cuts a long one (a ceil-mode window past the end).
 */
function transposeTo(d: GradEmitter, g: ValueId, w: ValueId, attrs: WindowAttrs & { group: number }, kernel: readonly number[], sizes: readonly number[]): ValueId {
  const gs = d.shape(g).slice(2);
  const full = sizes.map((_, i) => attrs.strides[i]! * (gs[i]! - 1) + span(kernel[i]!, attrs.dilations[i]!) - padBegin(attrs, i) - padEnd(attrs, i));
  const outputPadding = sizes.map((s, i) => Math.max(0, s - full[i]!));
  const t = d.op('convTranspose', { strides: [...attrs.strides], dilations: [...attrs.dilations], pads: [...attrs.pads], group: attrs.group, outputPadding }, [g, w]);
  return cropSpatial(d, t, sizes);
}

/**
 * D [B channels, A channels / G, ...kernel] with D[g Bg + b, a, k] = sum over n and o of
 * B[n, g Bg + b, o] * A_padded[n, g Ag + a, o * stride + k * dilation]: the weight gradient of a
 * conv (A = x, B = gy) and of a convTranspose (A = gy, B = x). One grouped conv computes it: A
 * as [Ag, G * N, ...] (batch as channels), B as weights [G * Bg, N, ...], strides and dilations
 * swapped; its output is cropped to the kernel and its first two dims swapped.
 */
function correlate(d: GradEmitter, a: ValueId, b: ValueId, attrs: WindowAttrs & { group: number }, kernel: readonly number[]): ValueId {
  const as = d.shape(a);
  const [N, G] = [as[0]!, attrs.group];
  const spatial = as.length - 2;
  const Ag = as[1]! / G;
  const lead = range(spatial).map((i) => i + 3);
  const aPrime = d.reshape(d.op('transpose', { perm: [2, 1, 0, ...lead] }, [d.reshape(a, [N, G, Ag, ...as.slice(2)])]), [Ag, G * N, ...as.slice(2)]);
  const bPrime = d.op('transpose', { perm: [1, 0, ...range(spatial).map((i) => i + 2)] }, [b]);
  const out = d.op('conv', { strides: [...attrs.dilations], dilations: [...attrs.strides], pads: [...attrs.pads], group: G }, [aPrime, bPrime]);
  return d.op('transpose', { perm: [1, 0, ...range(spatial).map((i) => i + 2)] }, [cropSpatial(d, out, kernel)]);
}

/** conv's rule: x [N, C, ...], w [OC, C / G, ...k], bias [OC]. */
export const convGrad: GradRule<'conv'> = (ctx: GradContext<'conv'>) => {
  const d = new GradEmitter(ctx);
  const gy = ctx.grads[0]!;
  const [x, w] = ctx.inputs as [ValueId, ValueId];
  const kernel = d.shape(w).slice(2);
  return [
    ctx.needs[0] ? transposeTo(d, gy, w, ctx.attrs, kernel, d.shape(x).slice(2)) : undefined,
    ctx.needs[1] ? correlate(d, x, gy, ctx.attrs, kernel) : undefined,
    ctx.inputs.length > 2 && ctx.needs[2] ? biasGrad(d, gy) : undefined,
  ];
};

/** convTranspose's rule: x [N, C, ...], w [C, OC / G, ...k], bias [OC]. */
export const convTransposeGrad: GradRule<'convTranspose'> = (ctx: GradContext<'convTranspose'>) => {
  const d = new GradEmitter(ctx);
  const gy = ctx.grads[0]!;
  const [x, w] = ctx.inputs as [ValueId, ValueId];
  const kernel = d.shape(w).slice(2);
  const { strides, dilations, pads, group } = ctx.attrs;
  const dx = (): ValueId => cropSpatial(d, d.op('conv', { strides: [...strides], dilations: [...dilations], pads: [...pads], group }, [gy, w]), d.shape(x).slice(2));
  return [
    ctx.needs[0] ? dx() : undefined,
    ctx.needs[1] ? correlate(d, gy, x, ctx.attrs, kernel) : undefined,
    ctx.inputs.length > 2 && ctx.needs[2] ? biasGrad(d, gy) : undefined,
  ];
};

/** The pool's window as a depthwise transposed convolution's attributes (group C). */
const depthwise = (attrs: PoolAttrs, channels: number) => ({ strides: attrs.strides, dilations: attrs.dilations, pads: attrs.pads, group: channels });

/** avgPool's rule: each window's gradient spread evenly over the taps its divisor counts. */
export const avgPoolGrad: GradRule<'avgPool'> = (ctx: GradContext<'avgPool'>) => {
  const d = new GradEmitter(ctx);
  const [x, gy] = [ctx.inputs[0]!, ctx.grads[0]!];
  const [xs, ys] = [d.shape(x), d.shape(gy)];
  const C = xs[1]!;
  const { kernel } = ctx.attrs;
  const taps = numel(kernel);
  const table = windowTable(xs.slice(2), ys.slice(2), kernel, ctx.attrs);
  // The divisor of each output position, as the forward counts it.
  const inverse = new Float32Array(numel(ys.slice(2)));
  inverse.forEach((_, q) => {
    let count = 0;
    for (let t = 0; t < taps; t++) {
      const at = table[q * taps + t]!;
      if (at >= 0 || (at === IN_PAD && ctx.attrs.countIncludePad)) count++;
    }
    inverse[q] = count === 0 ? 0 : 1 / count;
  });
  const scaled = d.mul(gy, d.op('constant', { value: tensor('f32', ys.slice(2), inverse) }, []));
  const ones = d.op('constant', { value: tensor('f32', [C, 1, ...kernel], new Float32Array(C * taps).fill(1)) }, []);
  return [transposeTo(d, scaled, ones, depthwise(ctx.attrs, C), kernel, xs.slice(2))];
};

/** maxPool's rule: the gradient of each window goes to its first maximum only. */
export const maxPoolGrad: GradRule<'maxPool'> = (ctx: GradContext<'maxPool'>) => {
  const d = new GradEmitter(ctx);
  const [x, gy] = [ctx.inputs[0]!, ctx.grads[0]!];
  const [xs, ys] = [d.shape(x), d.shape(gy)];
  const [N, C] = [xs[0]!, xs[1]!];
  const { kernel } = ctx.attrs;
  const [taps, inSize, out] = [numel(kernel), numel(xs.slice(2)), ys.slice(2)];
  const attrs: OpAttrs['maxPool'] = { kernel: [...kernel], strides: [...ctx.attrs.strides], dilations: [...ctx.attrs.dilations], pads: [...ctx.attrs.pads], ceilMode: ctx.attrs.ceilMode, indices: 'row-major' };
  const index = ctx.emit('maxPool', attrs, [x])[1]!;
  // The argmax as an offset inside its (n, c) plane, i32.
  const planes = tensor('i32', [N, C, ...out.map(() => 1)], Int32Array.from({ length: N * C }, (_, p) => p * inSize));
  const local = d.sub(d.op('cast', { to: 'i32' }, [index]), d.op('constant', { value: planes }, []));
  // The input offset each tap of each window reads ([taps, ...out]; pads and overhangs never match).
  const table = windowTable(xs.slice(2), out, kernel, ctx.attrs);
  const reads = new Int32Array(taps * numel(out));
  for (let q = 0; q < numel(out); q++) for (let t = 0; t < taps; t++) reads[t * numel(out) + q] = Math.max(table[q * taps + t]!, -1);
  const hit = d.op('equal', {}, [d.reshape(local, [N, C, 1, ...out]), d.op('constant', { value: tensor('i32', [taps, ...out], reads) }, [])]);
  const split = d.where(hit, d.reshape(gy, [N, C, 1, ...out]), d.scalar(0));
  // Channel c * taps + t carries tap t of channel c; its kernel is 1 at tap t only.
  const oneHot = new Float32Array(C * taps * taps);
  for (let c = 0; c < C; c++) for (let t = 0; t < taps; t++) oneHot[(c * taps + t) * taps + t] = 1;
  const kernels = d.op('constant', { value: tensor('f32', [C * taps, 1, ...kernel], oneHot) }, []);
  return [transposeTo(d, d.reshape(split, [N, C * taps, ...out]), kernels, depthwise(ctx.attrs, C), kernel, xs.slice(2))];
};
