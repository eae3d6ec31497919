// The wasm depthwise conv family against the interpreter (rtol 1e-4, atol 1e-5): strides 1-3,
// dilations, symmetric and asymmetric pads (wider than the kernel's reach too), kernel sizes 3, 5
// and 7, 1-D and 2-D (and one 3-D), batch > 1, rows shorter than a vector, with and without bias
// and epilogue (relu6 by scalars, PRelu by per-channel slopes, hardSwish after a per-channel add),
// both SIMD levels, each over the whole unit range and split into 2 and 3 as threads would run it.
import { describe, expect, it } from 'vitest';
import { depthwiseFamily } from '../../src/codegen/wasm/kernels/depthwise.ts';
import { WASM_FAMILIES } from '../../src/codegen/wasm/index.ts';
import type { SimdLevel } from '../../src/codegen/wasm/kernel.ts';
import type { OpAttrs } from '../../src/ops/attrs.ts';
import type { ElementwiseProgram } from '../../src/ops/program.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { nodeInfo, oneNode, randomInputs, reference, runKernel } from './kernel-harness.ts';

const attrs = (rank: number, o: Partial<OpAttrs['conv']> = {}): OpAttrs['conv'] => ({
  strides: Array(rank).fill(1), dilations: Array(rank).fill(1), pads: Array(2 * rank).fill(0), group: 1, ...o,
});

type Step = ElementwiseProgram['steps'][number];
const step = (op: string, args: number[], a: object = {}): Step => ({ op, attrs: a, args }) as Step;
/** Epilogues and the shapes of their operands ([C, 1, ...] per channel, [] scalar). */
const EPILOGUES: Record<string, (c: number, rank: number) => { program: ElementwiseProgram; shapes: number[][] }> = {
  relu6: () => ({ program: { inputs: 3, steps: [step('max', [0, 1]), step('min', [3, 2])] }, shapes: [[], []] }),
  prelu: (c, rank) => ({ program: { inputs: 3, steps: [step('less', [0, 2]), step('mul', [0, 1]), step('where', [3, 4, 0])] }, shapes: [[c, ...Array(rank).fill(1)], []] }),
  'add + hardSwish': (c, rank) => ({ program: { inputs: 2, steps: [step('add', [0, 1]), step('hardSwish', [2])] }, shapes: [[1, c, ...Array(rank).fill(1)]] }),
};

interface Case {
  readonly name: string;
  readonly attrs: OpAttrs['conv'];
  readonly x: number[];
  readonly k: number[];
  readonly bias: boolean;
}

const CASES: Case[] = [
  { name: '2-D 3x3 pad 1 (MobileNet)', attrs: attrs(2, { pads: [1, 1, 1, 1] }), x: [1, 8, 12, 13], k: [3, 3], bias: true },
  { name: '2-D 3x3 stride 2 pad 1', attrs: attrs(2, { strides: [2, 2], pads: [1, 1, 1, 1] }), x: [2, 5, 11, 17], k: [3, 3], bias: true },
  { name: '2-D 5x5 pad 2, no bias', attrs: attrs(2, { pads: [2, 2, 2, 2] }), x: [1, 6, 9, 21], k: [5, 5], bias: false },
  { name: '2-D 7x7 pad 3 stride 3', attrs: attrs(2, { strides: [3, 3], pads: [3, 3, 3, 3] }), x: [1, 4, 16, 30], k: [7, 7], bias: true },
  { name: '2-D 3x3 dilation 2, asymmetric pads', attrs: attrs(2, { dilations: [2, 2], pads: [2, 0, 1, 3] }), x: [1, 3, 10, 14], k: [3, 3], bias: true },
  { name: '2-D 3x5 stride (1, 2) dilation (2, 1)', attrs: attrs(2, { strides: [1, 2], dilations: [2, 1], pads: [1, 2, 1, 2] }), x: [1, 4, 9, 19], k: [3, 5], bias: false },
  { name: '2-D pads past the kernel reach, row of 3', attrs: attrs(2, { pads: [4, 4, 4, 4] }), x: [1, 2, 3, 3], k: [3, 3], bias: true },
  { name: '2-D no pads (valid)', attrs: attrs(2), x: [1, 7, 8, 9], k: [3, 3], bias: true },
  { name: '1-D k3 pad 1', attrs: attrs(1, { pads: [1, 1] }), x: [2, 6, 37], k: [3], bias: true },
  { name: '1-D k5 stride 2 pad (2, 1)', attrs: attrs(1, { strides: [2], pads: [2, 1] }), x: [1, 5, 40], k: [5], bias: false },
  { name: '1-D k7 dilation 3 pad 9', attrs: attrs(1, { dilations: [3], pads: [9, 9] }), x: [1, 4, 50], k: [7], bias: true },
  { name: '3-D 3x3x3 pad 1', attrs: attrs(3, { pads: [1, 1, 1, 1, 1, 1] }), x: [1, 3, 4, 5, 6], k: [3, 3, 3], bias: true },
];

const ALL = CASES.flatMap((c) => [
  { ...c, epilogue: undefined as string | undefined },
  ...Object.keys(EPILOGUES).map((e) => ({ ...c, name: `${c.name} + ${e}`, epilogue: e })),
]);

describe.each(['relaxed', 'plain'] as SimdLevel[])('wasm depthwise conv kernels (%s SIMD)', (simd) => {
  it.each(ALL)('$name', (c) => {
    const C = c.x[1]!;
    const rank = c.k.length;
    const e = c.epilogue ? EPILOGUES[c.epilogue]!(C, rank) : undefined;
    const shapes = [c.x, [C, 1, ...c.k], ...(c.bias ? [[C]] : []), ...(e?.shapes ?? [])];
    const g = oneNode('conv', { ...c.attrs, group: C, ...(e ? { epilogue: e.program } : {}) }, shapes);
    const staticInputs = shapes.map((_, i) => i > 0);
    const info = nodeInfo<'conv'>(g, simd, staticInputs);
    expect(depthwiseFamily.accepts(info)).toBe(true);
    expect(WASM_FAMILIES.conv!.find((f) => f.accepts(info))).toBe(depthwiseFamily);
    const inputs = randomInputs(g, shapes.length * 3 + rank);
    const want = reference(g, inputs)[0]!;
    const run = runKernel(depthwiseFamily, g, inputs, simd, staticInputs);
    run.outputs.forEach((outs, s) => {
      const cmp = compareTensors(outs[0]!, want, 1e-4, 1e-5);
      expect(cmp.ok, `split ${s} of ${run.units} units: ${cmp.reason ?? ''} max abs ${cmp.maxAbs}`).toBe(true);
    });
  });

  it('leaves a channel multiplier, grouped and dense convs to the im2col family', () => {
    for (const [x, w, group] of [[[1, 4, 6, 6], [8, 1, 3, 3], 4], [[1, 4, 6, 6], [4, 2, 3, 3], 2], [[1, 4, 6, 6], [4, 4, 3, 3], 1]] as const) {
      const g = oneNode('conv', attrs(2, { group, pads: [1, 1, 1, 1] }), [x, w]);
      expect(depthwiseFamily.accepts(nodeInfo<'conv'>(g, simd, [false, true]))).toBe(false);
    }
  });
});
