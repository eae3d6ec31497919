// The wasm pool family (maxPool, constant-divisor avgPool) against the interpreter: 1-D, 2-D and
// 3-D windows, strides 1, 2 and 3 (the three load paths), dilation, pads, ceil mode, batch > 1,
// widths that leave scalar edges; NaN propagation; and the pools it leaves to the TS kernel.
import { describe, expect, it } from 'vitest';
import { poolFamily } from '../../src/codegen/wasm/kernels/pool.ts';
import type { SimdLevel } from '../../src/codegen/wasm/kernel.ts';
import { f32 } from '../../src/ir/tensor.ts';
import type { OpAttrs } from '../../src/ops/attrs.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { nodeInfo, oneNode, randomInputs, reference, runKernel } from './kernel-harness.ts';

type Kind = 'maxPool' | 'avgPool';

interface Case {
  readonly name: string;
  readonly op: Kind;
  readonly attrs: OpAttrs[Kind];
  readonly shape: number[];
}

const win = (kernel: number[], o: { strides?: number[]; dilations?: number[]; pads?: number[]; ceilMode?: boolean } = {}) => ({
  kernel, strides: o.strides ?? kernel, dilations: o.dilations ?? kernel.map(() => 1), pads: o.pads ?? [...kernel, ...kernel].map(() => 0), ceilMode: o.ceilMode ?? false,
});
const max = (w: ReturnType<typeof win>): OpAttrs['maxPool'] => w;
const avg = (w: ReturnType<typeof win>, countIncludePad = false): OpAttrs['avgPool'] => ({ ...w, countIncludePad });

const CASES: Case[] = [
  { name: 'max 2x2 stride 2 (the CNN pool)', op: 'maxPool', attrs: max(win([2, 2])), shape: [1, 3, 16, 16] },
  { name: 'max 2x2 stride 2, odd width 23', op: 'maxPool', attrs: max(win([2, 2])), shape: [2, 2, 9, 23] },
  { name: 'max 3x3 stride 1 pad 1', op: 'maxPool', attrs: max(win([3, 3], { strides: [1, 1], pads: [1, 1, 1, 1] })), shape: [1, 4, 7, 13] },
  { name: 'max 3x3 stride 2 pad 1, ceil mode', op: 'maxPool', attrs: max(win([3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true })), shape: [1, 2, 10, 11] },
  { name: 'max 2x3 stride 3, dilation 2', op: 'maxPool', attrs: max(win([2, 3], { strides: [3, 3], dilations: [2, 2] })), shape: [1, 2, 11, 29] },
  { name: 'max 1-D kernel 4 stride 2 pad (1, 2)', op: 'maxPool', attrs: max(win([4], { strides: [2], pads: [1, 2] })), shape: [2, 3, 41] },
  { name: 'max 3-D 2x2x2', op: 'maxPool', attrs: max(win([2, 2, 2])), shape: [1, 2, 4, 6, 10] },
  { name: 'avg 2x2 stride 2', op: 'avgPool', attrs: avg(win([2, 2])), shape: [1, 3, 12, 18] },
  { name: 'avg 3x3 stride 1 pad 1, countIncludePad', op: 'avgPool', attrs: avg(win([3, 3], { strides: [1, 1], pads: [1, 1, 1, 1] }), true), shape: [2, 2, 6, 9] },
  { name: 'avg 1-D kernel 3 stride 3', op: 'avgPool', attrs: avg(win([3])), shape: [1, 4, 30] },
];

describe.each(['relaxed', 'plain'] as SimdLevel[])('wasm pool kernels (%s SIMD)', (simd) => {
  it.each(CASES)('$name', (c) => {
    const g = oneNode(c.op, c.attrs, [c.shape]);
    expect(poolFamily.accepts(nodeInfo(g, simd, [false]))).toBe(true);
    const inputs = randomInputs(g, c.shape.length);
    const want = reference(g, inputs)[0]!;
    const run = runKernel(poolFamily, g, inputs, simd, [false]);
    run.outputs.forEach((outs, s) => {
      const cmp = compareTensors(outs[0]!, want, 1e-6, 1e-6);
      expect(cmp.ok, `split ${s} of ${run.units} units: ${cmp.reason ?? ''}`).toBe(true);
    });
  });
});

describe('wasm pool family', () => {
  it('propagates NaN through the max, in vector and edge lanes', () => {
    const g = oneNode('maxPool', max(win([2, 2])), [[1, 1, 4, 10]]);
    const data = Array.from({ length: 40 }, (_, i) => i);
    data[2] = Number.NaN; // output (0, 1): a vector lane
    data[19] = Number.NaN; // output (0, 4): the scalar edge (width 5)
    const x = f32([1, 1, 4, 10], data);
    const out = runKernel(poolFamily, g, [x], 'relaxed', [false]).outputs[0]![0]!.data as Float32Array;
    const want = reference(g, [x])[0]!.data as Float32Array;
    expect(Array.from(out).map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(Array.from(want).map((v) => (Number.isNaN(v) ? 'NaN' : v)));
    expect(Number.isNaN(out[1]!) && Number.isNaN(out[4]!)).toBe(true);
  });
  it('leaves indices, edge-dependent divisors and wide kernels to the TS kernel', () => {
    const indices = oneNode('maxPool', { ...max(win([2, 2])), indices: 'row-major' }, [[1, 1, 4, 4]]);
    const edge = oneNode('avgPool', avg(win([3, 3], { strides: [1, 1], pads: [1, 1, 1, 1] })), [[1, 1, 5, 5]]);
    const wide = oneNode('maxPool', max(win([1, 20])), [[1, 1, 2, 40]]);
    for (const g of [indices, edge, wide]) expect(poolFamily.accepts(nodeInfo(g, 'relaxed', [false]))).toBe(false);
  });
});
