// The wasm convolution family against the interpreter (rtol 1e-4, atol 1e-5): a table of conv
// shapes (1-D, 2-D, 3-D; groups, depthwise, dilation, strides, asymmetric pads, batch > 1, rows
// split into segments, channel counts off the register block), both SIMD levels, MR 4 and 6,
// each over the whole unit range and split into 2 and 3 as threads would run it.
import { describe, expect, it } from 'vitest';
import { convFamily } from '../../src/codegen/wasm/kernels/conv.ts';
import { convGeometry } from '../../src/codegen/wasm/kernels/conv-plan.ts';
import type { SimdLevel } from '../../src/codegen/wasm/kernel.ts';
import type { OpAttrs } from '../../src/ops/attrs.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { nodeInfo, oneNode, randomInputs, reference, runKernel } from './kernel-harness.ts';

interface Case {
  readonly name: string;
  readonly attrs: OpAttrs['conv'];
  /** x, w and (optionally) bias. */
  readonly shapes: number[][];
}

const conv = (rank: number, o: Partial<OpAttrs['conv']> = {}): OpAttrs['conv'] => ({
  strides: Array(rank).fill(1), dilations: Array(rank).fill(1), pads: Array(2 * rank).fill(0), group: 1, ...o,
});

const CASES: Case[] = [
  { name: '2-D 3x3 pad 1, bias (the CNN layer, small)', attrs: conv(2, { pads: [1, 1, 1, 1] }), shapes: [[1, 3, 9, 11], [16, 3, 3, 3], [16]] },
  { name: '2-D no bias, 7 output channels (edge block)', attrs: conv(2), shapes: [[1, 4, 7, 10], [7, 4, 3, 3]] },
  { name: '2-D batch 2, 13 channels, odd sizes', attrs: conv(2, { pads: [1, 2, 0, 1] }), shapes: [[2, 5, 6, 13], [13, 5, 3, 2], [13]] },
  { name: '2-D stride 2', attrs: conv(2, { strides: [2, 2], pads: [1, 1, 1, 1] }), shapes: [[1, 3, 11, 12], [8, 3, 3, 3], [8]] },
  { name: '2-D stride (1, 3), dilation (2, 1)', attrs: conv(2, { strides: [1, 3], dilations: [2, 1], pads: [2, 1, 1, 2] }), shapes: [[1, 2, 9, 17], [6, 2, 3, 3], [6]] },
  { name: '2-D dilation 2, pads bigger than the kernel reach', attrs: conv(2, { dilations: [2, 2], pads: [3, 3, 3, 3] }), shapes: [[1, 2, 5, 5], [5, 2, 2, 2], [5]] },
  { name: '2-D groups 2', attrs: conv(2, { group: 2, pads: [1, 1, 1, 1] }), shapes: [[2, 6, 7, 9], [10, 3, 3, 3], [10]] },
  { name: '2-D depthwise (groups = channels)', attrs: conv(2, { group: 8, pads: [1, 1, 1, 1] }), shapes: [[1, 8, 10, 10], [8, 1, 3, 3], [8]] },
  { name: '2-D depthwise multiplier 2, stride 2', attrs: conv(2, { group: 4, strides: [2, 2], pads: [1, 1, 1, 1] }), shapes: [[1, 4, 9, 9], [8, 1, 3, 3], [8]] },
  { name: '2-D pointwise 1x1', attrs: conv(2), shapes: [[2, 12, 5, 7], [9, 12, 1, 1], [9]] },
  { name: '2-D kernel as large as the input', attrs: conv(2), shapes: [[1, 3, 4, 5], [6, 3, 4, 5], [6]] },
  { name: '2-D output width 1', attrs: conv(2, { pads: [0, 0, 0, 0] }), shapes: [[1, 2, 6, 3], [4, 2, 3, 3]] },
  { name: '2-D rows in segments (K large: 64 channels x 9 taps, width 70)', attrs: conv(2, { pads: [1, 1, 1, 1] }), shapes: [[1, 64, 3, 70], [7, 64, 3, 3], [7]] },
  { name: '1-D kernel 5 pad 2', attrs: conv(1, { pads: [2, 2] }), shapes: [[2, 3, 37], [10, 3, 5], [10]] },
  { name: '1-D stride 4, long row in segments', attrs: conv(1, { strides: [4], pads: [3, 0] }), shapes: [[1, 40, 2100], [6, 40, 9], [6]] },
  { name: '1-D dilation 3, groups 3', attrs: conv(1, { dilations: [3], group: 3, pads: [1, 4] }), shapes: [[1, 6, 20], [9, 2, 3], [9]] },
  { name: '3-D 3x3x3 pad 1', attrs: conv(3, { pads: [1, 1, 1, 1, 1, 1] }), shapes: [[1, 2, 4, 5, 6], [5, 2, 3, 3, 3], [5]] },
  { name: '3-D stride 2, dilation (1, 2, 1)', attrs: conv(3, { strides: [2, 2, 2], dilations: [1, 2, 1], pads: [0, 1, 1, 1, 0, 0] }), shapes: [[2, 3, 5, 6, 7], [4, 3, 2, 2, 3]] },
];

describe.each(['relaxed', 'plain'] as SimdLevel[])('wasm conv kernels (%s SIMD)', (simd) => {
  describe.each([4, 6, undefined])('MR = %s', (mr) => {
    const family = convFamily(mr === undefined ? {} : { mr });
    it.each(CASES)('$name', (c) => {
      const g = oneNode('conv', c.attrs, c.shapes);
      const staticInputs = c.shapes.map((_, i) => i > 0);
      expect(family.accepts(nodeInfo(g, simd, staticInputs))).toBe(true);
      const inputs = randomInputs(g, c.shapes.length * 5 + (mr ?? 1));
      const want = reference(g, inputs)[0]!;
      const run = runKernel(family, g, inputs, simd, staticInputs);
      run.outputs.forEach((outs, s) => {
        const cmp = compareTensors(outs[0]!, want, 1e-4, 1e-5);
        expect(cmp.ok, `split ${s} of ${run.units} units: ${cmp.reason ?? ''} max abs ${cmp.maxAbs}`).toBe(true);
      });
    });
  });
});

describe('wasm conv family: geometry', () => {
  it('splits long rows into segments that fit the scratch, the last one shorter', () => {
    const c = CASES.find((x) => x.name.startsWith('1-D stride 4'))!;
    const geo = convGeometry(nodeInfo(oneNode('conv', c.attrs, c.shapes), 'relaxed', [false, true, true]));
    expect(geo.wOut).toBe(524);
    expect(geo.seg % 8).toBe(0);
    expect(geo.segs).toBeGreaterThan(1);
    expect(geo.lastSeg).toBe(524 - (geo.segs - 1) * geo.seg);
    expect(geo.depth * geo.seg).toBeLessThanOrEqual(16384);
  });
});
