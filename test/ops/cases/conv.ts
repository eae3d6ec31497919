// Cases for conv and convTranspose. The small ones are worked by hand; the rest are checked
// against the naive coordinate loops below (written from the definitions, one output or one input
// element at a time), on shapes chosen to reach each kernel path of the backends: pointwise,
// depthwise, grouped, strided, dilated, padded, 1-D, 3-D and outputs long enough to be chunked.
import { f32 } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import type { OpAttrs } from '../../../src/ops/attrs.ts';
import { cases } from '../case.ts';

const t = (shape: number[]) => tensorType('f32', shape);
/** Distinct small values, exact in f32. */
export const seq = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => (((i * k) % 17) - 8) / 8);
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Row-major coordinates of flat index `i` over `shape`. */
function coords(i: number, shape: readonly number[]): number[] {
  const out = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return out;
}
const flat = (c: readonly number[], shape: readonly number[]): number => c.reduce((s, x, d) => s * shape[d]! + x, 0);

interface Geometry {
  strides: number[];
  dilations: number[];
  pads: number[];
  group: number;
}

/** Output spatial dims of a conv. */
function convOut(inSp: number[], k: number[], g: Geometry): number[] {
  const r = inSp.length;
  return inSp.map((n, d) => Math.floor((n + g.pads[d]! + g.pads[r + d]! - (k[d]! - 1) * g.dilations[d]! - 1) / g.strides[d]!) + 1);
}

/** conv by definition: y[n, o, p] = b[o] + sum over c in o's group and taps t of x[n, c, p*s - pad + t*d] w[o, c, t]. */
export function naiveConv(xShape: number[], x: number[], wShape: number[], w: number[], g: Geometry, b?: number[]): { shape: number[]; data: number[] } {
  const [N, C, ...inSp] = xShape as [number, number, ...number[]];
  const [O, Cg, ...k] = wShape as [number, number, ...number[]];
  const outSp = convOut(inSp, k, g);
  const data: number[] = [];
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
    const grp = Math.floor(o / (O / g.group));
    for (let p = 0; p < prod(outSp); p++) {
      const pc = coords(p, outSp);
      let s = b ? b[o]! : 0;
      for (let c = 0; c < Cg; c++) for (let tap = 0; tap < prod(k); tap++) {
        const tc = coords(tap, k);
        const ic = pc.map((v, d) => v * g.strides[d]! - g.pads[d]! + tc[d]! * g.dilations[d]!);
        if (ic.some((v, d) => v < 0 || v >= inSp[d]!)) continue;
        s += x[((n * C + grp * Cg + c) * prod(inSp)) + flat(ic, inSp)]! * w[(o * Cg + c) * prod(k) + tap]!;
      }
      data.push(s);
    }
  }
  return { shape: [N, O, ...outSp], data };
}

/** convTranspose by definition: every x[n, c, i] w[c, o, t] lands on y[n, g*O/G + o, i*s - pad + t*d]. */
export function naiveConvTranspose(xShape: number[], x: number[], wShape: number[], w: number[], g: Geometry & { outputPadding: number[] }, b?: number[]): { shape: number[]; data: number[] } {
  const [N, C, ...inSp] = xShape as [number, number, ...number[]];
  const [, Og, ...k] = wShape as [number, number, ...number[]];
  const r = inSp.length;
  const O = Og * g.group;
  const outSp = inSp.map((n, d) => g.strides[d]! * (n - 1) + g.outputPadding[d]! + (k[d]! - 1) * g.dilations[d]! + 1 - g.pads[d]! - g.pads[r + d]!);
  const data = new Array<number>(N * O * prod(outSp)).fill(0);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let p = 0; p < prod(outSp); p++) data[(n * O + o) * prod(outSp) + p] = b ? b[o]! : 0;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const grp = Math.floor(c / (C / g.group));
    for (let i = 0; i < prod(inSp); i++) {
      const ic = coords(i, inSp);
      for (let o = 0; o < Og; o++) for (let tap = 0; tap < prod(k); tap++) {
        const tc = coords(tap, k);
        const oc = ic.map((v, d) => v * g.strides[d]! - g.pads[d]! + tc[d]! * g.dilations[d]!);
        if (oc.some((v, d) => v < 0 || v >= outSp[d]!)) continue;
        data[(n * O + grp * Og + o) * prod(outSp) + flat(oc, outSp)]! += x[(n * C + c) * prod(inSp) + i]! * w[(c * Og + o) * prod(k) + tap]!;
      }
    }
  }
  return { shape: [N, O, ...outSp], data };
}

const plain = (r: number): Geometry => ({ strides: new Array(r).fill(1), dilations: new Array(r).fill(1), pads: new Array(2 * r).fill(0), group: 1 });

