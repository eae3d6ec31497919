// Cases for maxPool, avgPool and lpPool. The small ones are worked by hand; the rest are checked
// against the naive coordinate loop below, written from the definitions (PyTorch's window
// placement: window o starts at o * stride - pad_begin; ceil_mode keeps a last partial window
// that starts inside the input or its begin pad).
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import type { PoolAttrs } from '../../../src/ops/attrs.ts';
import { cases } from '../case.ts';
import { seq } from './conv.ts';

const t = (shape: number[]) => tensorType('f32', shape);
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function coords(i: number, shape: readonly number[]): number[] {
  const out = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return out;
}

/** Output length of one dim. */
function outLen(n: number, k: number, s: number, d: number, pb: number, pe: number, ceil: boolean): number {
  const room = n + pb + pe - ((k - 1) * d + 1);
  let o = (ceil ? Math.ceil(room / s) : Math.floor(room / s)) + 1;
  if (ceil && (o - 1) * s >= n + pb) o--;
  return o;
}

type Kind = 'max' | 'avg' | 'avg-include-pad' | 'lp2' | 'lp3';

/** The pool of every window by definition; with argmax, also the flat index of each max. */
function naivePool(xShape: number[], x: number[], a: PoolAttrs, kind: Kind): { shape: number[]; data: number[]; argmax: number[] } {
  const [N, C, ...inSp] = xShape as [number, number, ...number[]];
  const r = inSp.length;
  const outSp = inSp.map((n, d) => outLen(n, a.kernel[d]!, a.strides[d]!, a.dilations[d]!, a.pads[d]!, a.pads[r + d]!, a.ceilMode));
  const data: number[] = [];
  const argmax: number[] = [];
  for (let plane = 0; plane < N * C; plane++) for (let p = 0; p < prod(outSp); p++) {
    const pc = coords(p, outSp);
    const vals: number[] = [];
    const where: number[] = [];
    let inPad = 0;
    for (let tap = 0; tap < prod(a.kernel); tap++) {
      const tc = coords(tap, a.kernel);
      const ic = pc.map((v, d) => v * a.strides[d]! - a.pads[d]! + tc[d]! * a.dilations[d]!);
      if (ic.every((v, d) => v >= 0 && v < inSp[d]!)) {
        const at = ic.reduce((s, v, d) => s * inSp[d]! + v, 0);
        vals.push(x[plane * prod(inSp) + at]!);
        where.push(plane * prod(inSp) + at);
      } else if (ic.every((v, d) => v >= -a.pads[d]! && v < inSp[d]! + a.pads[r + d]!)) inPad++;
    }
    const sum = (f: (v: number) => number): number => vals.reduce((s, v) => s + f(v), 0);
    if (kind === 'max') {
      const m = Math.max(...vals);
      data.push(m);
      argmax.push(where[vals.indexOf(m)]!);
    } else if (kind === 'lp2') data.push(Math.sqrt(sum((v) => v * v)));
    else if (kind === 'lp3') data.push(Math.cbrt(sum((v) => Math.abs(v) ** 3)));
    else data.push(sum((v) => v) / (vals.length + (kind === 'avg-include-pad' ? inPad : 0)));
  }
  return { shape: [N, C, ...outSp], data, argmax };
}

const win = (kernel: number[], over: Partial<PoolAttrs> = {}): PoolAttrs => ({
  kernel, strides: kernel.map(() => 1), dilations: kernel.map(() => 1), pads: [...kernel, ...kernel].map(() => 0), ceilMode: false, ...over,
});

function poolCase(name: string, kind: Kind, xShape: number[], a: PoolAttrs, indices = false) {
  const x = seq(prod(xShape), 7);
  const want = naivePool(xShape, x, a, kind);
  const expect = [f32(want.shape, want.data), ...(indices ? [tensor('i64', want.shape, want.argmax)] : [])];
  const inputs = [f32(xShape, x)];
  if (kind === 'max') return { name, op: 'maxPool' as const, attrs: indices ? { ...a, indices: 'row-major' as const } : a, inputs, expect };
  if (kind === 'lp2' || kind === 'lp3') return { name, op: 'lpPool' as const, attrs: { ...a, p: kind === 'lp2' ? 2 : 3 }, inputs, expect, rtol: 1e-5 };
  return { name, op: 'avgPool' as const, attrs: { ...a, countIncludePad: kind === 'avg-include-pad' }, inputs, expect };
}

// A 4x4 ramp 0..15: 2x2 windows at stride 2 have maxes 5, 7, 13, 15 and means 2.5, 4.5, 10.5, 12.5.
const RAMP = f32([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i));
const S2 = win([2, 2], { strides: [2, 2] });