/** A conv value case checked against naiveConv. */
function convCase(name: string, xShape: number[], wShape: number[], over: Partial<Geometry>, bias = false) {
  const g = { ...plain(xShape.length - 2), ...over };
  const x = seq(prod(xShape), 5);
  const w = seq(prod(wShape), 3);
  const b = bias ? seq(wShape[0]!, 7) : undefined;
  const want = naiveConv(xShape, x, wShape, w, g, b);
  const inputs = [f32(xShape, x), f32(wShape, w), ...(b ? [f32([wShape[0]!], b)] : [])];
  return { name, op: 'conv' as const, attrs: g as OpAttrs['conv'], inputs, expect: [f32(want.shape, want.data)] };
}

/** A convTranspose value case checked against naiveConvTranspose. */
function convTCase(name: string, xShape: number[], wShape: number[], over: Partial<Geometry & { outputPadding: number[] }>, bias = false) {
  const r = xShape.length - 2;
  const g = { ...plain(r), outputPadding: new Array(r).fill(0), ...over };
  const x = seq(prod(xShape), 5);
  const w = seq(prod(wShape), 3);
  const b = bias ? seq(wShape[1]! * g.group, 7) : undefined;
  const want = naiveConvTranspose(xShape, x, wShape, w, g, b);
  const inputs = [f32(xShape, x), f32(wShape, w), ...(b ? [f32([wShape[1]! * g.group], b)] : [])];
  return { name, op: 'convTranspose' as const, attrs: g as OpAttrs['convTranspose'], inputs, expect: [f32(want.shape, want.data)] };
}

const G2 = plain(2);
const T2 = { ...G2, outputPadding: [0, 0] };