export const poolCases = cases([
  { name: '2x2 stride 2 by hand', op: 'maxPool', attrs: S2, inputs: [RAMP], expect: [f32([1, 1, 2, 2], [5, 7, 13, 15])] },
  { name: 'argmax by hand', op: 'maxPool', attrs: { ...S2, indices: 'row-major' }, inputs: [RAMP], expect: [f32([1, 1, 2, 2], [5, 7, 13, 15]), tensor('i64', [1, 1, 2, 2], [5, 7, 13, 15])] },
  // Column-major: spatial (h, w) of flat h*4 + w is w*4 + h, so 5 = (1,1) -> 5, 7 = (1,3) -> 13.
  { name: 'column-major argmax by hand', op: 'maxPool', attrs: { ...S2, indices: 'column-major' }, inputs: [RAMP], expect: [f32([1, 1, 2, 2], [5, 7, 13, 15]), tensor('i64', [1, 1, 2, 2], [5, 13, 7, 15])] },
  { name: 'NaN propagates, -Inf is kept', op: 'maxPool', attrs: win([2]), inputs: [f32([1, 1, 3], [NaN, 1, -Infinity])], expect: [f32([1, 1, 2], [NaN, 1])] },
  { name: '2x2 stride 2 by hand', op: 'avgPool', attrs: { ...S2, countIncludePad: false }, inputs: [RAMP], expect: [f32([1, 1, 2, 2], [2.5, 4.5, 10.5, 12.5])] },
  // Pad 1: the corner window [pad, pad; pad, 0] holds one real tap (0) and three pad taps.
  { name: 'pads excluded or counted by hand', op: 'avgPool', attrs: { ...win([2], { pads: [1, 0] }), countIncludePad: true }, inputs: [f32([1, 1, 2], [4, 8])], expect: [f32([1, 1, 2], [2, 6])] },
  { name: '1-D by hand (sqrt of squares)', op: 'lpPool', attrs: { ...win([2], { strides: [2] }), p: 2 }, inputs: [f32([1, 1, 4], [3, 4, -5, 12])], expect: [f32([1, 1, 2], [5, 13])] },
  poolCase('3x3 padded, several planes', 'max', [2, 3, 7, 6], win([3, 3], { pads: [1, 1, 1, 1] })),
  poolCase('strided, dilated, with indices', 'max', [1, 2, 9, 8], win([2, 3], { strides: [2, 1], dilations: [2, 2], pads: [1, 0, 0, 2] }), true),
  poolCase('ceil mode', 'max', [1, 1, 6, 7], win([3, 3], { strides: [2, 2], ceilMode: true })),
  poolCase('1-D long', 'max', [1, 2, 1000], win([5], { strides: [3], pads: [2, 2] })),
  poolCase('3-D', 'max', [1, 2, 5, 4, 6], win([2, 2, 3], { strides: [2, 1, 2], ceilMode: true })),
  poolCase('padded, pads excluded', 'avg', [1, 2, 6, 6], win([3, 3], { pads: [1, 2, 2, 1] })),
  poolCase('padded, pads counted', 'avg-include-pad', [1, 2, 6, 6], win([3, 3], { pads: [1, 2, 2, 1] })),
  poolCase('ceil mode, dilated', 'avg', [1, 1, 9, 9], win([2, 2], { strides: [3, 2], dilations: [2, 3], ceilMode: true })),
  poolCase('ceil mode with pads counted (windows clipped to the padded input)', 'avg-include-pad', [1, 1, 5, 5], win([3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true })),
  poolCase('3-D, pads counted', 'avg-include-pad', [1, 1, 4, 5, 3], win([2, 3, 2], { pads: [1, 1, 0, 0, 1, 1] })),
  poolCase('p = 2, padded', 'lp2', [1, 2, 5, 6], win([3, 2], { pads: [1, 0, 1, 1], strides: [1, 2] })),
  poolCase('p = 3, dilated 3-D', 'lp3', [1, 1, 5, 5, 5], win([2, 2, 2], { dilations: [2, 1, 2] })),
  // ── errors ──
  { name: 'kernel of the wrong length', op: 'maxPool', attrs: win([2]), inputs: [t([1, 1, 4, 4])], error: /maxPool kernel \[2\] must be 2 integer\(s\) >= 1/ },
  { name: 'rank 2 input', op: 'maxPool', attrs: win([]), inputs: [t([1, 4])], error: /maxPool needs an input of rank >= 3/ },
  { name: 'unknown index order', op: 'maxPool', attrs: { ...S2, indices: 'diagonal' as 'row-major' }, inputs: [t([1, 1, 4, 4])], error: /indices must be 'row-major' or 'column-major'/ },
  { name: 'window larger than the padded input', op: 'avgPool', attrs: { ...win([3, 3]), countIncludePad: false }, inputs: [t([1, 1, 2, 4])], error: /spans 3 elements, more than spatial dim 0 of length 2/ },
  { name: 'negative pad', op: 'avgPool', attrs: { ...win([2, 2], { pads: [0, -1, 0, 0] }), countIncludePad: false }, inputs: [t([1, 1, 4, 4])], error: /avgPool pads \[0,-1,0,0\] must be 4 integer\(s\) >= 0/ },
  { name: 'p of zero', op: 'lpPool', attrs: { ...win([2, 2]), p: 0 }, inputs: [t([1, 1, 4, 4])], error: /lpPool p must be a positive number, got 0/ },
]);