export const convCases = cases([
  // ── conv, by hand: a 3x3 ramp under a 2x2 box sums each 2x2 block ──
  { name: 'box filter by hand', op: 'conv', attrs: G2, inputs: [f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), f32([1, 1, 2, 2], [1, 1, 1, 1])], expect: [f32([1, 1, 2, 2], [12, 16, 24, 28])] },
  // 1-D [1,2,3,4] with taps [1,-1], bias 10, pad 1 each side: [10-1, 10+1-2, .., 10+4].
  { name: '1-D with bias and pads by hand', op: 'conv', attrs: { strides: [1], dilations: [1], pads: [1, 1], group: 1 }, inputs: [f32([1, 1, 4], [1, 2, 3, 4]), f32([1, 1, 2], [1, -1]), f32([1], [10])], expect: [f32([1, 1, 5], [9, 9, 9, 9, 14])] },
  convCase('pointwise (1x1) with bias', [2, 3, 4, 5], [4, 3, 1, 1], {}, true),
  convCase('3x3 padded, 2 images', [2, 2, 6, 5], [3, 2, 3, 3], { pads: [1, 1, 1, 1] }, true),
  convCase('strided, asymmetric pads', [1, 2, 7, 5], [2, 2, 3, 3], { strides: [2, 2], pads: [1, 0, 1, 0] }),
  convCase('dilated', [1, 1, 7, 7], [2, 1, 3, 3], { dilations: [2, 2], pads: [2, 1, 0, 2] }),
  convCase('grouped (2 groups of 2 channels)', [1, 4, 5, 5], [6, 2, 3, 3], { group: 2, pads: [1, 1, 1, 1] }, true),
  convCase('depthwise', [2, 3, 6, 6], [3, 1, 3, 3], { group: 3, pads: [1, 1, 1, 1], strides: [1, 2] }, true),
  convCase('depthwise with a channel multiplier', [1, 2, 5, 7], [4, 1, 2, 3], { group: 2, dilations: [2, 1], pads: [0, 2, 1, 0] }),
  convCase('1-D strided and dilated', [2, 3, 20], [4, 3, 3], { strides: [2], dilations: [3], pads: [2, 1] }, true),
  convCase('3-D', [1, 2, 4, 5, 3], [2, 2, 2, 3, 2], { pads: [1, 0, 1, 0, 1, 0], strides: [1, 2, 1] }, true),
  convCase('long output, chunked', [1, 2, 40, 40], [3, 2, 3, 3], { pads: [1, 1, 1, 1] }, true),
  convCase('long 1-D output, chunked', [1, 2, 3000], [2, 2, 5], { pads: [2, 2] }, true),
  // ── conv errors ──
  { name: 'rank 2 input', op: 'conv', attrs: { ...plain(0), group: 1 }, inputs: [t([1, 3]), t([2, 3])], error: /conv needs an input of rank >= 3/ },
  { name: 'weight rank differs', op: 'conv', attrs: G2, inputs: [t([1, 3, 4, 4]), t([2, 3, 3])], error: /weight f32\[2,3,3\] must have the input's rank 4/ },
  { name: 'channels do not match', op: 'conv', attrs: G2, inputs: [t([1, 3, 4, 4]), t([2, 2, 3, 3])], error: /needs dim 1 = 3 \(input channels 3 \/ group 1\), got 2/ },
  { name: 'group does not divide the input channels', op: 'conv', attrs: { ...G2, group: 2 }, inputs: [t([1, 3, 4, 4]), t([2, 1, 3, 3])], error: /input channels 3 are not divisible by group 2/ },
  { name: 'group does not divide the output channels', op: 'conv', attrs: { ...G2, group: 2 }, inputs: [t([1, 4, 4, 4]), t([3, 2, 3, 3])], error: /output channels 3 are not divisible by group 2/ },
  { name: 'bias of the wrong length', op: 'conv', attrs: G2, inputs: [t([1, 3, 4, 4]), t([2, 3, 3, 3]), t([3])], error: /bias f32\[3\] must be \[2\]/ },
  { name: 'kernel larger than the padded input', op: 'conv', attrs: G2, inputs: [t([1, 1, 2, 4]), t([1, 1, 3, 3])], error: /spans 3 elements, more than spatial dim 0 of length 2 with pads 0\+0/ },
  { name: 'zero stride', op: 'conv', attrs: { ...G2, strides: [1, 0] }, inputs: [t([1, 1, 4, 4]), t([1, 1, 3, 3])], error: /conv strides \[1,0\] must be 2 integer\(s\) >= 1/ },
  { name: 'pads of the wrong length', op: 'conv', attrs: { ...G2, pads: [1, 1] }, inputs: [t([1, 1, 4, 4]), t([1, 1, 3, 3])], error: /conv pads \[1,1\] must be 4 integer\(s\) >= 0/ },
  { name: 'i32 input', op: 'conv', attrs: G2, inputs: [tensorType('i32', [1, 1, 4, 4]), tensorType('i32', [1, 1, 3, 3])], error: /conv needs f32 inputs/ },
  // ── convTranspose, by hand: [1,2] under taps [1,10] at stride 2 gives [1,10,2,20] ──
  { name: 'strided 1-D by hand', op: 'convTranspose', attrs: { strides: [2], dilations: [1], pads: [0, 0], outputPadding: [0], group: 1 }, inputs: [f32([1, 1, 2], [1, 2]), f32([1, 1, 2], [1, 10])], expect: [f32([1, 1, 4], [1, 10, 2, 20])] },
  // Overlapping taps add: [1,2] with [1,1,1] at stride 1 is [1,3,3,2]; pads crop one each side.
  { name: 'overlap and crop by hand', op: 'convTranspose', attrs: { strides: [1], dilations: [1], pads: [1, 1], outputPadding: [0], group: 1 }, inputs: [f32([1, 1, 2], [1, 2]), f32([1, 1, 3], [1, 1, 1])], expect: [f32([1, 1, 2], [3, 3])] },
  convTCase('2-D with bias, two output channels', [1, 2, 3, 3], [2, 2, 3, 3], {}, true),
  convTCase('strided with output padding', [2, 1, 3, 4], [1, 3, 3, 2], { strides: [3, 2], outputPadding: [1, 1], pads: [1, 0, 0, 1] }, true),
  convTCase('dilated', [1, 1, 3, 3], [1, 1, 2, 2], { dilations: [2, 2] }),
  convTCase('grouped', [2, 4, 3, 3], [4, 3, 3, 3], { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] }, true),
  convTCase('1-D', [1, 2, 6], [2, 3, 4], { strides: [2], pads: [1, 2] }, true),
  convTCase('3-D', [1, 1, 3, 2, 3], [1, 2, 2, 3, 2], { strides: [2, 1, 2] }),
  convTCase('long output, chunked', [1, 3, 40, 40], [3, 4, 3, 3], { strides: [2, 2], pads: [1, 0, 0, 1] }, true),
  // ── convTranspose errors ──
  { name: 'weight dim 0 is not the input channels', op: 'convTranspose', attrs: T2, inputs: [t([1, 3, 4, 4]), t([2, 2, 3, 3])], error: /needs dim 0 = 3 \(the input channels\), got 2/ },
  { name: 'pads crop everything', op: 'convTranspose', attrs: { ...T2, pads: [2, 0, 2, 0] }, inputs: [t([1, 1, 1, 2]), t([1, 1, 2, 2])], error: /pads 2\+2 crop all 2 elements of spatial dim 0/ },
  { name: 'output padding of the wrong length', op: 'convTranspose', attrs: { ...T2, outputPadding: [1] }, inputs: [t([1, 1, 3, 3]), t([1, 1, 2, 2])], error: /outputPadding \[1\] must be 2 integer\(s\) >= 0/ },
  { name: 'bias of the wrong length', op: 'convTranspose', attrs: { ...T2, group: 2 }, inputs: [t([1, 2, 3, 3]), t([2, 3, 2, 2]), t([3])], error: /bias f32\[3\] must be \[6\]/ },
]);
